import { describe, expect, it } from 'vitest';
import { addBand, bandIssues, bandRanges, cleanBands, sortBands } from './bands';

const LOGINS = [{ label: '0次', lt: 1 }, { label: '1-4次', lt: 5 }, { label: '5次及以上' }];

describe('bandIssues', () => {
  it('accepts increasing limits with an open-ended last band', () => {
    expect(bandIssues(LOGINS)).toEqual([]);
  });
  it('flags equal limits as overlapping and lower ones as unsorted, on the row at fault', () => {
    expect(bandIssues([{ label: 'a', lt: 5 }, { label: 'b', lt: 5 }, { label: 'c' }])).toEqual([
      { index: 1, code: 'overlap', params: { value: 5 } },
    ]);
    expect(bandIssues([{ label: 'a', lt: 5 }, { label: 'b', lt: 1 }, { label: 'c' }])).toEqual([
      { index: 1, code: 'unsorted', params: { value: 1, prev: 5 } },
    ]);
  });
  it('flags missing labels and limits, repeated labels and a single band', () => {
    expect(bandIssues([{ label: ' ', lt: 1 }, { label: 'b', lt: null }, { label: 'b' }]).map((i) => [i.index, i.code])).toEqual([
      [0, 'noLabel'],
      [1, 'noLimit'],
      [2, 'dupLabel'],
    ]);
    expect(bandIssues([{ label: 'all' }])[0]).toEqual({ index: null, code: 'tooFew' });
  });
});

describe('band helpers', () => {
  it('shows each band as lower ≤ x < upper', () => {
    expect(bandRanges(LOGINS)).toEqual([
      { label: '0次', lower: null, upper: 1 },
      { label: '1-4次', lower: 1, upper: 5 },
      { label: '5次及以上', lower: 5, upper: null },
    ]);
  });
  it('sends the last band without a limit and labels trimmed', () => {
    expect(cleanBands([{ label: ' 低 ', lt: 1 }, { label: '高', lt: 9 }])).toEqual([{ label: '低', lt: 1 }, { label: '高' }]);
  });
  it('sorts limits but keeps the open-ended band last', () => {
    expect(sortBands([{ label: 'b', lt: 5 }, { label: 'a', lt: 1 }, { label: 'c' }])).toEqual([
      { label: 'a', lt: 1 },
      { label: 'b', lt: 5 },
      { label: 'c' },
    ]);
  });
  it('adds a band before the last one, one step above the previous limit', () => {
    expect(addBand(LOGINS, '新')).toEqual([{ label: '0次', lt: 1 }, { label: '1-4次', lt: 5 }, { label: '新', lt: 9 }, { label: '5次及以上' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { activeTiers, cellOf, commonDays, flowSearch, isComplete, moveItem, parseFlowQuery, snapRange, spread, trendDays } from './flowMath';

describe('trendDays', () => {
  it('steps weekly and ends on the end date', () => {
    expect(trendDays('2026-11-01', '2026-11-20')).toEqual(['2026-11-01', '2026-11-08', '2026-11-15', '2026-11-20']);
  });
  it('keeps at most max days', () => {
    expect(trendDays('2025-01-01', '2026-11-20', 1, 120).length).toBeLessThanOrEqual(120);
  });
  it('is empty when start is after end', () => {
    expect(trendDays('2026-11-20', '2026-11-01')).toEqual([]);
  });
});

describe('cells', () => {
  const cells = [
    { source: 'A', target: 'B', count: 2, ratio: 0.5 },
    { source: 'X', target: 'A', count: 1, ratio: 1 },
  ];
  it('finds a cell and orders tiers by the server', () => {
    expect(cellOf(cells, 'A', 'B')?.count).toBe(2);
    expect(cellOf(cells, 'B', 'A')).toBeUndefined();
    expect(activeTiers(['B', 'A'], cells)).toEqual({ sources: ['A', 'X'], targets: ['B', 'A'] });
  });
});

describe('segment tierings', () => {
  it('round-trips a bookmarked query through the URL', () => {
    const q = { mode: 'segments' as const, tag: 'aum_tier', segmentIds: [7, 3, 5], start: '2026-10-01', end: '2026-11-20' };
    const back = parseFlowQuery(flowSearch(q));
    expect(back).toEqual({ mode: 'segments', segmentIds: [7, 3, 5], start: '2026-10-01', end: '2026-11-20' });
    expect(isComplete(back)).toBe(true);
    expect(parseFlowQuery(new URLSearchParams('tag=aum_tier&start=2026-11-20&end=2026-11-01'))).toEqual({ mode: 'tag', tag: 'aum_tier' });
    expect(parseFlowQuery(new URLSearchParams('segments=4,x,4,-1,9'))).toEqual({ mode: 'segments', segmentIds: [4, 9] });
    expect(isComplete({ mode: 'segments', segmentIds: [4], start: '2026-11-01', end: '2026-11-02' })).toBe(false);
  });
  it('moves tiers up and down', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    const same = ['a', 'b'];
    expect(moveItem(same, 0, -1)).toBe(same);
  });
  it('keeps only days every dynamic segment has a snapshot of', () => {
    expect(commonDays([null, null])).toBeNull();
    expect(commonDays([['2026-11-20', '2026-11-01', '2026-11-02'], null, ['2026-11-01', '2026-11-20']])).toEqual(['2026-11-01', '2026-11-20']);
  });
  it('snaps a range onto available days', () => {
    const days = ['2026-10-31', '2026-11-15', '2026-11-20'];
    expect(snapRange(days, '2026-10-21', '2026-11-21')).toEqual(['2026-10-31', '2026-11-20']);
    expect(snapRange(days, '2026-11-16', '2026-11-18')).toEqual(['2026-10-31', '2026-11-15']);
    expect(snapRange(days, '2026-12-01', '2026-12-05')).toEqual(['2026-11-15', '2026-11-20']);
    expect(snapRange(['2026-11-20'], '2026-11-01', '2026-11-20')).toEqual(['2026-11-20', '2026-11-20']);
    expect(snapRange([], '2026-11-01', '2026-11-02')).toBeUndefined();
  });
  it('spreads trend days, keeping both ends', () => {
    const days = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    const out = spread(days, 120);
    expect(out.length).toBe(120);
    expect(out[0]).toBe(days[0]);
    expect(out[119]).toBe(days[199]);
  });
});

import { describe, expect, it } from 'vitest';
import { moveItem, rangeText } from './layout';

const fakeT = (key: string, params?: Record<string, string | number>) => `${key}${params ? JSON.stringify(params) : ''}`;

describe('dashboard layout helpers', () => {
  it('moves a widget up or down by one place', () => {
    expect(moveItem([1, 2, 3], 2, -1)).toEqual([1, 3, 2]);
    expect(moveItem([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
  });

  it('keeps the order when a move would leave the list', () => {
    expect(moveItem([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
    expect(moveItem([1, 2, 3], 2, 1)).toEqual([1, 2, 3]);
    expect(moveItem([], 0, 1)).toEqual([]);
  });

  it('describes the dates a widget covers', () => {
    expect(rangeText({ kind: 'last_days', days: 30, from: '2026-10-24', to: '2026-11-22' }, fakeT)).toBe(
      'dash.range.last{"days":30,"from":"2026-10-24","to":"2026-11-22"}',
    );
    expect(rangeText({ kind: 'fixed', from: '2026-01-01', to: '2026-01-31' }, fakeT)).toBe(
      'dash.range.fixed{"from":"2026-01-01","to":"2026-01-31"}',
    );
    expect(rangeText({ kind: 'none' }, fakeT)).toBe('dash.range.none');
  });
});

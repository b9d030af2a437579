import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { defaultRange, describeRange, hasDates, rangeDays, resolveQuery, savedIdOf } from './range';

const trends = { date_from: '2026-10-01', date_to: '2026-10-30', series: [{ event: 'login', measure: 'total' }] };
const properties = { dimensions: [{ attribute: 'tier' }], limit: 100 };

describe('saved analysis ranges', () => {
  it('counts both ends of a range', () => {
    expect(rangeDays('2026-10-01', '2026-10-30')).toBe(30);
    expect(rangeDays('2026-11-22', '2026-11-22')).toBe(1);
    expect(rangeDays('2026-02-27', '2026-03-01')).toBe(3);
  });

  it('proposes a rolling window as long as the range that was run', () => {
    expect(defaultRange(trends)).toEqual({ kind: 'last_days', days: 30 });
    expect(defaultRange({ date_from: '2020-01-01', date_to: '2026-01-01' })).toEqual({ kind: 'last_days', days: 730 });
  });

  it('keeps undated queries fixed', () => {
    expect(hasDates(properties)).toBe(false);
    expect(defaultRange(properties)).toEqual({ kind: 'fixed' });
    expect(resolveQuery(properties, { kind: 'last_days', days: 7 })).toBe(properties);
  });

  it('moves a rolling range to the last N days ending today and leaves the rest of the query alone', () => {
    const q = resolveQuery(trends, { kind: 'last_days', days: 7 }, dayjs('2026-11-22'));
    expect(q).toEqual({ ...trends, date_from: '2026-11-16', date_to: '2026-11-22' });
    expect(resolveQuery(trends, { kind: 'fixed' }, dayjs('2026-11-22'))).toBe(trends);
  });

  it('describes the effective dates of a run, falling back to the saved ones', () => {
    const effective = { ...trends, date_from: '2026-10-24', date_to: '2026-11-22' };
    expect(describeRange({ kind: 'last_days', days: 30 }, trends, effective)).toEqual({
      kind: 'last_days',
      days: 30,
      from: '2026-10-24',
      to: '2026-11-22',
    });
    expect(describeRange({ kind: 'fixed' }, trends)).toEqual({ kind: 'fixed', from: '2026-10-01', to: '2026-10-30' });
    expect(describeRange({ kind: 'last_days', days: 7 }, properties, properties)).toEqual({ kind: 'none' });
  });

  it('reads ?saved=<id> only when it is a positive integer', () => {
    expect(savedIdOf(new URLSearchParams('saved=12'))).toBe(12);
    expect(savedIdOf(new URLSearchParams('saved=0'))).toBeUndefined();
    expect(savedIdOf(new URLSearchParams('saved=abc'))).toBeUndefined();
    expect(savedIdOf(new URLSearchParams(''))).toBeUndefined();
  });
});

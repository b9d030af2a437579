/** Pure helpers that make analysis charts readable: percent precision from the data, which periods are not over
 * yet, which measures are counts and which are amounts (they never share an axis), and the unit of each. */
import dayjs from 'dayjs';
import type { Granularity, TrendMeasure } from '../../api/analytics';

/** Decimals that tell the axis ticks of these rates (0..1) apart: 0 above 10%, 1 down to 1%, 2 below. */
export function percentDecimals(values: readonly (number | null | undefined)[]): number {
  const max = Math.max(0, ...values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.abs(v) : 0)));
  if (max === 0 || max >= 0.1) return 0;
  return max >= 0.01 ? 1 : 2;
}

/** A rate 0..1 as `12%`, `1.5%`, `0.25%`. */
export function percentText(v: number, decimals: number): string {
  return `${(v * 100).toFixed(decimals)}%`;
}

const UNIT: Record<Granularity, dayjs.ManipulateType> = { hour: 'hour', day: 'day', week: 'week', month: 'month' };

/** Index of the first bucket that has not ended by `now` (its data is still coming in), or -1 when all ended. */
export function incompleteFrom(buckets: readonly string[], granularity: Granularity, now: dayjs.Dayjs = dayjs()): number {
  const unit = UNIT[granularity] ?? 'day';
  return buckets.findIndex((b) => {
    const start = granularity === 'hour' ? dayjs(b) : dayjs(b.slice(0, 10));
    return start.add(1, unit).isAfter(now);
  });
}

/** Counts (次, 人, 次/人) go on the left axis, amounts of a property (sum, avg, max) on the right. */
export function isAmount(measure: TrendMeasure): boolean {
  return measure === 'sum' || measure === 'avg' || measure === 'max';
}

/** Whether a numeric property holds money (its unit is 元). */
export function isMoney(property: string | null | undefined): boolean {
  return !!property && /amount|aum|balance|price|fee|money|金额|余额/i.test(property);
}

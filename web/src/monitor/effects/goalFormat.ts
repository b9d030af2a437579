/** Pure formatting of goal numbers: a metric's value in its own unit, and how far a target is reached. */
import type { GoalMetric } from './api2';
import { signedAmount } from './format';

/** A goal metric's value as the page shows it: lift in percent points of relative lift, ROI as a ratio. */
export function goalValue(metric: GoalMetric, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (metric) {
    case 'conversion_lift_pct':
      return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
    case 'incremental_conversions':
      return signedAmount(v, 1);
    case 'incremental_aum':
      return signedAmount(v, 0);
    case 'roi':
      return v.toFixed(2);
  }
}

/** Share of the target reached as a progress percentage, clamped to 0..100 for the bar (null: nothing yet). */
export function progressPercent(share: number | null | undefined): number | null {
  if (share === null || share === undefined || !Number.isFinite(share)) return null;
  return Math.max(0, Math.min(100, Math.round(share * 100)));
}

/** The series as chart points, a gap where a day has no value yet. */
export function seriesPoints(series: { day: string; achieved: number | null }[]): [string, number | null][] {
  return series.map((p) => [p.day, p.achieved === null || !Number.isFinite(p.achieved) ? null : p.achieved]);
}

/** Pure helpers of the dashboard page: widget order and the date line of a widget header. */
import type { RangeDescription } from '../../analytics/saved/range';

/** The item ids after moving the one at `index` by `delta` places (unchanged when it would leave the list). */
export function moveItem<T>(ids: readonly T[], index: number, delta: -1 | 1): T[] {
  const to = index + delta;
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return [...ids];
  const out = [...ids];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

type RangeKey = 'dash.range.last' | 'dash.range.fixed' | 'dash.range.none';

/** The date line of a widget: "最近 30 天 · 2026-10-24 ~ 2026-11-22", the fixed dates, or the undated note. */
export function rangeText(d: RangeDescription, t: (key: RangeKey, params?: Record<string, string | number>) => string): string {
  switch (d.kind) {
    case 'last_days':
      return t('dash.range.last', { days: d.days, from: d.from, to: d.to });
    case 'fixed':
      return t('dash.range.fixed', { from: d.from, to: d.to });
    case 'none':
      return t('dash.range.none');
  }
}

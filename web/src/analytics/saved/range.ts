/** Pure helpers for the time range of a saved analysis: defaults, the dates a run uses, and how to describe them. */
import dayjs, { type Dayjs } from 'dayjs';
import type { SavedRange } from '../../api/dashboards';
import { lastDays } from '../format';

/** The API refuses longer rolling windows (`last_days.days` is 1..730). */
export const MAX_ROLLING_DAYS = 730;

interface Dated {
  date_from: string;
  date_to: string;
}

/** Whether a model's query has a date range at all (properties does not; such analyses ignore `range`). */
export function hasDates(query: object): query is Dated {
  const q = query as Partial<Dated>;
  return typeof q.date_from === 'string' && typeof q.date_to === 'string';
}

/** Days from `from` to `to`, both included (a one-day range is 1). */
export function rangeDays(from: string, to: string): number {
  return dayjs(to).diff(dayjs(from), 'day') + 1;
}

/** The range a save dialog proposes: the last N days, N being the length of the range that was run. */
export function defaultRange(query: object): SavedRange {
  if (!hasDates(query)) return { kind: 'fixed' };
  const days = Math.min(MAX_ROLLING_DAYS, Math.max(1, rangeDays(query.date_from, query.date_to)));
  return { kind: 'last_days', days };
}

/** The query a saved analysis runs today: a rolling range moves its dates to the last N days ending `today`. */
export function resolveQuery<Q extends object>(query: Q, range: SavedRange, today: Dayjs = dayjs()): Q {
  if (range.kind !== 'last_days' || !hasDates(query)) return query;
  const [date_from, date_to] = lastDays(range.days, today);
  return { ...query, date_from, date_to };
}

/** What a widget header says about its dates, before translation. */
export type RangeDescription =
  | { kind: 'none' }
  | { kind: 'fixed'; from: string; to: string }
  | { kind: 'last_days'; days: number; from: string; to: string };

/** Describes the dates an analysis covers; `effective` is the query a run actually used (when known). */
export function describeRange(range: SavedRange, saved: object, effective?: object): RangeDescription {
  const q = effective && hasDates(effective) ? effective : saved;
  if (!hasDates(q)) return { kind: 'none' };
  if (range.kind === 'last_days') return { kind: 'last_days', days: range.days, from: q.date_from, to: q.date_to };
  return { kind: 'fixed', from: q.date_from, to: q.date_to };
}

/** The `?saved=<id>` of an analysis page's URL, when it names a positive integer id. */
export function savedIdOf(search: URLSearchParams): number | undefined {
  const raw = search.get('saved');
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  const id = Number(raw);
  return id > 0 ? id : undefined;
}

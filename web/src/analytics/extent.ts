/** The days the store holds data for, and the defaults of pages that must open on periods with data. */
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../api/client';
import type { DateRange } from './format';

/** First and last bank day with events and with AUM snapshots (null: none). */
export interface DataExtent {
  events_from: string | null;
  events_to: string | null;
  aum_from: string | null;
  aum_to: string | null;
}

export const extentApi = {
  get: (signal?: AbortSignal) => api.get<DataExtent>('/api/analytics/extent', { signal }),
};

const ISO = 'YYYY-MM-DD';

/** MAU/AUM months: up to six, ending with the last month that has events, none before the first (today's
 * month and the five before when nothing is known). */
export function mauAumMonths(e: DataExtent | undefined, today: Dayjs = dayjs()): [string, string] {
  const last = e?.events_to ? dayjs(e.events_to).startOf('month') : today.startOf('month');
  let first = last.subtract(5, 'month');
  if (e?.events_from && dayjs(e.events_from).startOf('month').isAfter(first)) first = dayjs(e.events_from).startOf('month');
  return [first.format(ISO), last.format(ISO)];
}

/** LTV: cohorts opened since the first AUM snapshot (at most a year back), followed for the months observed
 * since (1..12); a year and 12 months when nothing is known. */
export function ltvDefaults(e: DataExtent | undefined, today: Dayjs = dayjs()): { range: DateRange; months: number } {
  const yearBack = today.subtract(364, 'day');
  const from = e?.aum_from && dayjs(e.aum_from).isAfter(yearBack) ? dayjs(e.aum_from) : yearBack;
  const observed = today.startOf('month').diff(from.startOf('month'), 'month');
  return { range: [from.format(ISO), today.format(ISO)], months: Math.min(12, Math.max(1, observed)) };
}

/** Pure helpers of value bands (`[{label, lt}, ..., {label}]`): ranges to show and problems to flag before sending. */
import type { Band } from '../../../api/insight';

/** A problem of the band list: which row (null: the list as a whole), a message key and its parameters. */
export interface BandIssue {
  index: number | null;
  code: 'tooFew' | 'tooMany' | 'noLabel' | 'dupLabel' | 'noLimit' | 'overlap' | 'unsorted';
  params?: Record<string, string | number>;
}

export const MAX_BANDS = 20;

/** Each band's range: from the previous band's limit (inclusive) to its own (exclusive); open ends are null. */
export function bandRanges(bands: readonly Band[]): { label: string; lower: number | null; upper: number | null }[] {
  return bands.map((b, i) => ({
    label: b.label,
    lower: i === 0 ? null : bands[i - 1].lt ?? null,
    upper: i === bands.length - 1 ? null : b.lt ?? null,
  }));
}

/** What is wrong with a band list, in row order (empty when it can be sent). */
export function bandIssues(bands: readonly Band[]): BandIssue[] {
  const issues: BandIssue[] = [];
  if (bands.length < 2) issues.push({ index: null, code: 'tooFew' });
  if (bands.length > MAX_BANDS) issues.push({ index: null, code: 'tooMany', params: { n: MAX_BANDS } });
  const seen = new Set<string>();
  bands.forEach((b, i) => {
    const label = b.label.trim();
    if (!label) issues.push({ index: i, code: 'noLabel' });
    else if (seen.has(label)) issues.push({ index: i, code: 'dupLabel', params: { label } });
    seen.add(label);
    if (i === bands.length - 1) return; // the last band takes the rest: its limit is not used
    const lt = b.lt;
    if (lt === null || lt === undefined || Number.isNaN(lt)) {
      issues.push({ index: i, code: 'noLimit' });
      return;
    }
    const prev = i > 0 ? bands[i - 1].lt : null;
    if (prev !== null && prev !== undefined && !Number.isNaN(prev)) {
      if (lt === prev) issues.push({ index: i, code: 'overlap', params: { value: lt } });
      else if (lt < prev) issues.push({ index: i, code: 'unsorted', params: { value: lt, prev } });
    }
  });
  return issues;
}

/** The bands as sent: labels trimmed, the last band without a limit. */
export function cleanBands(bands: readonly Band[]): Band[] {
  return bands.map((b, i) => (i === bands.length - 1 ? { label: b.label.trim() } : { label: b.label.trim(), lt: b.lt ?? null }));
}

/** The bands ordered by limit (the open-ended band stays last), for the "sort" fix of unsorted thresholds. */
export function sortBands(bands: readonly Band[]): Band[] {
  if (bands.length < 2) return [...bands];
  const limited = bands.slice(0, -1).filter((b) => b.lt !== null && b.lt !== undefined);
  const open = [...bands.slice(0, -1).filter((b) => b.lt === null || b.lt === undefined), bands[bands.length - 1]];
  return [...[...limited].sort((a, b) => (a.lt as number) - (b.lt as number)), ...open];
}

/** A new band inserted before the open-ended last one, its limit a step above the previous limit. */
export function addBand(bands: readonly Band[], label: string): Band[] {
  if (bands.length === 0) return [{ label }];
  const limits = bands.slice(0, -1).map((b) => b.lt).filter((x): x is number => typeof x === 'number');
  const last = limits.length ? limits[limits.length - 1] : 0;
  const step = limits.length > 1 ? last - limits[limits.length - 2] : 1;
  return [...bands.slice(0, -1), { label, lt: last + (step > 0 ? step : 1) }, bands[bands.length - 1]];
}

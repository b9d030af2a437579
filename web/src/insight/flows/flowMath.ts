import type { FlowCell } from '../../api/ml';

/** Days from `start` to `end` (ISO dates) every `step` days, always ending on `end`; at most `max` days. */
export function trendDays(start: string, end: string, step = 7, max = 120): string[] {
  const s = Date.parse(`${start}T00:00:00Z`);
  const e = Date.parse(`${end}T00:00:00Z`);
  if (!Number.isFinite(s) || !Number.isFinite(e) || s > e) return [];
  const dayMs = 86_400_000;
  const span = Math.round((e - s) / dayMs);
  const stride = Math.max(step, Math.ceil(span / (max - 1)));
  const out: string[] = [];
  for (let d = 0; d < span; d += stride) out.push(new Date(s + d * dayMs).toISOString().slice(0, 10));
  out.push(end);
  return out;
}

/** The cell for (source, target), if any customer moved that way. */
export function cellOf(cells: FlowCell[], source: string, target: string): FlowCell | undefined {
  return cells.find((c) => c.source === source && c.target === target);
}

/** Tiers present on either date, in the server's order. */
export function activeTiers(tiers: string[], cells: FlowCell[]): { sources: string[]; targets: string[] } {
  const src = new Set(cells.map((c) => c.source));
  const tgt = new Set(cells.map((c) => c.target));
  const extra = (set: Set<string>) => [...set].filter((x) => !tiers.includes(x));
  return {
    sources: [...tiers.filter((x) => src.has(x)), ...extra(src)],
    targets: [...tiers.filter((x) => tgt.has(x)), ...extra(tgt)],
  };
}

/** The server's label for "in no tier" (no tag value, or in none of the segments). */
export const NO_TIER = '(无)';

export type FlowMode = 'tag' | 'segments';

/** What the page is asked to show; kept in the URL so a flow can be bookmarked and shared. */
export interface FlowQuery {
  mode: FlowMode;
  tag: string;
  segmentIds: number[];
  start: string;
  end: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Read a flow query from URL search params; anything missing or malformed is left out. */
export function parseFlowQuery(params: URLSearchParams): Partial<FlowQuery> {
  const out: Partial<FlowQuery> = {};
  const ids = (params.get('segments') ?? '').split(',').map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0);
  const uniq = ids.filter((n, i) => ids.indexOf(n) === i);
  if (params.get('mode') === 'segments' || (uniq.length && !params.get('tag'))) out.mode = 'segments';
  else if (params.get('tag')) out.mode = 'tag';
  if (params.get('tag')) out.tag = params.get('tag')!;
  if (uniq.length) out.segmentIds = uniq;
  const start = params.get('start');
  const end = params.get('end');
  if (start && end && ISO.test(start) && ISO.test(end) && start <= end) {
    out.start = start;
    out.end = end;
  }
  return out;
}

/** URL search params of a flow query (only the fields of its mode). */
export function flowSearch(q: FlowQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.mode === 'segments') {
    p.set('mode', 'segments');
    p.set('segments', q.segmentIds.join(','));
  } else {
    p.set('tag', q.tag);
  }
  p.set('start', q.start);
  p.set('end', q.end);
  return p;
}

/** Whether a query can be sent: a tag, or at least two segments, and both dates. */
export function isComplete(q: Partial<FlowQuery>): q is FlowQuery {
  if (!q.start || !q.end) return false;
  return q.mode === 'segments' ? (q.segmentIds?.length ?? 0) >= 2 : q.mode === 'tag' && !!q.tag;
}

/** `list` with the item at `from` moved to `to` (clamped); the same array when nothing moves. */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  const dest = Math.max(0, Math.min(list.length - 1, to));
  if (from < 0 || from >= list.length || from === dest) return list;
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(dest, 0, item);
  return out;
}

/**
 * Days on which every dynamic segment of a tiering has a snapshot (sorted), or `null` when all are static
 * (a frozen segment is the same on every day, so any day will do).
 */
export function commonDays(snapshots: (string[] | null)[]): string[] | null {
  const dynamic = snapshots.filter((d): d is string[] => d !== null);
  if (!dynamic.length) return null;
  const [first, ...rest] = dynamic;
  return [...new Set(first)].filter((d) => rest.every((r) => r.includes(d))).sort();
}

/**
 * A range whose both ends are available days: the end is the latest available day not after `end` (else the
 * earliest available), the start the earliest available day from `start` on before the new end (else the
 * latest one before it), so that the two dates differ whenever two days are available.
 */
export function snapRange(available: string[], start: string, end: string): [string, string] | undefined {
  if (!available.length) return undefined;
  const sorted = [...available].sort();
  const e = [...sorted].reverse().find((d) => d <= end) ?? sorted[0];
  const s = sorted.find((d) => d >= start && d < e) ?? [...sorted].reverse().find((d) => d < e) ?? e;
  return [s, e];
}

/** At most `max` of `days` (sorted), evenly spread, always keeping the first and the last. */
export function spread(days: string[], max = 120): string[] {
  const sorted = [...days].sort();
  if (sorted.length <= max) return sorted;
  const step = (sorted.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => sorted[Math.round(i * step)]);
}

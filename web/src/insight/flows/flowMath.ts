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

/** Pure helpers of the detail page's live parts: funnel conversion and the burn-down's latest standing. */
import type { BurnPoint, ReconciliationRow } from '../benefits/api';
import type { CampaignFunnel, Stage } from '../api';

export const STAGES: Stage[] = ['targeted', 'reached', 'joined', 'completed', 'rewarded'];

/** Each stage's count and its conversion from the nearest earlier stage that was counted (null: unknown). */
export function funnelSteps(f: CampaignFunnel): { stage: Stage; count: number | null; rate: number | null }[] {
  const byStage = new Map(f.stages.map((s) => [s.stage, s.count]));
  let prev: number | null = null;
  return STAGES.map((stage) => {
    const count = byStage.get(stage) ?? null;
    const rate = count !== null && prev !== null && prev > 0 ? count / prev : null;
    if (count !== null) prev = count;
    return { stage, count, rate };
  });
}

/** The burn-down's end: issued in total, stock and budget (yuan) left — or the pools' full amounts before any issue. */
export function burnStanding(points: BurnPoint[], pools: ReconciliationRow[]): {
  day: string | null; issued: number; stock: number; budget: number;
} {
  if (points.length === 0) {
    // Allocations to orgs below are shares of their parent pool: count the top pools only.
    const roots = pools.filter((r) => !pools.some((o) => o !== r && r.org_code.startsWith(`${o.org_code}-`)));
    return {
      day: null, issued: 0,
      stock: roots.reduce((a, r) => a + r.stock_total, 0),
      budget: roots.reduce((a, r) => a + r.budget_fen, 0) / 100,
    };
  }
  const last = points[points.length - 1];
  return {
    day: last.day,
    issued: points.reduce((a, p) => a + p.issued, 0),
    stock: last.stock_remaining,
    budget: last.budget_remaining_fen / 100,
  };
}

/** The benefits of a campaign, once each, in the order their pools were listed. */
export function benefitsOf(rows: ReconciliationRow[]): { id: number; name: string; rows: ReconciliationRow[] }[] {
  const out = new Map<number, { id: number; name: string; rows: ReconciliationRow[] }>();
  for (const r of rows) {
    const b = out.get(r.benefit_id) ?? { id: r.benefit_id, name: r.benefit_name, rows: [] };
    b.rows.push(r);
    out.set(r.benefit_id, b);
  }
  return [...out.values()];
}

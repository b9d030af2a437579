import { describe, expect, it } from 'vitest';
import { benefitsOf, burnStanding, funnelSteps } from './live';

const row = (benefit_id: number, org: string, stock: number, budget: number) => ({
  benefit_id, benefit_name: `b${benefit_id}`, campaign_id: 3, org_code: org, issued: 0, redeemed: 0, expired: 0,
  outstanding: 0, refused: {}, stock_total: stock, stock_remaining: stock, budget_fen: budget,
  budget_remaining_fen: budget, reserved_fen: 0, cost_fen: 0,
});

describe('funnelSteps', () => {
  it('rates each counted stage against the last counted one before it', () => {
    const steps = funnelSteps({ campaign_id: 1, as_of: '', stages: [
      { stage: 'targeted', count: null }, { stage: 'reached', count: null }, { stage: 'joined', count: 4 },
      { stage: 'completed', count: 2 }, { stage: 'rewarded', count: 2 }] });
    expect(steps.map((s) => s.rate)).toEqual([null, null, null, 0.5, 1]);
  });
  it('gives no rate after a zero', () => {
    const steps = funnelSteps({ campaign_id: 1, as_of: '', stages: [
      { stage: 'targeted', count: 0 }, { stage: 'reached', count: 0 }, { stage: 'joined', count: 3 },
      { stage: 'completed', count: 0 }, { stage: 'rewarded', count: 0 }] });
    expect(steps.map((s) => s.rate)).toEqual([null, null, null, 0, null]);
  });
});

describe('burnStanding', () => {
  it('sums the issues and ends where the last day ends', () => {
    const s = burnStanding([
      { day: '2026-12-06', issued: 0, stock_remaining: 100, budget_remaining_fen: 50000 },
      { day: '2026-12-07', issued: 2, stock_remaining: 98, budget_remaining_fen: 48000 }], []);
    expect(s).toEqual({ day: '2026-12-07', issued: 2, stock: 98, budget: 480 });
  });
  it('shows the full pools before anything is issued', () => {
    expect(burnStanding([], [row(1, 'GD', 10, 1000), row(1, 'GD-GZ', 4, 400)]))
      .toEqual({ day: null, issued: 0, stock: 10, budget: 10 });
  });
});

describe('benefitsOf', () => {
  it('groups pool rows by benefit', () => {
    expect(benefitsOf([row(1, 'GD', 1, 1), row(2, 'GD', 1, 1), row(1, 'GD-GZ', 1, 1)]).map((b) => [b.id, b.rows.length]))
      .toEqual([[1, 2], [2, 1]]);
  });
});

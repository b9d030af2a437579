import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/translate';
import type { ReconciliationRow } from './api';
import { termsText, toFen, totals, yuan } from './format';

const t = (key: string, params?: Record<string, string | number>) => translate('zh', key as never, params);

const row = (org: string, issued: number, refused: Record<string, number>): ReconciliationRow => ({
  benefit_id: 1, benefit_name: '券', campaign_id: 0, org_code: org, issued, redeemed: 1, expired: 0,
  outstanding: issued - 1, refused, stock_total: 10, stock_remaining: 10 - issued, budget_fen: 1000,
  budget_remaining_fen: 1000 - issued * 100, reserved_fen: issued * 100, cost_fen: issued * 100,
});

describe('benefit formatting', () => {
  it('shows fen as yuan and reads yuan back as fen', () => {
    expect(yuan(123456)).toBe('¥1,234.56');
    expect(yuan(5)).toBe('¥0.05');
    expect(toFen(19.88)).toBe(1988);
    expect(toFen(15.14)).toBe(1514);
  });

  it('says the terms in Chinese', () => {
    expect(termsText({ kind: 'full_reduction', threshold_fen: 10000, amount_fen: 1000 }, t)).toBe('满 ¥100.00 减 ¥10.00');
    expect(termsText({ kind: 'discount', rate: 0.88, cap_fen: 2000 }, t)).toBe('8.8 折，最多优惠 ¥20.00');
  });

  it('adds the reconciliation up, refusals by reason', () => {
    const sum = totals([row('GD-SZ', 3, { stock_exhausted: 2 }), row('HQ', 4, { stock_exhausted: 1, expired: 5 })]);
    expect(sum.issued).toBe(7);
    expect(sum.refused).toEqual({ stock_exhausted: 3, expired: 5 });
    expect(sum.budget_remaining_fen).toBe(1300);
  });
});

import type { TFunction } from '../../i18n';
import type { Benefit, BenefitSpec, BurnPoint, ReconciliationRow } from './api';

/** ¥ with two decimals from an amount in fen (分); amounts travel as integers, never floats. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Fen from a yuan amount typed in a form (rounded to the fen). */
export function toFen(yuanValue: number): number {
  return Math.round(yuanValue * 100);
}

/** A benefit's terms in words (满 100 减 10, 8.8 折 …). */
export function termsText(spec: BenefitSpec, t: TFunction): string {
  switch (spec.kind) {
    case 'full_reduction':
      return t('benefits.terms.full_reduction', { threshold: yuan(spec.threshold_fen), amount: yuan(spec.amount_fen) });
    case 'discount':
      return t('benefits.terms.discount', { rate: +(spec.rate * 10).toFixed(2), cap: yuan(spec.cap_fen) });
    case 'cash':
      return t('benefits.terms.cash', { amount: yuan(spec.amount_fen) });
    case 'points':
      return t('benefits.terms.points', { points: spec.points });
    case 'rate_boost':
      return t('benefits.terms.rate_boost', { product: spec.product_code, bp: spec.boost_bp, days: spec.days });
    case 'physical':
      return t('benefits.terms.physical', { item: spec.item });
  }
}

/** How long an issued benefit stays valid, in words. */
export function validityText(b: Benefit, t: TFunction): string {
  if (b.valid_days != null) return t('benefits.validity.days', { days: b.valid_days });
  return t('benefits.validity.fixed', { from: (b.valid_from ?? '').slice(0, 10), to: (b.valid_to ?? '').slice(0, 10) });
}

/** The reconciliation's column sums (the 合计 row). */
export function totals(rows: ReconciliationRow[]): Omit<ReconciliationRow, 'benefit_id' | 'benefit_name' | 'campaign_id' | 'org_code'> {
  const refused: Record<string, number> = {};
  const sum = (pick: (r: ReconciliationRow) => number) => rows.reduce((acc, r) => acc + pick(r), 0);
  for (const r of rows) for (const [k, v] of Object.entries(r.refused)) refused[k] = (refused[k] ?? 0) + v;
  return {
    issued: sum((r) => r.issued),
    redeemed: sum((r) => r.redeemed),
    expired: sum((r) => r.expired),
    outstanding: sum((r) => r.outstanding),
    refused,
    stock_total: sum((r) => r.stock_total),
    stock_remaining: sum((r) => r.stock_remaining),
    budget_fen: sum((r) => r.budget_fen),
    budget_remaining_fen: sum((r) => r.budget_remaining_fen),
    reserved_fen: sum((r) => r.reserved_fen),
    cost_fen: sum((r) => r.cost_fen),
  };
}

/** Burn-down series: stock left and budget left (yuan) per day, starting from the full stock the day before. */
export function burnSeries(points: BurnPoint[]): { days: string[]; stock: number[]; budget: number[] } {
  return {
    days: points.map((p) => p.day),
    stock: points.map((p) => p.stock_remaining),
    budget: points.map((p) => p.budget_remaining_fen / 100),
  };
}

/** A data identifier (org code, customer ID) in monospace: data, not UI text. */
export function mono(value: string) {
  return <span className="mf-mono">{value}</span>;
}

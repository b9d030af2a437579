import type { Holding } from '../../api/types';

export interface TypeTotal {
  type: string;
  balance: number;
}

/** Sums asset balances per product type, largest first; liabilities and non-positive totals are left out. */
export function holdingsByType(holdings: Holding[]): TypeTotal[] {
  const totals = new Map<string, number>();
  for (const h of holdings) {
    if (h.is_liability) continue;
    const balance = Number(h.balance);
    if (!Number.isFinite(balance)) continue;
    const type = h.product_type || 'other';
    totals.set(type, (totals.get(type) ?? 0) + balance);
  }
  return [...totals.entries()]
    .map(([type, balance]) => ({ type, balance }))
    .filter((t) => t.balance > 0)
    .sort((a, b) => b.balance - a.balance);
}

/** Pure formatting of effect numbers: intervals, percentages, signed amounts, the funnel's step rates. */

/** A number with its 95% interval, e.g. "+1.23% [0.50%, 1.96%]"; a dash when missing. */
export function withInterval(
  value: number | null | undefined,
  lower: number | null | undefined,
  upper: number | null | undefined,
  fmt: (v: number) => string,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const head = fmt(value);
  if (lower === null || lower === undefined || upper === null || upper === undefined) return head;
  return `${head} [${fmt(lower)}, ${fmt(upper)}]`;
}

/** A signed percentage with two decimals ("+1.25%"). */
export function signedPct(v: number): string {
  const s = (v * 100).toFixed(2);
  return `${v > 0 ? '+' : ''}${s}%`;
}

/** A rate given as a fraction (0.25) shown as a percentage with two decimals ("25.00%"); a dash when missing. */
export function fractionPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(2)}%`;
}

/** A signed amount in yuan with thousands separators ("+12,345"). */
export function signedAmount(v: number, decimals = 0): string {
  const s = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${v < 0 ? '-' : v > 0 ? '+' : ''}${s}`;
}

/** A p-value to show: "<0.001" below a thousandth, else three decimals. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Whether an interval excludes zero: the effect is significant at its level. */
export function significant(lower: number | null | undefined, upper: number | null | undefined): boolean {
  return lower !== null && lower !== undefined && upper !== null && upper !== undefined && (lower > 0 || upper < 0);
}

/** Each stage's share of the stage before it (null for the first stage or after an empty one). */
export function stepRates(counts: number[]): (number | null)[] {
  return counts.map((c, i) => (i === 0 || counts[i - 1] === 0 ? null : c / counts[i - 1]));
}

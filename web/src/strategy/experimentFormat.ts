/** How experiment statistics read on the page: percentages, intervals, p-values, verdicts and sample notes. */
import type { ArmRead, SrmRead } from './experimentsApi';

/** A rate or lift as a percentage with `digits` decimals; '—' when unknown. */
export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;
}

/** A signed percentage (lifts): '+1.20%' / '-0.40%'. */
export function signedPct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v > 0 ? '+' : ''}${(v * 100).toFixed(digits)}%`;
}

/** A value with its interval: '12.00% [10.10%, 14.20%]'. */
export function withInterval(
  v: number | null, lower: number | null, upper: number | null, signed = false,
): string {
  const f = signed ? signedPct : pct;
  if (v === null) return '—';
  return lower === null || upper === null ? f(v) : `${f(v)} [${f(lower)}, ${f(upper)}]`;
}

/** A p-value: four decimals, '< 0.0001' below that. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}

export type Verdict = 'up' | 'down' | 'no' | 'none';

/** Whether a treated arm beats (or trails) its control significantly; 'none' for the control or no test. */
export function verdict(arm: ArmRead): Verdict {
  if (arm.control || arm.p_value === null) return 'none';
  if (!arm.significant) return 'no';
  return (arm.difference ?? 0) >= 0 ? 'up' : 'down';
}

/** The key and parameters of the sample note shown in words for a treated arm. */
export function sampleNote(arm: ArmRead): { key: string; params: Record<string, string> } | null {
  if (arm.control) return null;
  if (arm.sample_note !== 'ok') return { key: `xr.note.${arm.sample_note}`, params: {} };
  const mde = pct(arm.mde);
  return arm.mde_relative === null
    ? { key: 'xr.note.okNoRel', params: { mde } }
    : { key: 'xr.note.ok', params: { mde, rel: pct(arm.mde_relative, 1) } };
}

/** The SRM line: its key and parameters. */
export function srmLine(srm: SrmRead): { key: string; params: Record<string, string>; bad: boolean } {
  if (srm.p_value === null) return { key: 'xr.srm.empty', params: {}, bad: false };
  const params = { p: pValue(srm.p_value), threshold: String(srm.threshold) };
  return { key: srm.mismatch ? 'xr.srm.bad' : 'xr.srm.ok', params, bad: srm.mismatch };
}

/** Pure helpers of the metric and rule forms: 422 locations to form fields, recipients, rule text. */
import type { AnomalyParams, RuleOp, RuleRead } from '../../api/monitor';
import type { TFunction } from '../../i18n';
import { metricFormField2 } from './metricForm';

/** Form field of the metric form a 422 issue path (`definition.event.event`, ...) belongs to. */
export function metricFormField(path: string): string {
  if (path === 'key' || path === 'name') return path;
  const added = metricFormField2(path); // source, attribute fields and dimensions
  if (added) return added;
  if (path.startsWith('definition.event')) return 'event';
  if (path.startsWith('definition.measure')) return 'measure';
  if (path.startsWith('definition.days')) return 'days';
  // The definition's own check ("measure 'sum' needs a numeric property name") is about the property.
  if (path === 'definition' || path.startsWith('definition.property')) return 'property';
  return '';
}

/** Form field of the rule form a 422 issue path (`emails.0`, `anomaly.k`, ...) belongs to. */
export function ruleFormField(path: string): string {
  const [head, sub] = path.split('.');
  // The anomaly parameters are flat fields of the form (k, direction, min_change_pct).
  if (head === 'anomaly') return ['k', 'direction', 'min_change_pct'].includes(sub) ? sub : 'k';
  return ['metric_id', 'name', 'op', 'threshold', 'severity', 'emails', 'webhook_url'].includes(head) ? head : '';
}

/** Groups field messages by form field through `toField`; unknown fields go under `''`. */
export function groupByField(byPath: Record<string, string[]>, toField: (path: string) => string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(byPath)) {
    const field = toField(path);
    (out[field] ??= []).push(...messages.map((m) => (field || !path ? m : `${path}: ${m}`)));
  }
  return out;
}

/** Server field errors split into per-field messages for `form.setFields` and one general message (or null). */
export function splitServerErrors<F extends string>(
  byPath: Record<string, string[]>,
  toField: (path: string) => string,
): { fields: { name: F; errors: string[] }[]; general: string | null } {
  const grouped = groupByField(byPath, toField);
  const fields = Object.entries(grouped)
    .filter(([f]) => f)
    .map(([name, errors]) => ({ name: name as F, errors }));
  return { fields, general: grouped[''] ? grouped[''].join('; ') : null };
}

/** Email recipients as typed: trimmed, without blanks and repeats. */
export function cleanEmails(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const part of v.split(/[,;\s]+/)) {
      const e = part.trim();
      if (e && !out.includes(e)) out.push(e);
    }
  }
  return out;
}

/** `≥ 3`, `环比 > 10%`: a threshold rule's condition in short form (the change ops are percentages). */
export function conditionText(op: Exclude<RuleOp, 'anomaly'>, threshold: number, changeLabel: string): string {
  const sign: Record<Exclude<RuleOp, 'anomaly'>, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', change_gt: '>', change_lt: '<' };
  return op.startsWith('change_') ? `${changeLabel} ${sign[op]} ${threshold}%` : `${sign[op]} ${threshold}`;
}

/** `偏离 7 日均值 > 3σ（仅上升，变化 ≥ 10%）`: an anomaly rule's condition. */
export function anomalyText(p: AnomalyParams, t: TFunction): string {
  return t('mal.anomaly.condition', { k: p.k, direction: t(`mal.anomaly.direction.${p.direction}`), pct: p.min_change_pct });
}

/** Any rule's condition in short form. */
export function ruleConditionText(r: Pick<RuleRead, 'op' | 'threshold' | 'anomaly'>, t: TFunction): string {
  if (r.op === 'anomaly') return r.anomaly ? anomalyText(r.anomaly, t) : t('mal.op.anomaly');
  return conditionText(r.op, r.threshold ?? 0, t('mal.change'));
}

/** `+35.9σ`, or the signed % change when the baseline was flat (σ = 0). */
export function deviationText(z: number | null, changePct: number | null): string {
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  if (z !== null) return `${signed(z, 1)}σ`;
  return changePct === null ? '—' : `${signed(changePct, 1)}%`;
}

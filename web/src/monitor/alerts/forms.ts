/** Pure helpers of the metric and rule forms: 422 locations to form fields, recipients, rule text. */
import type { RuleOp } from '../../api/monitor';

/** Form field of the metric form a 422 issue path (`definition.event.event`, ...) belongs to. */
export function metricFormField(path: string): string {
  if (path === 'key' || path === 'name') return path;
  if (path.startsWith('definition.event')) return 'event';
  if (path.startsWith('definition.measure')) return 'measure';
  if (path.startsWith('definition.days')) return 'days';
  // The definition's own check ("measure 'sum' needs a numeric property name") is about the property.
  if (path === 'definition' || path.startsWith('definition.property')) return 'property';
  return '';
}

/** Form field of the rule form a 422 issue path (`emails.0`, `webhook_url`, ...) belongs to. */
export function ruleFormField(path: string): string {
  const head = path.split('.')[0];
  return ['metric_id', 'name', 'op', 'threshold', 'emails', 'webhook_url'].includes(head) ? head : '';
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

/** `≥ 3`, `环比 > 10%`: a rule's condition in short form (the change ops are percentages). */
export function conditionText(op: RuleOp, threshold: number, changeLabel: string): string {
  const sign: Record<RuleOp, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', change_gt: '>', change_lt: '<' };
  return op.startsWith('change_') ? `${changeLabel} ${sign[op]} ${threshold}%` : `${sign[op]} ${threshold}`;
}

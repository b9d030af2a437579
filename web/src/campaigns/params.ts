/** Pure helpers of the campaign wizard: form values from a template's parameter list and back. */
import type { MessageKey, TFunction } from '../i18n';
import type { CampaignAction, CampaignStatus, Param } from './api';

/** Parameters edited as JSON text in the form (lists and prize tables). */
export const JSON_TYPES = new Set(['events', 'days', 'prizes']);

/** The form's initial values: each parameter's default (lists as JSON text). */
export function initialValues(params: Param[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    if (p.default === null || p.default === undefined) continue;
    out[p.key] = JSON_TYPES.has(p.type) ? JSON.stringify(p.default) : p.default;
  }
  return out;
}

/** The parameters to send: empty values dropped (the server fills defaults), JSON text parsed. */
export function toParams(params: Param[], values: Record<string, unknown>): { params: Record<string, unknown>; bad: string[] } {
  const out: Record<string, unknown> = {};
  const bad: string[] = [];
  for (const p of params) {
    const v = values[p.key];
    if (v === undefined || v === null || v === '') continue;
    if (JSON_TYPES.has(p.type) && typeof v === 'string') {
      try {
        out[p.key] = JSON.parse(v);
      } catch {
        bad.push(p.key);
      }
    } else {
      out[p.key] = v;
    }
  }
  return { params: out, bad };
}

/** The lifecycle actions a campaign in a status offers (submit is separate: it opens the checks). */
export function actionsFor(status: CampaignStatus): CampaignAction[] {
  switch (status) {
    case 'approved':
      return ['launch', 'archive'];
    case 'scheduled':
      return ['pause', 'end'];
    case 'running':
      return ['pause', 'end'];
    case 'paused':
      return ['resume', 'end'];
    case 'draft':
    case 'rejected':
    case 'ended':
      return ['archive'];
    default:
      return [];
  }
}

/** A value of a diff or a parameter as short text. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A campaign's parameters as (label, value) rows in the template's order, labelled as its wizard labels them;
 *  a parameter the template no longer declares keeps its key. */
export function labelledParams(values: Record<string, unknown>, defs: Param[] | undefined): [string, string][] {
  const known = new Map((defs ?? []).map((d) => [d.key, d.label]));
  const order = [...(defs ?? []).map((d) => d.key).filter((k) => k in values),
    ...Object.keys(values).filter((k) => !known.has(k))];
  return order.map((k) => [known.get(k) ?? k, show(values[k])]);
}

/** A message key built at run time (statuses, node types, check codes): the part file holds every one. */
export function ck(t: TFunction, key: string, params?: Record<string, string | number>): string {
  return t(key as MessageKey, params);
}

/** Pure helpers of the audit log: the known actions (for the filter), an entry's object and its 详情 as fields. */
import type { AuditEntry } from '../api/types';
import { dictionaries, type Lang } from '../i18n/translate';

const ACTION_PREFIX = 'audit.action.';

/** Every action the console has a name for, as `{value: code, label: name}`, sorted by name. */
export function knownActions(lang: Lang): { value: string; label: string }[] {
  const dict = { ...dictionaries.zh, ...dictionaries[lang] };
  return Object.entries(dict)
    .filter(([k, v]) => k.startsWith(ACTION_PREFIX) && typeof v === 'string')
    .map(([k, v]) => ({ value: k.slice(ACTION_PREFIX.length), label: v as string }))
    .sort((a, b) => a.label.localeCompare(b.label, lang === 'zh' ? 'zh-CN' : 'en'));
}

/** `看板 · 经营日报`: the entry's object by its type's name and the object's name (its id when the entry has no
 * name: entries written before names were recorded). */
export function targetText(e: Pick<AuditEntry, 'target_type' | 'target_id' | 'detail'>, typeName: (t: string) => string): string {
  if (!e.target_type && !e.target_id) return '';
  const name = e.detail && typeof e.detail.name === 'string' && e.detail.name ? e.detail.name : null;
  const type = e.target_type ? typeName(e.target_type) : '';
  const what = name ?? (e.target_id ? `#${e.target_id}` : '');
  return [type, what].filter(Boolean).join(' · ');
}

/** One value of 详情 as text: lists joined, yes/no for booleans, nested objects as `key: value` pairs. */
export function valueText(v: unknown, yesNo: (b: boolean) => string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return yesNo(v);
  if (Array.isArray(v)) return v.length ? v.map((x) => valueText(x, yesNo)).join('、') : '—';
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${valueText(x, yesNo)}`)
      .join('；');
  }
  return String(v);
}

/** Fields of 详情 whose values are codes the console names (the dictionary prefix of their names). */
export const VALUE_NAMES: Record<string, string> = {
  model: 'an.model',
  op: 'mal.op',
  severity: 'mal.severity',
  family: 'tagFamily',
  channel: 'content.channel',
  purpose: 'content.purpose',
  template_status: 'content.status',
  previous_status: 'content.status',
};

/** Fields of 详情 whose values are identifiers (metric keys, key prefixes, org codes): data, shown monospace. */
export const IDENTIFIER_FIELDS = new Set(['key', 'prefix', 'org_code', 'org_codes']);

/** 详情 as `[label, text, field]` triples in the entry's order; the object's name is shown as the object already.
 * A coded value (see VALUE_NAMES) is shown by its name when `valueName` knows one. */
export function detailFields(
  detail: AuditEntry['detail'],
  fieldName: (key: string) => string,
  yesNo: (b: boolean) => string,
  { skipName = true, valueName }: { skipName?: boolean; valueName?: (prefix: string, raw: string) => string } = {},
): [string, string, string][] {
  if (!detail) return [];
  return Object.entries(detail)
    .filter(([k]) => !(skipName && k === 'name'))
    .map(([k, v]) => {
      const prefix = VALUE_NAMES[k];
      const text = prefix && valueName && typeof v === 'string' && v ? valueName(prefix, v) : valueText(v, yesNo);
      return [fieldName(k), text, k];
    });
}

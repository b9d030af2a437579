/** Server error paths → the editor's fields, so a 422 shows next to what it is about. */
import { groupByField } from '../../../monitor/alerts/forms';
import { KINDS } from './rules';

const HEADER = ['key', 'name', 'family', 'description', 'owner_org', 'enabled'];
const RULE_FIELDS = [
  'field', 'bands', 'mapping', 'source', 'event', 'filters', 'agg', 'property', 'window', 'default',
  'recency_days', 'frequency', 'monetary', 'measure', 'model', 'value_type',
];

/**
 * The editor field of a server error path: `rule.aggregate.bands` (pydantic names the rule kind) and
 * `rule.bands` (the compiler does not) both go to `bands`, `rule.cases.2.when.field` to `cases.2`,
 * `rule.window.last_days` to `window`, `key` to `key`; anything else to `''` (shown above the form).
 */
export function editorField(path: string): string {
  const parts = path.split('.').filter(Boolean);
  if (parts.length === 0) return '';
  if (parts[0] !== 'rule') return HEADER.includes(parts[0]) ? parts[0] : '';
  let rest = parts.slice(1);
  if (rest.length && (KINDS as readonly string[]).includes(rest[0])) rest = rest.slice(1);
  if (rest.length === 0 || rest[0] === 'kind') return 'kind';
  if (rest[0] === 'cases') return /^\d+$/.test(rest[1] ?? '') ? `cases.${rest[1]}` : 'cases';
  return RULE_FIELDS.includes(rest[0]) ? rest[0] : 'kind';
}

/** Server messages by editor field (unknown paths under `''`). */
export function errorsByField(byPath: Record<string, string[]>): Record<string, string[]> {
  return groupByField(byPath, editorField);
}

/** Pydantic's "Value error, " prefix says nothing to a bank user. */
export function tidyMessage(msg: string): string {
  return msg.replace(/^Value error, /, '');
}

const IMPORT_REASONS: [RegExp, string][] = [
  [/^missing value or longer than 64 characters$/, 'tagEditor.import.r.value'],
  [/^'(.*)' is not a number$/, 'tagEditor.import.r.number'],
  [/^duplicate customer id$/, 'tagEditor.import.r.duplicate'],
  [/^no such customer in your scope$/, 'tagEditor.import.r.customer'],
  [/^the file is not UTF-8 text$/, 'tagEditor.import.r.encoding'],
];

/** The message key (and its `value`) of a known reason an import rejected a row; null for others (shown as is). */
export function importReason(reason: string): { key: string; value?: string } | null {
  for (const [pattern, key] of IMPORT_REASONS) {
    const m = pattern.exec(reason);
    if (m) return { key, value: m[1] };
  }
  return null;
}

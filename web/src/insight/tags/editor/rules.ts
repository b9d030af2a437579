/** Pure helpers of the tag editor: rule drafts per kind, form ↔ definition JSON, checks before sending. */
import type {
  AggregateRule,
  AttributeRule,
  Catalogue,
  Condition,
  FieldInfo,
  PropertyFilter,
  RfmRule,
  TagAgg,
  TagCase,
  TagFamily,
  TagKind,
  TagRule,
  TimingRule,
  Window,
} from '../../../api/insight';
import { isComplete } from '../../segments/tree';
import { bandIssues, cleanBands } from './bands';

export const KINDS: readonly TagKind[] = ['attribute', 'aggregate', 'rfm', 'lifecycle', 'timing', 'rule', 'model', 'imported'];
export const FAMILIES: readonly TagFamily[] = ['business_value', 'preference', 'lifecycle', 'timing', 'model', 'imported'];
export const AGGS: readonly TagAgg[] = ['count', 'sum', 'avg', 'min', 'max', 'distinct', 'first', 'last', 'mode'];
/** Aggregates over a number property only. */
export const NUMERIC_AGGS = new Set<TagAgg>(['sum', 'avg', 'min', 'max']);
/** Aggregates whose result is a number (so it can be banded). */
export const NUMBER_RESULT_AGGS = new Set<TagAgg>(['count', 'distinct', 'sum', 'avg', 'min', 'max']);
export const LIFECYCLE_STAGES = ['潜客', '新客', '成长', '成熟', '沉睡', '流失'] as const;
export const KEY_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;

/** The family a kind usually belongs to (suggested when a new tag's kind is chosen). */
export const KIND_FAMILY: Partial<Record<TagKind, TagFamily>> = {
  lifecycle: 'lifecycle',
  timing: 'timing',
  rfm: 'business_value',
  model: 'model',
  imported: 'imported',
};

/** A problem found before sending: the form field it belongs to, a message key and its parameters. */
export interface RuleIssue {
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

/** A fresh rule of a kind, pre-filled where the catalogue offers a sensible first choice. */
export function defaultRule(kind: TagKind, catalogue?: Catalogue): TagRule {
  const window: Window = { last_days: 30 };
  switch (kind) {
    case 'attribute':
      return { kind, field: catalogue?.attributes.find((a) => a.type === 'number')?.key ?? '', bands: null, mapping: null };
    case 'aggregate':
      return { kind, source: 'events', event: null, filters: [], agg: 'count', property: null, window, bands: null };
    case 'rfm':
      return { kind, source: 'transactions', event: null, filters: [], property: 'amount', window: { last_days: 90 } };
    case 'lifecycle':
      return { kind, cases: [{ value: LIFECYCLE_STAGES[0], when: { type: 'group', op: 'and', conditions: [] } }], default: null };
    case 'timing':
      return { kind, measure: 'active_hour', event: 'login', window: { last_days: 90 } };
    case 'rule':
      return { kind, cases: [{ value: '', when: { type: 'group', op: 'and', conditions: [] } }], default: null };
    case 'model':
      return { kind, model: null, value_type: 'number' };
    case 'imported':
      return { kind, value_type: 'string' };
  }
}

/** A condition as the editor's group tree (a single condition becomes a group of one). */
export function asGroup(when: Condition): Condition {
  return when.type === 'group' ? when : { type: 'group', op: 'and', conditions: [when] };
}

/** The condition as sent: a group of one is the condition itself (undoes `asGroup`, so an unchanged rule stays equal). */
export function unwrapGroup(when: Condition): Condition {
  return when.type === 'group' && when.conditions.length === 1 ? when.conditions[0] : when;
}

/** A rule as the server gives it (defaults dropped when null) as a complete draft of its kind. */
export function fromRule(raw: unknown): TagRule {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const kind = r.kind as TagKind;
  if (!KINDS.includes(kind)) throw new Error(`unknown kind: ${String(r.kind)}`);
  const base = defaultRule(kind) as unknown as Record<string, unknown>;
  const merged = { ...base, ...r } as Record<string, unknown>;
  if ((kind === 'rule' || kind === 'lifecycle') && Array.isArray(merged.cases)) {
    merged.cases = (merged.cases as TagCase[]).map((c) => ({ ...c, when: asGroup(c.when) }));
  }
  return merged as unknown as TagRule;
}

const blank = (v: unknown) => v === null || v === undefined || v === '';

function cleanFilters(filters: PropertyFilter[]): PropertyFilter[] {
  return filters.filter((f) => f.property).map((f) => (f.value === undefined ? { property: f.property, op: f.op } : f));
}

function cleanWindow(w: Window): Window {
  return blank(w.last_days) ? { start: w.start ?? null, end: w.end ?? null } : { last_days: w.last_days };
}

/** The definition JSON sent to the server: empty optional fields dropped, bands cleaned, kind-specific fields only. */
export function toDefinition(rule: TagRule): TagRule {
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => !blank(v)));
  switch (rule.kind) {
    case 'attribute': {
      const out: AttributeRule = { kind: 'attribute', field: rule.field };
      if (rule.bands) out.bands = cleanBands(rule.bands);
      else if (rule.mapping) out.mapping = rule.mapping;
      return out;
    }
    case 'aggregate':
      return drop({
        ...rule,
        event: rule.event,
        filters: cleanFilters(rule.filters),
        property: rule.agg === 'count' ? null : rule.property,
        window: cleanWindow(rule.window),
        bands: rule.bands ? cleanBands(rule.bands) : null,
      }) as unknown as AggregateRule;
    case 'rfm':
      return drop({ ...rule, filters: cleanFilters(rule.filters), window: cleanWindow(rule.window) }) as unknown as RfmRule;
    case 'timing':
      return drop({ ...rule, event: rule.measure === 'payday' ? null : rule.event, window: cleanWindow(rule.window) }) as unknown as TimingRule;
    case 'rule':
    case 'lifecycle':
      return drop({ ...rule, cases: rule.cases.map((c) => ({ value: c.value.trim(), when: unwrapGroup(c.when) })), default: rule.default?.trim() }) as unknown as TagRule;
    case 'model':
      return drop({ ...rule }) as unknown as TagRule;
    case 'imported':
      return { ...rule };
  }
}

/** Properties of an event (or of transactions) from the catalogue. */
export function propertiesOf(catalogue: Catalogue | undefined, source: 'events' | 'transactions', event: string | null | undefined): FieldInfo[] {
  if (!catalogue) return [];
  if (source === 'transactions') return catalogue.transaction_properties;
  return catalogue.events.find((e) => e.name === event)?.properties ?? [];
}

function windowIssues(w: Window, field = 'window'): RuleIssue[] {
  if (!blank(w.last_days)) {
    const n = Number(w.last_days);
    return Number.isInteger(n) && n >= 1 && n <= 3660 ? [] : [{ field, code: 'tagEditor.err.days' }];
  }
  if (!w.start || !w.end) return [{ field, code: 'tagEditor.err.windowDates' }];
  return w.start > w.end ? [{ field, code: 'tagEditor.err.windowOrder' }] : [];
}

function bandRuleIssues(bands: AttributeRule['bands']): RuleIssue[] {
  if (!bands) return [];
  return bandIssues(bands).map((i) => ({
    field: 'bands',
    code: `tagEditor.band.${i.code}`,
    params: { ...(i.params ?? {}), row: i.index === null ? '' : i.index + 1 },
  }));
}

function caseIssues(cases: TagCase[], lifecycle: boolean): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (cases.length === 0) out.push({ field: 'cases', code: 'tagEditor.err.noCases' });
  cases.forEach((c, i) => {
    const value = c.value.trim();
    if (!value) out.push({ field: `cases.${i}`, code: 'tagEditor.err.caseValue' });
    else if (lifecycle && !(LIFECYCLE_STAGES as readonly string[]).includes(value)) {
      out.push({ field: `cases.${i}`, code: 'tagEditor.err.stage', params: { value } });
    }
    const when = c.when;
    if (when.type === 'group' && when.conditions.length === 0) out.push({ field: `cases.${i}`, code: 'tagEditor.err.caseEmpty' });
    else if (!isComplete(when)) out.push({ field: `cases.${i}`, code: 'tagEditor.err.caseIncomplete' });
  });
  return out;
}

/** Problems a user can fix before sending (the server checks the rest against the catalogue). */
export function ruleIssues(rule: TagRule, catalogue?: Catalogue): RuleIssue[] {
  switch (rule.kind) {
    case 'attribute': {
      const out: RuleIssue[] = [];
      const info = catalogue?.attributes.find((a) => a.key === rule.field);
      if (!rule.field) out.push({ field: 'field', code: 'tagEditor.err.required' });
      if (rule.bands && info && info.type !== 'number') out.push({ field: 'bands', code: 'tagEditor.err.bandsNeedNumber' });
      if (rule.mapping) {
        const entries = Object.entries(rule.mapping);
        if (entries.length === 0 || entries.some(([k, v]) => !k.trim() || !v.trim())) out.push({ field: 'mapping', code: 'tagEditor.err.mapping' });
      }
      return [...out, ...bandRuleIssues(rule.bands)];
    }
    case 'aggregate': {
      const out: RuleIssue[] = [];
      if (rule.agg !== 'count' && !['first', 'last'].includes(rule.agg) && !rule.property) {
        out.push({ field: 'property', code: 'tagEditor.err.property' });
      }
      const info = propertiesOf(catalogue, rule.source, rule.event).find((p) => p.key === rule.property);
      if (rule.property && info && NUMERIC_AGGS.has(rule.agg) && info.type !== 'number') {
        out.push({ field: 'property', code: 'tagEditor.err.numberProperty' });
      }
      if (rule.bands && !NUMBER_RESULT_AGGS.has(rule.agg)) out.push({ field: 'bands', code: 'tagEditor.err.bandsNeedNumber' });
      rule.filters.forEach((f, i) => {
        if (!f.property) out.push({ field: 'filters', code: 'tagEditor.err.filter', params: { row: i + 1 } });
      });
      return [...out, ...windowIssues(rule.window), ...bandRuleIssues(rule.bands)];
    }
    case 'rfm': {
      const out = windowIssues(rule.window);
      if (!rule.property) out.push({ field: 'property', code: 'tagEditor.err.property' });
      for (const k of ['recency_days', 'frequency', 'monetary'] as const) {
        const v = rule[k];
        if (!blank(v) && Number(v) < 0) out.push({ field: k, code: 'tagEditor.err.negative' });
      }
      return out;
    }
    case 'lifecycle':
    case 'rule':
      return caseIssues(rule.cases, rule.kind === 'lifecycle');
    case 'timing':
      return windowIssues(rule.window);
    default:
      return [];
  }
}

/** Problems of the fields around the rule (key, name). */
export function headerIssues(h: { key: string; name: string }, creating: boolean): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (creating && !KEY_PATTERN.test(h.key)) out.push({ field: 'key', code: 'tagEditor.err.key' });
  if (!h.name.trim()) out.push({ field: 'name', code: 'tagEditor.err.required' });
  return out;
}

/** The definition as pretty JSON for the "高级 (JSON)" tab. */
export function ruleJson(rule: TagRule): string {
  return JSON.stringify(toDefinition(rule), null, 2);
}

/** Text of the JSON tab back to a rule draft, or the reason it cannot be one. */
export function parseRuleJson(text: string): { rule: TagRule } | { error: string; params?: Record<string, string> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: 'tagEditor.json.syntax', params: { msg: e instanceof Error ? e.message : String(e) } };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'tagEditor.json.notObject' };
  const kind = (value as { kind?: unknown }).kind;
  if (!KINDS.includes(kind as TagKind)) return { error: 'tagEditor.json.kind', params: { kind: String(kind) } };
  return { rule: fromRule(value) };
}

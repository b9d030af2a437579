/**
 * Pure helpers of the analytics filters: operators per type, completeness, short summaries, and the
 * conversion between what the form edits and the `customers` / `filters` / `exclusions` a query sends.
 */
import type {
  AnalyticsAttributeFilter,
  AnalyticsCustomerFilter,
  AnalyticsOp,
  AnalyticsPropertyFilter,
  FunnelExclusion,
  FunnelMode,
  GroupBy,
  Population,
} from '../../api/analytics';
import type { Me } from '../../auth/me';
import type { Catalogue, FieldInfo, FieldType, Value } from '../../api/insight';
import { LIST_OPS, NO_VALUE_OPS, valueComplete } from '../../common/conditionValues';

export type AttributeKind = 'text' | 'number' | 'date';

/** How each attribute analytics accepts is compared (the backend's `ATTRIBUTES`). */
export const ATTRIBUTE_KINDS: Record<string, AttributeKind> = {
  gender: 'text',
  province: 'text',
  city: 'text',
  occupation: 'text',
  income_band: 'text',
  risk_level: 'text',
  tier: 'text',
  acquisition_channel: 'text',
  org_code: 'text',
  rm_id: 'text',
  aum: 'number',
  age: 'number',
  open_date: 'date',
  birth_date: 'date',
};

/** `between` exists only in the form: it is sent as a `gte` and an `lte` condition. */
export type AttributeOp = AnalyticsOp | 'between';

const ATTRIBUTE_OPS: Record<AttributeKind, AttributeOp[]> = {
  text: ['eq', 'neq', 'in', 'not_in'],
  number: ['gte', 'gt', 'lte', 'lt', 'eq'],
  date: ['between', 'gte', 'lte', 'eq'],
};

const PROPERTY_OPS: Record<FieldType, AnalyticsOp[]> = {
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'],
  string: ['eq', 'neq', 'in', 'not_in', 'contains', 'is_set', 'is_not_set'],
  // Dates inside event properties are text to the query: compared as text.
  date: ['eq', 'neq', 'in', 'not_in', 'contains', 'is_set', 'is_not_set'],
  bool: ['eq', 'neq', 'is_set', 'is_not_set'],
};

export const attributeKind = (attribute: string): AttributeKind => ATTRIBUTE_KINDS[attribute] ?? 'text';

/** Operators offered for a customer attribute, by how it compares. */
export function attributeOps(attribute: string): AttributeOp[] {
  return ATTRIBUTE_OPS[attributeKind(attribute)];
}

/** Operators offered for an event property of this type. */
export function propertyOps(type: FieldType | undefined): AnalyticsOp[] {
  return PROPERTY_OPS[type ?? 'string'];
}

/** The field shape the shared value input needs for an attribute. */
export function attributeField(attribute: string, catalogue?: Catalogue): Pick<FieldInfo, 'type' | 'values'> {
  const kind = attributeKind(attribute);
  const known = catalogue?.attributes.find((a) => a.key === attribute)?.values ?? null;
  return { type: kind === 'text' ? 'string' : kind, values: known };
}

// Property names the analytics query accepts (identifiers, dots for nesting; not the $ columns).
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$/;

/** The properties of one event an analysis may filter or group by. */
export function propertiesOf(catalogue: Catalogue | undefined, event: string | null | undefined): FieldInfo[] {
  if (!event) return [];
  const own = catalogue?.events.find((e) => e.name === event)?.properties ?? [];
  return own.filter((p) => PROPERTY_NAME.test(p.key));
}

// ---- customers ("分析对象")

export interface AttributeRow {
  attribute: string;
  op: AttributeOp;
  value: Value;
}

export interface TagRow {
  tag: string;
  value: string | null;
}

export interface CustomerFilterState {
  attributes: AttributeRow[];
  tags: TagRow[];
  segment_ids: string[];
}

export const NO_CUSTOMER_FILTER: CustomerFilterState = { attributes: [], tags: [], segment_ids: [] };

export function isEmptyCustomers(s: CustomerFilterState): boolean {
  return s.attributes.length === 0 && s.tags.length === 0 && s.segment_ids.length === 0;
}

/** Whether every condition has what it needs, so the query can be sent. */
export function customersComplete(s: CustomerFilterState): boolean {
  return s.attributes.every((a) => a.attribute !== '' && valueComplete(a.op, a.value)) && s.tags.every((t) => t.tag !== '');
}

/** A value typed for how the attribute compares (numbers as numbers, lists kept as lists). */
function typed(kind: AttributeKind | FieldType, v: Value): AnalyticsAttributeFilter['value'] {
  const one = (x: string | number | boolean) => {
    if (kind !== 'number' || typeof x === 'number') return x as string | number | boolean;
    const n = Number(x);
    return Number.isNaN(n) || x === '' ? x : n;
  };
  if (Array.isArray(v)) return v.map((x) => one(x)) as (string | number)[];
  return v === null || v === undefined ? null : one(v);
}

/** The `customers` object of a query (between on a date becomes gte + lte). */
export function customersToQuery(s: CustomerFilterState): AnalyticsCustomerFilter {
  const attributes: AnalyticsAttributeFilter[] = [];
  for (const a of s.attributes) {
    const kind = attributeKind(a.attribute);
    if (a.op === 'between') {
      const [lo, hi] = Array.isArray(a.value) ? a.value : [];
      attributes.push({ attribute: a.attribute, op: 'gte', value: typed(kind, lo ?? null) });
      attributes.push({ attribute: a.attribute, op: 'lte', value: typed(kind, hi ?? null) });
    } else {
      attributes.push({ attribute: a.attribute, op: a.op, value: NO_VALUE_OPS.has(a.op) ? null : typed(kind, a.value) });
    }
  }
  return {
    attributes,
    tags: s.tags.map((t) => (t.value ? { tag: t.tag, value: t.value } : { tag: t.tag })),
    segment_ids: [...s.segment_ids],
  };
}

/** What the form edits for a query's `customers` (a date's gte followed by lte is shown as one range). */
export function customersFromQuery(q: AnalyticsCustomerFilter | null | undefined): CustomerFilterState {
  if (!q) return NO_CUSTOMER_FILTER;
  const rows: AttributeRow[] = [];
  const src = q.attributes ?? [];
  for (let i = 0; i < src.length; i++) {
    const a = src[i];
    const next = src[i + 1];
    if (attributeKind(a.attribute) === 'date' && a.op === 'gte' && next?.attribute === a.attribute && next.op === 'lte') {
      rows.push({ attribute: a.attribute, op: 'between', value: [a.value as string, next.value as string] });
      i++;
      continue;
    }
    rows.push({ attribute: a.attribute, op: a.op, value: (a.value ?? null) as Value });
  }
  return {
    attributes: rows,
    tags: (q.tags ?? []).map((t) => ({ tag: t.tag, value: t.value ?? null })),
    segment_ids: (q.segment_ids ?? []).map(String),
  };
}

/** A value as the summary shows it. */
export function formatValue(op: string, v: Value | undefined): string {
  if (NO_VALUE_OPS.has(op) || v === null || v === undefined) return '';
  if (op === 'between' && Array.isArray(v)) return `${v[0] ?? ''} ~ ${v[1] ?? ''}`;
  if (Array.isArray(v)) return v.join('、');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

export interface SummaryLabels {
  all: string;
  attribute: (key: string) => string;
  op: (op: string) => string;
  tag: (key: string) => string;
  segment: (id: string) => string;
  more: (n: number) => string;
  /** A condition still being filled in (no attribute or tag chosen yet), instead of a bare operator. */
  pending?: string;
}

/** One line naming the chosen customers: the first conditions in words, then "+N". */
export function summarizeCustomers(s: CustomerFilterState, l: SummaryLabels, shown = 2): string {
  const parts = [
    ...s.attributes.map((a) =>
      a.attribute ? [l.attribute(a.attribute), l.op(a.op), formatValue(a.op, a.value)].filter(Boolean).join(' ') : (l.pending ?? '…'),
    ),
    ...s.tags.map((t) => (!t.tag ? (l.pending ?? '…') : t.value ? `${l.tag(t.tag)}=${t.value}` : l.tag(t.tag))),
    ...s.segment_ids.map((id) => l.segment(id)),
  ];
  if (parts.length === 0) return l.all;
  const head = parts.slice(0, shown).join('；');
  return parts.length > shown ? `${head} ${l.more(parts.length - shown)}` : head;
}

// ---- event property filters

/** Whether every property filter is filled in. */
export function propertyFiltersComplete(filters: AnalyticsPropertyFilter[] | undefined): boolean {
  return (filters ?? []).every((f) => f.property !== '' && valueComplete(f.op, (f.value ?? null) as Value));
}

/** Filters as sent: numbers typed for numeric properties, no value for is_set / is_not_set. */
export function propertyFiltersToQuery(filters: AnalyticsPropertyFilter[] | undefined, properties: FieldInfo[]): AnalyticsPropertyFilter[] {
  return (filters ?? []).map((f) => {
    if (NO_VALUE_OPS.has(f.op)) return { property: f.property, op: f.op, value: null };
    const type = properties.find((p) => p.key === f.property)?.type ?? 'string';
    const value = typed(type, (f.value ?? null) as Value);
    return { property: f.property, op: f.op, value: LIST_OPS.has(f.op) && !Array.isArray(value) ? [value as string] : value };
  });
}

/** A new filter row on the event's first property. */
export function newPropertyFilter(properties: FieldInfo[]): AnalyticsPropertyFilter {
  const p = properties[0];
  return { property: p?.key ?? '', op: propertyOps(p?.type)[0], value: null };
}

/** An event spec with its filters ready to send (filters omitted when there are none). */
export function eventSpec(event: string, filters: AnalyticsPropertyFilter[] | undefined, catalogue?: Catalogue) {
  const list = propertyFiltersToQuery(filters, propertiesOf(catalogue, event));
  return list.length ? { event, filters: list } : { event };
}

// ---- funnel exclusions and group-by

export interface ExclusionRow {
  event: string;
  filters: AnalyticsPropertyFilter[];
  from_step: number;
  to_step: number;
}

/** Exclusions as sent: only ordered funnels take them, and each lies between two existing steps. */
export function exclusionsToQuery(rows: ExclusionRow[], mode: FunnelMode, steps: number, catalogue?: Catalogue): FunnelExclusion[] {
  if (mode !== 'ordered') return [];
  return rows
    .filter((x) => x.event && x.from_step >= 1 && x.from_step < x.to_step && x.to_step <= steps)
    .map((x) => ({ ...eventSpec(x.event, x.filters, catalogue), from_step: x.from_step, to_step: x.to_step }));
}

/** Exclusion rows the form edits for a query's exclusions (no to_step: up to the last step). */
export function exclusionsFromQuery(list: FunnelExclusion[] | undefined, steps: number): ExclusionRow[] {
  return (list ?? []).map((x) => ({
    event: x.event,
    filters: x.filters ?? [],
    from_step: x.from_step,
    to_step: x.to_step ?? steps,
  }));
}

/** After steps change, keep each exclusion between steps that still exist. */
export function clampExclusions(rows: ExclusionRow[], steps: number): ExclusionRow[] {
  return rows.map((x) => {
    const to = Math.min(Math.max(x.to_step, 2), steps);
    return { ...x, to_step: to, from_step: Math.min(Math.max(x.from_step, 1), to - 1) };
  });
}

/** A group-by as one select value: `attribute:tier` or `property:channel`. */
export function encodeGroup(g: GroupBy | null | undefined): string | undefined {
  return g ? `${g.kind}:${g.name}` : undefined;
}

export function decodeGroup(v: string | undefined): GroupBy | null {
  if (!v) return null;
  const i = v.indexOf(':');
  const kind = v.slice(0, i);
  return kind === 'attribute' || kind === 'property' ? { kind, name: v.slice(i + 1) } : null;
}

/** Models over events, where unidentified users can be counted; the others read customer data only. */
export const POPULATION_MODELS: ReadonlySet<string> = new Set([
  'trends', 'funnel', 'retention', 'paths', 'attribution', 'distribution', 'interval',
]);

/** Whether a user sees the whole bank (the server's "all" scope: head office, not a relationship manager). */
export function seesWholeBank(me: Pick<Me, 'orgCode' | 'roleId'> | null | undefined): boolean {
  return !!me && me.orgCode === 'HQ' && me.roleId !== 'rm';
}

/** The `population` a query of `model` sends: only event models carry it, and only a whole-bank user's choice. */
export function populationToQuery(model: string, population: Population, wholeBank: boolean): { population?: Population } {
  return POPULATION_MODELS.has(model) && wholeBank && population === 'all_users' ? { population } : {};
}

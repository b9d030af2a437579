/**
 * The side panel's form of each node type, as data: which fields, of which kind (a kind decides the input and
 * the catalogue list it picks from), and the pure edits the inputs make. Ids are always picked, never typed.
 */
import type { DraftNode, StrategyCatalogue } from '../api/strategy';

export type FieldKind =
  | 'segment'
  | 'event'
  | 'filters'
  | 'duration'
  | 'number'
  | 'percent'
  | 'hour'
  | 'text'
  | 'strings'
  | 'channel'
  | 'template'
  | 'purpose'
  | 'product_risk'
  | 'benefit'
  | 'manual_tag'
  | 'tag_action'
  | 'custom_attribute'
  | 'hhmm'
  | 'weekdays'
  | 'date'
  | 'per'
  | 'overflow'
  | 'branches'
  | 'variants'
  | 'send_node'
  | 'reentry'
  | 'schedule'
  | 'value';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  required?: boolean;
  min?: number;
  max?: number;
}

const REENTRY: FieldSpec = { key: 'reentry', kind: 'reentry' };

export const FIELDS: Record<string, FieldSpec[]> = {
  segment_entry: [{ key: 'segment_id', kind: 'segment', required: true }, { key: 'recurring', kind: 'schedule' }, REENTRY],
  event_entry: [{ key: 'event', kind: 'event', required: true }, { key: 'filters', kind: 'filters' }, REENTRY],
  api_entry: [{ key: 'payload_keys', kind: 'strings' }, REENTRY],
  condition_split: [{ key: 'branches', kind: 'branches', required: true }],
  wait_event: [
    { key: 'event', kind: 'event', required: true },
    { key: 'filters', kind: 'filters' },
    { key: 'within_seconds', kind: 'duration', required: true, min: 60 },
  ],
  ab_split: [{ key: 'variants', kind: 'variants', required: true }],
  result_split: [
    { key: 'send_node', kind: 'send_node', required: true },
    { key: 'wait_seconds', kind: 'duration', min: 0 },
  ],
  delay: [{ key: 'seconds', kind: 'duration', required: true, min: 1 }],
  wait_until: [
    { key: 'at', kind: 'hhmm', required: true },
    { key: 'weekdays', kind: 'weekdays' },
    { key: 'on_date', kind: 'date' },
  ],
  time_window: [
    { key: 'start', kind: 'hhmm', required: true },
    { key: 'end', kind: 'hhmm', required: true },
    { key: 'weekdays', kind: 'weekdays' },
  ],
  rate_limit: [
    { key: 'limit', kind: 'number', required: true, min: 1 },
    { key: 'per', kind: 'per', required: true },
    { key: 'overflow', kind: 'overflow', required: true },
  ],
  goal: [
    { key: 'event', kind: 'event', required: true },
    { key: 'filters', kind: 'filters' },
    { key: 'window_seconds', kind: 'duration', required: true, min: 3600 },
  ],
  exit: [],
  send: [
    { key: 'channel', kind: 'channel', required: true },
    { key: 'template_id', kind: 'template', required: true },
    { key: 'purpose', kind: 'purpose', required: true },
    { key: 'product_risk', kind: 'product_risk' },
  ],
  benefit: [{ key: 'benefit_id', kind: 'benefit', required: true }],
  tag: [
    { key: 'tag', kind: 'manual_tag', required: true },
    { key: 'action', kind: 'tag_action', required: true },
    { key: 'value', kind: 'text' },
  ],
  set_attribute: [{ key: 'field', kind: 'custom_attribute', required: true }, { key: 'value', kind: 'value' }],
  webhook: [{ key: 'url', kind: 'text', required: true }, { key: 'include', kind: 'strings' }],
  rm_task: [
    { key: 'template_id', kind: 'template', required: true },
    { key: 'due_days', kind: 'number', required: true, min: 1, max: 90 },
  ],
  propensity: [
    { key: 'target_event', kind: 'event', required: true },
    { key: 'top_percent', kind: 'percent' },
    { key: 'min_score', kind: 'number', min: 0, max: 1 },
  ],
  best_time: [
    { key: 'default_hour', kind: 'hour', required: true },
    { key: 'max_wait_seconds', kind: 'duration', required: true, min: 3600 },
  ],
};

function empty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Required fields still empty (shown before the server is asked). */
export function missingFields(node: DraftNode): string[] {
  return (FIELDS[node.type] ?? []).filter((f) => f.required && empty(node[f.key])).map((f) => f.key);
}

/** The node with one field set (removed when the value is empty and the field optional). */
export function setField(node: DraftNode, key: string, value: unknown): DraftNode {
  const spec = (FIELDS[node.type] ?? []).find((f) => f.key === key);
  const next: DraftNode = { ...node };
  if (empty(value) && !spec?.required && !Array.isArray(value)) delete next[key];
  else next[key] = value;
  // A send's template belongs to its channel: changing the channel forgets it.
  if (node.type === 'send' && key === 'channel' && value !== node.channel) delete next.template_id;
  // A tag's value is for adding; removing a tag removes it whatever its value.
  if (node.type === 'tag' && key === 'action' && value === 'remove') delete next.value;
  return next;
}

/** The product risk levels a Send node may carry (适当性: checked per customer at send). */
export const PRODUCT_RISKS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;

export type DurationUnit = 'minutes' | 'hours' | 'days';
const UNIT_SECONDS: Record<DurationUnit, number> = { minutes: 60, hours: 3600, days: 86400 };

/** Seconds as the largest whole unit (3 days, 90 minutes). */
export function durationParts(seconds: number | null | undefined): { value: number | null; unit: DurationUnit } {
  if (seconds === null || seconds === undefined) return { value: null, unit: 'days' };
  for (const unit of ['days', 'hours', 'minutes'] as DurationUnit[]) {
    if (seconds % UNIT_SECONDS[unit] === 0) return { value: seconds / UNIT_SECONDS[unit], unit };
  }
  return { value: Math.round(seconds / 60), unit: 'minutes' };
}

export function toSeconds(value: number | null, unit: DurationUnit): number | null {
  return value === null ? null : Math.round(value * UNIT_SECONDS[unit]);
}

/** The next free branch / variant label (`b2`, `C`). */
export function nextLabel(existing: string[], kind: 'branch' | 'variant'): string {
  if (kind === 'variant') {
    for (const c of 'ABCDEFGHIJ') if (!existing.includes(c)) return c;
    return `V${existing.length + 1}`;
  }
  for (let i = 1; ; i += 1) if (!existing.includes(`b${i}`)) return `b${i}`;
}

/** Splits 100% evenly over n variants (the last one takes the rounding). */
export function evenPercents(n: number): number[] {
  const each = Math.floor(100 / n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? 100 - each * (n - 1) : each));
}

/** The properties a trigger condition may read: the entry events' properties and the API payload keys. */
export function triggerProperties(nodes: DraftNode[], catalogue: StrategyCatalogue | undefined): string[] {
  const keys = new Set<string>();
  for (const n of nodes) {
    if (n.type === 'event_entry') {
      for (const p of catalogue?.events.find((e) => e.name === n.event)?.properties ?? []) keys.add(p.key);
    }
    if (n.type === 'api_entry' && Array.isArray(n.payload_keys)) for (const k of n.payload_keys) keys.add(String(k));
  }
  return [...keys].sort();
}

/** Send nodes a result split may look at (any other send node; the server checks it is upstream). */
export function sendNodes(nodes: DraftNode[], self: string): DraftNode[] {
  return nodes.filter((n) => n.type === 'send' && n.id !== self);
}

/** Tags a 打标签 node may set: the manual ones only. */
export function manualTags(catalogue: StrategyCatalogue | undefined) {
  return (catalogue?.tags ?? []).filter((t) => t.manual);
}

/** Attributes a 更新属性 node may set: the bank's declared (custom) ones only. */
export function customAttributes(catalogue: StrategyCatalogue | undefined) {
  return (catalogue?.attributes ?? []).filter((a) => a.custom);
}

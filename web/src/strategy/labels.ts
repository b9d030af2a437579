/** What a node shows on the canvas: its title, a one-line summary of its settings, outcome and problem texts. */
import type { DraftNode, Problem, StrategyCatalogue } from '../api/strategy';
import type { Catalogue } from '../api/insight';
import type { Lang, MessageKey, TFunction } from '../i18n';
import { attributeLabel, eventLabel } from '../insight/segments/labels';
import { durationParts } from './forms';

/** A key built at run time (node types, outcomes, codes): the dictionaries hold every one of them. */
export function tk(t: TFunction, key: string, params?: Record<string, string | number>): string {
  return t(key as MessageKey, params);
}

export interface Lookup {
  segment: (id: unknown) => string;
  event: (name: unknown) => string;
  template: (channel: unknown, id: unknown) => string;
  attribute: (key: unknown) => string;
  tag: (key: unknown) => string;
  benefit: (id: unknown) => string;
}

/** Names of what nodes refer to, in the console language where the dictionary knows them. */
export function makeLookup(c: StrategyCatalogue | undefined, lang: Lang = 'zh'): Lookup {
  const or = (v: unknown, found: string | undefined) => found ?? (v === undefined || v === null ? '' : String(v));
  const cat = c as unknown as Catalogue | undefined;
  return {
    segment: (id) => or(id, c?.segments.find((s) => s.id === id)?.name),
    event: (name) => (typeof name === 'string' && name ? eventLabel(lang, name, cat) : ''),
    template: (channel, id) => or(id, c?.templates[String(channel)]?.find((x) => x.id === id)?.name),
    attribute: (key) => (typeof key === 'string' && key ? attributeLabel(lang, key, cat) : ''),
    tag: (key) => or(key, c?.tags.find((x) => x.key === key)?.name),
    benefit: (id) => or(id, c?.benefits.find((b) => b.id === id)?.name),
  };
}

export function nodeTitle(node: DraftNode, t: TFunction): string {
  return (typeof node.title === 'string' && node.title) || tk(t, `strategy.node.${node.type}`);
}

/** The text of one outcome of a node (condition branches by position, variants with their share). */
export function outcomeText(node: DraftNode, label: string, t: TFunction): string {
  if (node.type === 'condition_split' && label !== 'else' && Array.isArray(node.branches)) {
    const i = node.branches.findIndex((b) => (b as { label?: string }).label === label);
    return tk(t, 'strategy.branch', { n: i + 1 });
  }
  if (node.type === 'ab_split' && Array.isArray(node.variants)) {
    const v = node.variants.find((x) => (x as { label?: string }).label === label) as { percent?: number } | undefined;
    return v ? `${label} ${v.percent ?? ''}%` : label;
  }
  return tk(t, `strategy.label.${label}`);
}

export function durationText(seconds: unknown, t: TFunction): string {
  if (typeof seconds !== 'number') return '';
  const { value, unit } = durationParts(seconds);
  return tk(t, `strategy.unit.${unit}.n`, { n: value ?? 0 });
}

const OPS: Record<string, string> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };

function conditionText(c: unknown, lookup: Lookup, t: TFunction): string {
  if (!c || typeof c !== 'object') return '';
  const x = c as Record<string, unknown>;
  const op = (o: unknown) => OPS[String(o)] ?? tk(t, `strategy.op.${String(o)}`);
  const val = (v: unknown) => (Array.isArray(v) ? v.join('~') : v === null || v === undefined ? '' : String(v));
  switch (x.type) {
    case 'attribute':
      return `${lookup.attribute(x.field)} ${op(x.op)} ${val(x.value)}`;
    case 'tag':
      return `${lookup.tag(x.tag)} ${op(x.op)} ${val(x.value)}`;
    case 'segment':
      return `${x.member === false ? tk(t, 'strategy.notIn') : tk(t, 'strategy.in')} ${lookup.segment(x.segment_id)}`;
    case 'trigger':
      return `${tk(t, 'strategy.cond.trigger')}.${String(x.property ?? '')} ${op(x.op)} ${val(x.value)}`;
    default:
      return tk(t, 'strategy.cond.complex');
  }
}

/** One line describing what the node does with its current settings. */
export function summaryOf(node: DraftNode, lookup: Lookup, t: TFunction): string {
  switch (node.type) {
    case 'segment_entry':
      return lookup.segment(node.segment_id);
    case 'event_entry':
      return lookup.event(node.event);
    case 'api_entry':
      return Array.isArray(node.payload_keys) ? node.payload_keys.join(', ') : '';
    case 'condition_split':
      return Array.isArray(node.branches)
        ? node.branches.map((b) => conditionText((b as { condition?: unknown }).condition, lookup, t)).join('; ')
        : '';
    case 'wait_event':
      return `${lookup.event(node.event)} · ${durationText(node.within_seconds, t)}`;
    case 'result_split':
      return `${String(node.send_node ?? '')} · ${durationText(node.wait_seconds, t)}`;
    case 'delay':
      return durationText(node.seconds, t);
    case 'wait_until':
      return String(node.at ?? '');
    case 'time_window':
      return `${String(node.start ?? '')}–${String(node.end ?? '')}`;
    case 'rate_limit':
      return `${String(node.limit ?? '')} / ${tk(t, `strategy.per.${String(node.per ?? 'day')}`)}`;
    case 'goal':
      return `${lookup.event(node.event)} · ${durationText(node.window_seconds, t)}`;
    case 'send':
      return `${tk(t, `strategy.channel.${String(node.channel ?? '')}`)} · ${lookup.template(node.channel, node.template_id)}`;
    case 'rm_task':
      return lookup.template('rm_task', node.template_id);
    case 'benefit':
      return lookup.benefit(node.benefit_id);
    case 'tag':
      return `${tk(t, `strategy.tagAction.${String(node.action ?? 'add')}`)} ${lookup.tag(node.tag)}`;
    case 'set_attribute':
      return `${lookup.attribute(node.field)} = ${String(node.value ?? '')}`;
    case 'webhook':
      return String(node.url ?? '');
    case 'propensity':
      return `${lookup.event(node.target_event)} · ${node.top_percent ? `Top ${String(node.top_percent)}%` : `≥ ${String(node.min_score ?? '')}`}`;
    case 'best_time':
      return tk(t, 'strategy.bestTime.summary', { hour: Number(node.default_hour ?? 10) });
    default:
      return '';
  }
}

/** A validation problem in the console's language (`err.<code>` with its params). */
export function problemText(p: Problem, t: TFunction): string {
  const last = p.field.split('.').filter((x) => !/^\d+$/.test(x)).pop() ?? p.field;
  const fieldKey = `strategy.field.${last}`;
  const field = tk(t, fieldKey);
  const text = tk(t, `err.${p.code}`, { ...p.params, field: field === fieldKey ? last : field });
  return text === `err.${p.code}` ? p.code : text;
}

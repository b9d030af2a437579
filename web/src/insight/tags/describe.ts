/** Pure plain-language summary of a tag rule for the tag drawer: one line per band, mapping entry or case. */
import type { Catalogue, EventSource, TagAgg } from '../../api/insight';
import type { Lang, MessageKey, TFunction } from '../../i18n';
import { translateValue } from '../../i18n/translate';
import { attributeLabel, eventLabel } from '../segments/labels';
import { bandRanges } from './editor/bands';
import { AGGS, propertiesOf } from './editor/rules';

/** What the summary may look names up in: the console language (number style, value labels) and the catalogue. */
export interface DescribeContext {
  lang?: Lang;
  catalogue?: Catalogue;
}

type Obj = Record<string, unknown>;

interface Ctx {
  t: TFunction;
  lang: Lang;
  catalogue?: Catalogue;
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const source = (v: unknown, fallback: EventSource): EventSource => (v === 'events' || v === 'transactions' ? v : fallback);

const SYMBOLS: Record<string, string> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };
const TIMING = ['payday', 'active_hour', 'active_weekday'] as const;

/**
 * A threshold as staff read it: zh `5万`, `1.5亿` when that is exact (else `12,345.6`), en `50,000`.
 */
export function formatLimit(n: number, lang: Lang): string {
  if (!Number.isFinite(n)) return String(n);
  if (lang === 'zh') {
    for (const [unit, suffix] of [[1e8, '亿'], [1e4, '万']] as const) {
      if (Math.abs(n) < unit) continue;
      const q = Number((n / unit).toFixed(4));
      if (Math.abs(q * unit - n) < 1e-6) return `${q}${suffix}`;
    }
  }
  return n.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function valueText(v: unknown, c: Ctx): string {
  if (typeof v === 'number') return formatLimit(v, c.lang);
  if (Array.isArray(v)) return v.map((x) => valueText(x, c)).join(c.t('tagDescribe.listSep'));
  return text(v);
}

/** `≥ 3`, `介于 1–5`, `属于 基金、理财`, `为空`. */
function opText(op: unknown, value: unknown, c: Ctx): string {
  const o = text(op);
  if (SYMBOLS[o]) return `${SYMBOLS[o]} ${valueText(value, c)}`;
  switch (o) {
    case 'between': {
      const [a, b] = list(value);
      return `${c.t('op.between')} ${valueText(a, c)}–${valueText(b, c)}`;
    }
    case 'in':
    case 'not_in':
    case 'contains':
      return `${c.t(`op.${o}`)} ${valueText(value, c)}`;
    case 'is_null':
    case 'is_not_null':
      return c.t(`op.${o}`);
    case 'within_last_days':
      return c.t('tagDescribe.withinDays', { n: valueText(value, c) });
    default:
      return `${o} ${valueText(value, c)}`.trim();
  }
}

/** `近30天`, `2026-01-01 至 2026-03-31`; a missing window is the engine's default of `days`. */
function windowText(w: unknown, days: number, c: Ctx): string {
  if (!isObj(w)) return c.t('tagDescribe.lastDays', { n: days });
  const n = num(w.last_days);
  if (n !== null) return c.t('tagDescribe.lastDays', { n });
  if (w.start && w.end) return c.t('tagDescribe.between', { start: text(w.start), end: text(w.end) });
  return c.t('tagDescribe.anyTime');
}

function eventName(src: EventSource, name: string, c: Ctx): string {
  if (src === 'events') return eventLabel(c.lang, name, c.catalogue);
  const known = translateValue(c.lang, 'txType', name);
  if (known !== name) return known;
  const info = c.catalogue?.transactions.find((e) => e.name === name);
  return info?.label && c.lang === 'zh' ? info.label : name;
}

function propertyName(src: EventSource, event: string | null, key: string, c: Ctx): string {
  const info = propertiesOf(c.catalogue, src, event).find((p) => p.key === key);
  return info?.label && info.label !== key && c.lang === 'zh' ? info.label : key;
}

/** The events or transactions counted, with their property filters: `浏览产品（product_type = 基金）`. */
function sourceWhat(src: EventSource, event: unknown, filters: unknown, c: Ctx): string {
  const ev = text(event) || null;
  const base = ev ? eventName(src, ev, c) : c.t(src === 'transactions' ? 'tagDescribe.anyTx' : 'tagDescribe.anyEvent');
  const fs = list(filters)
    .filter(isObj)
    .map((f) => `${propertyName(src, ev, text(f.property), c)} ${opText(f.op, f.value, c)}`);
  return fs.length ? c.t('tagDescribe.filtered', { what: base, filters: fs.join(c.t('tagDescribe.listSep')) }) : base;
}

/** `次数`, `求和（amount）`, `最近一次（发生日期）`. */
function aggText(agg: TagAgg, property: unknown, src: EventSource, event: unknown, c: Ctx): string {
  const label = c.t(`tagEditor.agg.${agg}`);
  if (agg === 'count') return label;
  const key = text(property);
  const prop = key ? propertyName(src, text(event) || null, key, c) : agg === 'first' || agg === 'last' ? c.t('tagDescribe.date') : '';
  return prop ? c.t('tagDescribe.aggOf', { agg: label, property: prop }) : label;
}

/** `近30天 登录 次数`: what an aggregate (or a behaviour condition) measures. */
function measureText(r: Obj, agg: TagAgg, days: number, c: Ctx): string {
  const src = source(r.source, 'events');
  return c.t('tagDescribe.measure', {
    window: windowText(r.window, days, c),
    what: sourceWhat(src, r.event, r.filters, c),
    agg: aggText(agg, r.property, src, r.event, c),
  });
}

/** One line per band: `资产余额AUM < 5万 → 大众客户`, `5万 ≤ 资产余额AUM < 50万 → 潜力客户`, `… ≥ 600万 → 私行客户`. */
function bandLines(subject: string, raw: unknown[], c: Ctx): string[] {
  const bands = raw.filter(isObj).map((b) => ({ label: text(b.label), lt: num(b.lt) }));
  const f = (n: number) => formatLimit(n, c.lang);
  return bandRanges(bands).map(({ label, lower, upper }) => {
    const range =
      lower === null && upper === null
        ? subject
        : lower === null
          ? `${subject} < ${f(upper as number)}`
          : upper === null
            ? `${subject} ≥ ${f(lower)}`
            : `${f(lower)} ≤ ${subject} < ${f(upper)}`;
    return `${range} → ${label}`;
  });
}

function paren(s: string, c: Ctx): string {
  return c.t('tagDescribe.paren', { text: s });
}

/** A segment condition in words; groups nested below the top are put in brackets. */
export function describeCondition(cond: unknown, t: TFunction, ctx: DescribeContext = {}): string {
  return conditionText(cond, { t, lang: ctx.lang ?? 'zh', catalogue: ctx.catalogue }, true);
}

function conditionText(cond: unknown, c: Ctx, top: boolean): string {
  if (!isObj(cond)) return text(cond) || JSON.stringify(cond ?? null);
  const { t } = c;
  switch (cond.type) {
    case 'attribute':
      return `${attributeLabel(c.lang, text(cond.field), c.catalogue)} ${opText(cond.op, cond.value, c)}`;
    case 'tag': {
      const key = text(cond.tag);
      const name = c.catalogue?.tags.find((g) => g.key === key)?.name ?? key;
      const daysAgo = num(cond.days_ago);
      const when = daysAgo ? t('tagDescribe.daysAgo', { n: daysAgo }) : cond.on_date ? t('tagDescribe.onDate', { date: text(cond.on_date) }) : '';
      return t('tagDescribe.tag', { tag: name, op: opText(cond.op, cond.value, c) }) + when;
    }
    case 'behaviour': {
      const did = cond.did !== false;
      const measure = (AGGS as readonly unknown[]).includes(cond.measure) ? (cond.measure as TagAgg) : 'count';
      const op = cond.op ?? 'gte';
      const value = cond.value ?? 1;
      const src = source(cond.source, 'events');
      if (measure === 'count' && op === 'gte' && value === 1) {
        const window = windowText(cond.window, 30, c);
        return t(did ? 'tagDescribe.did' : 'tagDescribe.didNot', { window, what: sourceWhat(src, cond.event, cond.filters, c) });
      }
      const s = `${measureText({ ...cond, source: src }, measure, 30, c)} ${opText(op, value, c)}`;
      return did ? s : t('tagDescribe.not', { cond: s });
    }
    case 'sequence': {
      const steps = list(cond.steps)
        .filter(isObj)
        .map((s) => sourceWhat('events', s.event, s.filters, c))
        .join(' → ');
      const s = t('tagDescribe.sequence', { window: windowText(cond.window, 30, c), steps, hours: valueText(cond.within_hours, c) });
      return cond.did === false ? t('tagDescribe.not', { cond: s }) : s;
    }
    case 'holding': {
      const pid = text(cond.product_id);
      const ptype = text(cond.product_type);
      const product = pid
        ? (c.catalogue?.products.find((p) => p.product_id === pid)?.name ?? pid)
        : ptype
          ? translateValue(c.lang, 'productType', ptype)
          : t('seg.anyProductType');
      const parts = [`${t(cond.holds === false ? 'seg.holdsNot' : 'seg.holds')} ${product}`];
      if (cond.op && cond.value !== null && cond.value !== undefined) parts.push(`${t('seg.balance')} ${opText(cond.op, cond.value, c)}`);
      const matures = num(cond.matures_within_days);
      if (matures !== null) parts.push(t('tagDescribe.matures', { n: matures }));
      return parts.join(t('tagDescribe.comma'));
    }
    case 'segment':
      return t(cond.member === false ? 'tagDescribe.notSegment' : 'tagDescribe.segment', { id: text(cond.segment_id) });
    case 'list':
      return t(cond.member === false ? 'tagDescribe.notList' : 'tagDescribe.list', { id: text(cond.list_id) });
    case 'group': {
      const parts = list(cond.conditions).map((x) => conditionText(x, c, false));
      if (parts.length === 0) return t('tagDescribe.emptyGroup');
      if (parts.length === 1) return parts[0];
      const joined = parts.join(t(cond.op === 'or' ? 'tagDescribe.or' : 'tagDescribe.and'));
      return top ? joined : paren(joined, c);
    }
    case 'not':
      return t('tagDescribe.not', { cond: conditionText(cond.condition, c, true) });
    default:
      return JSON.stringify(cond);
  }
}

function valueType(v: unknown, c: Ctx): string {
  return v === 'string' || v === 'number' ? c.t(`tagEditor.valueType.${v}`) : text(v);
}

function describe(r: Obj, c: Ctx): string[] {
  const { t } = c;
  switch (r.kind) {
    case 'attribute': {
      const attr = attributeLabel(c.lang, text(r.field), c.catalogue);
      if (Array.isArray(r.bands) && r.bands.length) return bandLines(attr, r.bands, c);
      if (isObj(r.mapping)) {
        const entries = Object.entries(r.mapping).map(([from, to]) => `${attr} = ${from} → ${text(to)}`);
        return [...entries, t('tagDescribe.otherValues')];
      }
      return [t('tagDescribe.value', { what: t('tagDescribe.attr', { attr }) })];
    }
    case 'aggregate': {
      const agg = (AGGS as readonly unknown[]).includes(r.agg ?? 'count') ? ((r.agg ?? 'count') as TagAgg) : null;
      if (!agg) return [];
      const subject = measureText(r, agg, 30, c);
      if (Array.isArray(r.bands) && r.bands.length) return bandLines(subject, r.bands, c);
      return [t('tagDescribe.value', { what: subject })];
    }
    case 'rfm': {
      const src = source(r.source, 'transactions');
      const threshold = (key: MessageKey, v: unknown, unit?: 'tagDescribe.daysN' | 'tagDescribe.timesN') => {
        const n = num(v);
        const shown = n === null ? t('tagDescribe.median') : unit ? t(unit, { n: formatLimit(n, c.lang) }) : formatLimit(n, c.lang);
        return t('tagDescribe.labelValue', { label: t(key), value: shown });
      };
      return [
        t('tagDescribe.rfmBase', {
          window: windowText(r.window, 90, c),
          what: sourceWhat(src, r.event, r.filters, c),
          property: propertyName(src, text(r.event) || null, text(r.property) || 'amount', c),
        }),
        threshold('tagEditor.rfm.recency_days', r.recency_days, 'tagDescribe.daysN'),
        threshold('tagEditor.rfm.frequency', r.frequency, 'tagDescribe.timesN'),
        threshold('tagEditor.rfm.monetary', r.monetary),
        t('tagDescribe.rfmClasses'),
      ];
    }
    case 'timing': {
      const measure = TIMING.find((m) => m === r.measure);
      if (!measure) return [];
      const src: EventSource = measure === 'payday' ? 'transactions' : 'events';
      const event = text(r.event) || (measure === 'payday' ? 'salary' : null);
      return [
        t('tagDescribe.timing', {
          measure: t(`tagEditor.timing.${measure}`),
          window: windowText(r.window, 90, c),
          what: sourceWhat(src, event, [], c),
        }),
      ];
    }
    case 'rule':
    case 'lifecycle': {
      const cases = list(r.cases).filter(isObj);
      if (cases.length === 0) return [];
      const lines = cases.map((k) => `${conditionText(k.when, c, true)} → ${text(k.value)}`);
      const dflt = text(r.default).trim();
      return [...lines, dflt ? t('tagDescribe.otherwise', { value: dflt }) : t('tagDescribe.otherwiseNone')];
    }
    case 'model': {
      const type = valueType(r.value_type ?? 'number', c);
      const model = text(r.model);
      return [model ? t('tagDescribe.modelNamed', { model, type }) : t('tagDescribe.modelAny', { type })];
    }
    case 'imported':
      return [t('tagDescribe.imported', { type: valueType(r.value_type ?? 'string', c) })];
    default:
      return [];
  }
}

/**
 * The rule in plain words, one line per band, mapping entry or case (first match wins, then the default);
 * anything it cannot read (unknown kind, broken shape) gives the single `tagDescribe.unknown` line.
 */
export function describeRule(rule: unknown, t: TFunction, ctx: DescribeContext = {}): string[] {
  if (!isObj(rule)) return [t('tagDescribe.unknown')];
  try {
    const lines = describe(rule, { t, lang: ctx.lang ?? 'zh', catalogue: ctx.catalogue });
    if (lines.length) return lines;
  } catch {
    // A shape the summary does not know: the JSON below stays the reference.
  }
  return [t('tagDescribe.unknown')];
}

import { describe, expect, it } from 'vitest';
import type { Catalogue } from '../../api/insight';
import type { Lang, TFunction } from '../../i18n';
import { translate } from '../../i18n/translate';
import { describeCondition, describeRule, formatLimit } from './describe';

const tOf = (lang: Lang): TFunction => (key, params) => translate(lang, key, params);
const zh = (rule: unknown, catalogue?: Catalogue) => describeRule(rule, tOf('zh'), { lang: 'zh', catalogue });
const en = (rule: unknown, catalogue?: Catalogue) => describeRule(rule, tOf('en'), { lang: 'en', catalogue });

const CATALOGUE: Catalogue = {
  attributes: [],
  events: [{ name: 'wealth_view', label: '浏览理财', properties: [{ key: 'product_type', label: '产品类型', type: 'string', ops: ['eq'] }] }],
  transactions: [],
  transaction_properties: [{ key: 'amount', label: '金额', type: 'number', ops: ['gte'] }],
  product_types: [],
  products: [{ product_id: 'F001', name: '稳健一号', product_type: '基金' }],
  tags: [{ id: 1, key: 'aum_tier', name: 'AUM层级', family: 'business_value', value_type: 'string', ops: ['eq'] }],
  operators: {},
};

const AUM_TIERS = {
  kind: 'attribute',
  field: 'aum',
  bands: [{ label: '大众客户', lt: 50_000 }, { label: '潜力客户', lt: 500_000 }, { label: '财富客户', lt: 6_000_000 }, { label: '私行客户' }],
  mapping: null,
};

describe('formatLimit', () => {
  it('uses 万 and 亿 in Chinese when exact, grouping otherwise and in English', () => {
    expect(formatLimit(50_000, 'zh')).toBe('5万');
    expect(formatLimit(150_000_000, 'zh')).toBe('1.5亿');
    expect(formatLimit(12_345.6, 'zh')).toBe('12,345.6');
    expect(formatLimit(0.01, 'zh')).toBe('0.01');
    expect(formatLimit(365, 'zh')).toBe('365');
    expect(formatLimit(50_000, 'en')).toBe('50,000');
  });
});

describe('describeRule: attribute', () => {
  it('gives one line per band with its range', () => {
    expect(zh(AUM_TIERS)).toEqual([
      '资产余额AUM < 5万 → 大众客户',
      '5万 ≤ 资产余额AUM < 50万 → 潜力客户',
      '50万 ≤ 资产余额AUM < 600万 → 财富客户',
      '资产余额AUM ≥ 600万 → 私行客户',
    ]);
    expect(en(AUM_TIERS)).toEqual([
      'AUM < 50,000 → 大众客户',
      '50,000 ≤ AUM < 500,000 → 潜力客户',
      '500,000 ≤ AUM < 6,000,000 → 财富客户',
      'AUM ≥ 6,000,000 → 私行客户',
    ]);
  });
  it('gives one line per mapped value, then what happens to the others', () => {
    const rule = { kind: 'attribute', field: 'risk_level', mapping: { C1: '保守型', C2: '稳健型' } };
    expect(zh(rule)).toEqual(['风险等级 = C1 → 保守型', '风险等级 = C2 → 稳健型', '其他值 → 不打标签']);
    expect(en(rule)).toEqual(['Risk level = C1 → 保守型', 'Risk level = C2 → 稳健型', 'Other values → no tag']);
  });
  it('names the attribute whose value is taken as is', () => {
    expect(zh({ kind: 'attribute', field: 'aum' })).toEqual(['取值：客户属性“资产余额AUM”']);
    expect(en({ kind: 'attribute', field: 'aum' })).toEqual(['Value: customer attribute "AUM"']);
  });
});

describe('describeRule: aggregate', () => {
  const FREQUENT = {
    kind: 'aggregate',
    source: 'events',
    event: 'fund_purchase',
    filters: [],
    agg: 'count',
    window: { last_days: 30 },
    bands: [{ label: '低频', lt: 3 }, { label: '高频' }],
  };
  it('bands the measured number', () => {
    expect(zh(FREQUENT)).toEqual(['近30天 购买基金 次数 < 3 → 低频', '近30天 购买基金 次数 ≥ 3 → 高频']);
    expect(en(FREQUENT)).toEqual(['Count of Fund purchase, last 30 days < 3 → 低频', 'Count of Fund purchase, last 30 days ≥ 3 → 高频']);
  });
  it('names the property, the filters and the fixed dates of a raw value', () => {
    const rule = {
      kind: 'aggregate',
      source: 'transactions',
      agg: 'sum',
      property: 'amount',
      filters: [{ property: 'direction', op: 'eq', value: 'in' }],
      window: { start: '2026-01-01', end: '2026-03-31' },
    };
    expect(zh(rule, CATALOGUE)).toEqual(['取值：2026-01-01 至 2026-03-31 任意交易（direction = in） 求和（金额）']);
    expect(en(rule, CATALOGUE)).toEqual(['Value: Sum (amount) of any transaction (direction = in), 2026-01-01 to 2026-03-31']);
  });
  it('uses catalogue labels of events and properties, and the date for first / last without a property', () => {
    const mode = { kind: 'aggregate', event: 'wealth_view', agg: 'mode', property: 'product_type', window: { last_days: 30 } };
    expect(zh(mode, CATALOGUE)).toEqual(['取值：近30天 浏览理财 最常见值（产品类型）']);
    expect(en(mode, CATALOGUE)).toEqual(['Value: Most frequent (product_type) of wealth_view, last 30 days']);
    const last = { kind: 'aggregate', event: 'login', agg: 'last', window: { last_days: 365 } };
    expect(zh(last)).toEqual(['取值：近365天 登录 最近一次（发生日期）']);
    expect(en(last)).toEqual(['Value: Last (date) of Login, last 365 days']);
  });
  it('takes the engine default window when the rule has none', () => {
    expect(zh({ kind: 'aggregate', event: 'search', agg: 'count' })).toEqual(['取值：近30天 搜索 次数']);
  });
});

describe('describeRule: rfm', () => {
  it('lists the thresholds, the median where one is left out', () => {
    const rule = { kind: 'rfm', source: 'transactions', property: 'amount', window: { last_days: 90 }, frequency: 4, monetary: 100_000 };
    expect(zh(rule)).toEqual([
      '近90天 任意交易，金额字段 amount',
      '最近一次距今不超过（R 高）：中位数（未设置）',
      '频次不低于（F 高）：4 次',
      '金额不低于（M 高）：10万',
      '→ 按 R、F、M 的高低组合分为八类 RFM 客户',
    ]);
    expect(en({ ...rule, recency_days: 15 })).toEqual([
      'any transaction, last 90 days; amount field amount',
      'Last transaction at most (high R): 15 days',
      'Frequency at least (high F): 4 times',
      'Amount at least (high M): 100,000',
      '→ eight RFM classes by high / low R, F and M',
    ]);
  });
});

describe('describeRule: timing', () => {
  it('names the measure, the window and the event (salary credits for payday)', () => {
    expect(zh({ kind: 'timing', measure: 'payday', event: null, window: { last_days: 90 } })).toEqual(['发薪日：近90天 代发工资']);
    expect(en({ kind: 'timing', measure: 'payday' })).toEqual(['Payday: Salary, last 90 days']);
    expect(zh({ kind: 'timing', measure: 'active_hour', event: 'login', window: { last_days: 90 } })).toEqual(['最活跃时段：近90天 登录']);
    expect(en({ kind: 'timing', measure: 'active_weekday', event: 'login', window: { last_days: 60 } })).toEqual([
      'Most active weekday: Login, last 60 days',
    ]);
  });
});

describe('describeRule: rule and lifecycle', () => {
  const FLAG = {
    kind: 'rule',
    cases: [
      {
        value: '是',
        when: {
          type: 'group',
          op: 'and',
          conditions: [
            { type: 'behaviour', source: 'events', event: 'product_view', did: true, measure: 'count', op: 'gte', value: 3, window: { last_days: 7 }, filters: [{ property: 'product_type', op: 'eq', value: '基金' }] },
            { type: 'behaviour', source: 'events', event: 'fund_purchase', did: false, window: { last_days: 7 } },
          ],
        },
      },
    ],
    default: '否',
  };
  it('gives one line per case, then the default', () => {
    expect(zh(FLAG)).toEqual(['近7天 浏览产品（product_type = 基金） 次数 ≥ 3 且 近7天未做过 购买基金 → 是', '其他 → 否']);
    expect(en(FLAG)).toEqual([
      'Count of Product view (product_type = 基金), last 7 days ≥ 3 and did not do Fund purchase, last 7 days → 是',
      'Otherwise → 否',
    ]);
  });
  it('brackets nested groups and negations in a lifecycle rule; no default means no tag', () => {
    const rule = {
      kind: 'lifecycle',
      cases: [
        { value: '新客', when: { type: 'attribute', field: 'tenure_days', op: 'lte', value: 90 } },
        {
          value: '沉睡',
          when: {
            type: 'not',
            condition: {
              type: 'group',
              op: 'or',
              conditions: [
                { type: 'behaviour', event: 'login', window: { last_days: 30 } },
                { type: 'behaviour', source: 'transactions', window: { last_days: 30 } },
              ],
            },
          },
        },
        {
          value: '流失',
          when: {
            type: 'group',
            op: 'and',
            conditions: [
              { type: 'attribute', field: 'aum', op: 'lt', value: 1000 },
              { type: 'group', op: 'or', conditions: [{ type: 'segment', segment_id: 3, member: true }, { type: 'list', list_id: 2, member: false }] },
            ],
          },
        },
      ],
      default: null,
    };
    expect(zh(rule)).toEqual([
      '开户天数 ≤ 90 → 新客',
      '非（近30天做过 登录 或 近30天做过 任意交易） → 沉睡',
      '资产余额AUM < 1,000 且 （属于客群 #3 或 不在名单 #2 中） → 流失',
      '其他 → 不打标签',
    ]);
    expect(en(rule)).toEqual([
      'Tenure (days) ≤ 90 → 新客',
      'not (did Login, last 30 days or did any transaction, last 30 days) → 沉睡',
      'AUM < 1,000 and (in segment #3 or not on list #2) → 流失',
      'Otherwise → no tag',
    ]);
  });
});

describe('describeCondition', () => {
  const t = tOf('zh');
  it('describes tag, holding, sequence and worded operators', () => {
    expect(describeCondition({ type: 'tag', tag: 'aum_tier', op: 'in', value: ['大众客户', '潜力客户'], days_ago: 7 }, t, { catalogue: CATALOGUE })).toBe(
      '标签“AUM层级” 属于 大众客户、潜力客户（7 天前）',
    );
    expect(describeCondition({ type: 'holding', product_type: '定期', holds: true, matures_within_days: 30 }, t)).toBe('持有 定期，30 天内到期');
    expect(describeCondition({ type: 'holding', product_id: 'F001', holds: false, op: 'gte', value: 50_000 }, t, { catalogue: CATALOGUE })).toBe(
      '未持有 稳健一号，余额 ≥ 5万',
    );
    expect(describeCondition({ type: 'holding', product_type: '基金' }, tOf('en'), { lang: 'en' })).toBe('Holds Fund');
    expect(
      describeCondition({ type: 'sequence', steps: [{ event: 'login', filters: [] }, { event: 'fund_purchase', filters: [] }], within_hours: 24, window: { last_days: 30 } }, t),
    ).toBe('近30天依次做过 登录 → 购买基金（每步间隔不超过 24 小时）');
    expect(describeCondition({ type: 'attribute', field: 'age', op: 'between', value: [25, 40] }, t)).toBe('年龄 介于 25–40');
    expect(describeCondition({ type: 'attribute', field: 'city', op: 'is_null' }, t)).toBe('城市 为空');
    expect(describeCondition({ type: 'attribute', field: 'open_date', op: 'within_last_days', value: 30 }, tOf('en'), { lang: 'en' })).toBe(
      'Open date within the last 30 days',
    );
    expect(describeCondition({ type: 'behaviour', source: 'transactions', measure: 'sum', property: 'amount', op: 'gte', value: 50_000, window: { last_days: 7 }, did: false }, t)).toBe(
      '非（近7天 任意交易 求和（amount） ≥ 5万）',
    );
  });
});

describe('describeRule: model, imported and unknown shapes', () => {
  it('says where model and imported values come from', () => {
    expect(zh({ kind: 'model', model: 'churn_v2', value_type: 'number' })).toEqual(['取值由模型“churn_v2”写入（数值）']);
    expect(en({ kind: 'model', model: null, value_type: 'string' })).toEqual(['Written by a model (Text)']);
    expect(zh({ kind: 'imported', value_type: 'string' })).toEqual(['取值通过上传 CSV 导入（文本）']);
    expect(en({ kind: 'imported', value_type: 'number' })).toEqual(['Uploaded as CSV (Number)']);
  });
  it('falls back to one line for anything it cannot read', () => {
    for (const rule of [null, 'x', [], { kind: 'teleport' }, { kind: 'rule', cases: [] }, { kind: 'timing', measure: 'moon' }, { kind: 'aggregate', agg: 'median' }]) {
      expect(zh(rule)).toEqual(['无法概括此规则，请查看下方 JSON']);
      expect(en(rule)).toEqual(['This rule cannot be summarised; see the JSON below']);
    }
  });
  it('does not throw on broken parts inside a known kind', () => {
    expect(zh({ kind: 'attribute', field: 'aum', bands: [null, { label: '高' }] })).toEqual(['资产余额AUM → 高']);
    expect(zh({ kind: 'rule', cases: [{ value: 'x', when: 42 }] })).toEqual(['42 → x', '其他 → 不打标签']);
  });
});

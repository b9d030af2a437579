import { describe, expect, it } from 'vitest';
import type { Catalogue } from '../../api/insight';
import {
  attributeOps,
  clampExclusions,
  customersComplete,
  customersFromQuery,
  customersToQuery,
  decodeGroup,
  encodeGroup,
  eventSpec,
  exclusionsToQuery,
  NO_CUSTOMER_FILTER,
  populationToQuery,
  propertiesOf,
  propertyFiltersComplete,
  propertyOps,
  seesWholeBank,
  summarizeCustomers,
  type CustomerFilterState,
} from './filters';

const catalogue = {
  attributes: [{ key: 'tier', label: '客户层级', type: 'string', values: ['大众', '财富'], ops: [] }],
  events: [
    {
      name: 'fund_purchase',
      label: '购买基金',
      properties: [
        { key: 'amount', label: 'amount', type: 'number', ops: [] },
        { key: 'product_type', label: 'product_type', type: 'string', values: ['基金'], ops: [] },
        { key: '$channel', label: '渠道', type: 'string', ops: [] },
      ],
    },
  ],
  transactions: [],
  transaction_properties: [],
  product_types: [],
  products: [],
  tags: [],
  operators: {},
} as unknown as Catalogue;

const labels = {
  all: '全部客户',
  attribute: (k: string) => ({ province: '省份', open_date: '开户日期', aum: 'AUM' })[k] ?? k,
  op: (op: string) => ({ eq: '等于', between: '介于', gte: '大于等于' })[op] ?? op,
  tag: (k: string) => ({ high_value: '高价值' })[k] ?? k,
  segment: (id: string) => ({ '7': '私行客群' })[id] ?? id,
  more: (n: number) => `等 ${n} 项`,
};

describe('operators', () => {
  it('offer what the backend compares for each attribute type', () => {
    expect(attributeOps('province')).toEqual(['eq', 'neq', 'in', 'not_in']);
    expect(attributeOps('aum')).toEqual(['gte', 'gt', 'lte', 'lt', 'eq']);
    expect(attributeOps('open_date')[0]).toBe('between');
  });
  it('offer ordered comparisons only for numeric properties, and set / not set for any', () => {
    expect(propertyOps('number')).toContain('gte');
    expect(propertyOps('string')).not.toContain('gte');
    expect(propertyOps('string')).toContain('contains');
    for (const type of ['number', 'string', 'bool', 'date'] as const) {
      expect(propertyOps(type)).toEqual(expect.arrayContaining(['is_set', 'is_not_set']));
    }
  });
  it('list only properties the query accepts (not the $ columns)', () => {
    expect(propertiesOf(catalogue, 'fund_purchase').map((p) => p.key)).toEqual(['amount', 'product_type']);
    expect(propertiesOf(catalogue, 'unknown')).toEqual([]);
  });
});

describe('customers ↔ query', () => {
  const state: CustomerFilterState = {
    attributes: [
      { attribute: 'province', op: 'eq', value: '广东省' },
      { attribute: 'open_date', op: 'between', value: ['2024-01-01', '2024-12-31'] },
      { attribute: 'aum', op: 'gte', value: '500000' },
    ],
    tags: [{ tag: 'high_value', value: null }, { tag: 'lifecycle', value: '成熟期' }],
    segment_ids: ['7'],
  };

  it('sends a date range as gte and lte, numbers as numbers, tags without empty values', () => {
    expect(customersToQuery(state)).toEqual({
      attributes: [
        { attribute: 'province', op: 'eq', value: '广东省' },
        { attribute: 'open_date', op: 'gte', value: '2024-01-01' },
        { attribute: 'open_date', op: 'lte', value: '2024-12-31' },
        { attribute: 'aum', op: 'gte', value: 500000 },
      ],
      tags: [{ tag: 'high_value' }, { tag: 'lifecycle', value: '成熟期' }],
      segment_ids: ['7'],
    });
  });

  it('round-trips through the query (a saved analysis opens with the same conditions)', () => {
    const back = customersFromQuery(customersToQuery(state));
    expect(back.attributes[1]).toEqual({ attribute: 'open_date', op: 'between', value: ['2024-01-01', '2024-12-31'] });
    expect(back.attributes[2]).toEqual({ attribute: 'aum', op: 'gte', value: 500000 });
    expect(back.tags).toEqual(state.tags);
    expect(customersFromQuery(undefined)).toEqual(NO_CUSTOMER_FILTER);
  });

  it('is complete only when every condition has its value', () => {
    expect(customersComplete(state)).toBe(true);
    expect(customersComplete({ ...state, attributes: [{ attribute: 'province', op: 'in', value: [] }] })).toBe(false);
    expect(customersComplete({ ...state, attributes: [{ attribute: 'open_date', op: 'between', value: ['2024-01-01'] }] })).toBe(false);
    expect(customersComplete({ ...NO_CUSTOMER_FILTER, tags: [{ tag: '', value: null }] })).toBe(false);
  });

  it('summarises as 全部客户 when empty, else the first conditions and how many more', () => {
    expect(summarizeCustomers(NO_CUSTOMER_FILTER, labels)).toBe('全部客户');
    expect(summarizeCustomers({ ...NO_CUSTOMER_FILTER, attributes: [state.attributes[0]] }, labels)).toBe('省份 等于 广东省');
    expect(summarizeCustomers(state, labels)).toBe('省份 等于 广东省；开户日期 介于 2024-01-01 ~ 2024-12-31 等 4 项');
    expect(summarizeCustomers({ ...NO_CUSTOMER_FILTER, tags: [state.tags[1]], segment_ids: ['7'] }, labels)).toBe('lifecycle=成熟期；私行客群');
  });

  it('names a condition still being filled in, never a bare operator', () => {
    const pending = { ...labels, pending: '待选择' };
    expect(summarizeCustomers({ ...NO_CUSTOMER_FILTER, attributes: [{ attribute: '', op: 'eq', value: null }] }, pending)).toBe('待选择');
    expect(summarizeCustomers({ ...NO_CUSTOMER_FILTER, tags: [{ tag: '', value: null }] }, pending)).toBe('待选择');
  });
});

describe('event property filters', () => {
  it('types numeric values, wraps a single value for in, and drops values of set / not set', () => {
    const spec = eventSpec(
      'fund_purchase',
      [
        { property: 'amount', op: 'gte', value: '1000' },
        { property: 'product_type', op: 'in', value: '基金' },
        { property: 'product_type', op: 'is_set', value: 'x' },
      ],
      catalogue,
    );
    expect(spec).toEqual({
      event: 'fund_purchase',
      filters: [
        { property: 'amount', op: 'gte', value: 1000 },
        { property: 'product_type', op: 'in', value: ['基金'] },
        { property: 'product_type', op: 'is_set', value: null },
      ],
    });
    expect(eventSpec('fund_purchase', [], catalogue)).toEqual({ event: 'fund_purchase' });
  });
  it('is complete only with a property and a value where one is needed', () => {
    expect(propertyFiltersComplete([{ property: 'amount', op: 'gt', value: 5 }])).toBe(true);
    expect(propertyFiltersComplete([{ property: 'amount', op: 'is_not_set', value: null }])).toBe(true);
    expect(propertyFiltersComplete([{ property: 'amount', op: 'gt', value: null }])).toBe(false);
    expect(propertyFiltersComplete([{ property: '', op: 'is_set' }])).toBe(false);
  });
});

describe('funnel exclusions and group-by', () => {
  const rows = [
    { event: 'logout', filters: [], from_step: 1, to_step: 3 },
    { event: '', filters: [], from_step: 1, to_step: 2 },
  ];
  it('are sent for ordered funnels only, and only when complete', () => {
    expect(exclusionsToQuery(rows, 'ordered', 3)).toEqual([{ event: 'logout', from_step: 1, to_step: 3 }]);
    expect(exclusionsToQuery(rows, 'strict', 3)).toEqual([]);
  });
  it('stay between existing steps when a step is removed', () => {
    expect(clampExclusions([{ ...rows[0], from_step: 2, to_step: 3 }], 2)).toEqual([{ ...rows[0], from_step: 1, to_step: 2 }]);
  });
  it('encode a group-by as one select value and back', () => {
    expect(encodeGroup({ kind: 'property', name: 'channel' })).toBe('property:channel');
    expect(decodeGroup('attribute:tier')).toEqual({ kind: 'attribute', name: 'tier' });
    expect(decodeGroup(undefined)).toBeNull();
    expect(encodeGroup(null)).toBeUndefined();
  });
});

describe('population (分析人群)', () => {
  it('is offered only to users who see the whole bank', () => {
    expect(seesWholeBank({ orgCode: 'HQ', roleId: 'analyst' })).toBe(true);
    expect(seesWholeBank({ orgCode: 'GD-SZ', roleId: 'analyst' })).toBe(false);
    expect(seesWholeBank({ orgCode: 'HQ', roleId: 'rm' })).toBe(false);
    expect(seesWholeBank(null)).toBe(false);
  });

  it('sends all_users only for event models of a whole-bank user, and nothing by default', () => {
    expect(populationToQuery('funnel', 'all_users', true)).toEqual({ population: 'all_users' });
    expect(populationToQuery('funnel', 'customers', true)).toEqual({});
    expect(populationToQuery('funnel', 'all_users', false)).toEqual({});
    expect(populationToQuery('ltv', 'all_users', true)).toEqual({});
    expect(populationToQuery('rfm', 'all_users', true)).toEqual({});
  });
});

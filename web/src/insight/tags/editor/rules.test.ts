import { describe, expect, it } from 'vitest';
import type { AggregateRule, Catalogue } from '../../../api/insight';
import { defaultRule, fromRule, headerIssues, parseRuleJson, ruleIssues, ruleJson, toDefinition } from './rules';

const CATALOGUE = {
  attributes: [
    { key: 'gender', label: '性别', type: 'string', ops: ['eq'] },
    { key: 'aum', label: 'AUM', type: 'number', ops: ['gt'] },
  ],
  events: [{ name: 'login', label: '登录', properties: [{ key: 'channel', label: '渠道', type: 'string', ops: ['eq'] }] }],
  transactions: [],
  transaction_properties: [{ key: 'amount', label: '金额', type: 'number', ops: ['gt'] }],
  product_types: [],
  products: [],
  tags: [],
  operators: {},
} as unknown as Catalogue;

const LOGINS: AggregateRule = {
  kind: 'aggregate',
  source: 'events',
  event: 'login',
  filters: [],
  agg: 'count',
  property: null,
  window: { last_days: 30 },
  bands: [{ label: '0次', lt: 1 }, { label: '1-4次', lt: 5 }, { label: '5次及以上', lt: null }],
};

describe('form ↔ definition JSON', () => {
  it('sends only what the kind uses', () => {
    expect(toDefinition(LOGINS)).toEqual({
      kind: 'aggregate',
      source: 'events',
      event: 'login',
      filters: [],
      agg: 'count',
      window: { last_days: 30 },
      bands: [{ label: '0次', lt: 1 }, { label: '1-4次', lt: 5 }, { label: '5次及以上' }],
    });
  });
  it('round-trips through the JSON tab', () => {
    const parsed = parseRuleJson(ruleJson(LOGINS));
    expect('rule' in parsed && toDefinition(parsed.rule)).toEqual(toDefinition(LOGINS));
  });
  it('fills what the server leaves out and wraps a single case condition in a group', () => {
    const rule = fromRule({ kind: 'rule', cases: [{ value: '是', when: { type: 'attribute', field: 'aum', op: 'gt', value: 1 } }] });
    expect(rule).toMatchObject({ kind: 'rule', cases: [{ value: '是', when: { type: 'group', op: 'and' } }] });
    expect(fromRule({ kind: 'timing', measure: 'payday' })).toMatchObject({ window: { last_days: 90 } });
  });
  it('sends an unchanged lifecycle rule back exactly as it came (no new version for nothing)', () => {
    const stored = {
      kind: 'lifecycle',
      cases: [
        { value: '新客', when: { type: 'attribute', field: 'tenure_days', op: 'lte', value: 90 } },
        { value: '沉睡', when: { type: 'not', condition: { type: 'attribute', field: 'aum', op: 'lt', value: 1 } } },
        {
          value: '潜客',
          when: {
            type: 'group',
            op: 'and',
            conditions: [
              { type: 'attribute', field: 'aum', op: 'lt', value: 100 },
              { type: 'attribute', field: 'age', op: 'lt', value: 30 },
            ],
          },
        },
      ],
      default: '成长',
    };
    expect(toDefinition(fromRule(stored))).toEqual(stored);
  });
  it('keeps a between-dates window and drops the unused rolling days', () => {
    const rule = { ...LOGINS, bands: null, window: { last_days: null, start: '2026-01-01', end: '2026-03-31' } };
    expect(toDefinition(rule)).toMatchObject({ window: { start: '2026-01-01', end: '2026-03-31' } });
  });
  it('maps an attribute rule to either bands or a mapping', () => {
    expect(toDefinition({ kind: 'attribute', field: 'risk_level', bands: null, mapping: { C1: '保守' } })).toEqual({
      kind: 'attribute',
      field: 'risk_level',
      mapping: { C1: '保守' },
    });
  });
  it('explains JSON that is not a rule', () => {
    expect(parseRuleJson('{')).toMatchObject({ error: 'tagEditor.json.syntax' });
    expect(parseRuleJson('[]')).toEqual({ error: 'tagEditor.json.notObject' });
    expect(parseRuleJson('{"kind":"magic"}')).toEqual({ error: 'tagEditor.json.kind', params: { kind: 'magic' } });
  });
});

describe('checks before sending', () => {
  it('flags overlapping bands on the bands field with the row', () => {
    const rule = { ...LOGINS, bands: [{ label: 'a', lt: 5 }, { label: 'b', lt: 5 }, { label: 'c' }] };
    expect(ruleIssues(rule, CATALOGUE)).toEqual([{ field: 'bands', code: 'tagEditor.band.overlap', params: { value: 5, row: 2 } }]);
  });
  it('needs a number property for sum and a property for distinct', () => {
    expect(ruleIssues({ ...LOGINS, bands: null, agg: 'sum', property: 'channel' }, CATALOGUE)).toEqual([
      { field: 'property', code: 'tagEditor.err.numberProperty' },
    ]);
    expect(ruleIssues({ ...LOGINS, bands: null, agg: 'distinct', property: null }, CATALOGUE)[0].field).toBe('property');
    expect(ruleIssues({ ...LOGINS, bands: null, agg: 'last', property: null }, CATALOGUE)).toEqual([]);
  });
  it('checks the window', () => {
    expect(ruleIssues({ ...LOGINS, window: { last_days: 0 } }, CATALOGUE)[0]).toEqual({ field: 'window', code: 'tagEditor.err.days' });
    expect(ruleIssues({ ...LOGINS, window: { start: '2026-05-01', end: '2026-01-01' } }, CATALOGUE)[0].code).toBe('tagEditor.err.windowOrder');
  });
  it('bands need a number attribute', () => {
    const rule = { kind: 'attribute' as const, field: 'gender', bands: [{ label: 'a', lt: 1 }, { label: 'b' }], mapping: null };
    expect(ruleIssues(rule, CATALOGUE)).toEqual([{ field: 'bands', code: 'tagEditor.err.bandsNeedNumber' }]);
  });
  it('lifecycle cases must name a stage and hold a condition', () => {
    const rule = fromRule({ kind: 'lifecycle', cases: [{ value: '休眠', when: { type: 'group', op: 'and', conditions: [] } }] });
    expect(ruleIssues(rule, CATALOGUE).map((i) => [i.field, i.code])).toEqual([
      ['cases.0', 'tagEditor.err.stage'],
      ['cases.0', 'tagEditor.err.caseEmpty'],
    ]);
    expect(ruleIssues(defaultRule('lifecycle'), CATALOGUE).map((i) => i.code)).toEqual(['tagEditor.err.caseEmpty']);
  });
  it('needs a key of lowercase letters when creating', () => {
    expect(headerIssues({ key: 'Login-Bands', name: 'x' }, true)).toEqual([{ field: 'key', code: 'tagEditor.err.key' }]);
    expect(headerIssues({ key: '', name: ' ' }, false)).toEqual([{ field: 'name', code: 'tagEditor.err.required' }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { StrategyCatalogue } from '../api/strategy';
import type { MessageKey } from '../i18n';
import { translate, type Params } from '../i18n/translate';
import { makeLookup, outcomeText, problemText, summaryOf } from './labels';

const zh = (key: MessageKey, params?: Params) => translate('zh', key, params);
const en = (key: MessageKey, params?: Params) => translate('en', key, params);
const catalogue = {
  segments: [{ id: 3, name: '深圳有资产' }],
  events: [{ name: 'fund_purchase', label: '购买基金', properties: [] }],
  attributes: [{ key: 'aum', label: '资产余额AUM', type: 'number', custom: false }],
  templates: { push: [{ id: 11, name: '基金推荐推送' }] },
  tags: [],
  benefits: [],
} as unknown as StrategyCatalogue;
const lookup = makeLookup(catalogue);
const lookupEn = makeLookup(catalogue, 'en');

describe('what a node shows', () => {
  it('summarises each node with names from the catalogue, never bare ids', () => {
    const split = { id: 'c', type: 'condition_split', branches: [{ label: 'b1', condition: { type: 'attribute', field: 'aum', op: 'gte', value: 50000 } }] };
    expect(summaryOf(split, lookup, zh)).toBe('资产余额AUM ≥ 50000');
    expect(summaryOf({ id: 's', type: 'send', channel: 'push', template_id: 11 }, lookup, zh)).toBe('App推送 · 基金推荐推送');
    expect(summaryOf({ id: 'w', type: 'wait_event', event: 'fund_purchase', within_seconds: 259200 }, lookup, zh)).toBe('购买基金 · 3 天');
    expect(summaryOf({ id: 'w', type: 'wait_event', event: 'fund_purchase', within_seconds: 259200 }, lookupEn, en)).toBe('Fund purchase · 3 days');
    expect(summaryOf({ id: 'c', type: 'condition_split', branches: [{ label: 'b1', condition: { type: 'attribute', field: 'aum', op: 'gte', value: 1 } }] }, lookupEn, en)).toBe('AUM ≥ 1');
    expect(summaryOf({ id: 'e', type: 'segment_entry', segment_id: 3 }, lookup, zh)).toBe('深圳有资产');
    expect(summaryOf({ id: 'e', type: 'segment_entry', segment_id: 4 }, lookup, zh)).toBe('4');
  });

  it('names outcomes: branches by position, variants with their share, fixed ones translated', () => {
    const split = { id: 'c', type: 'condition_split', branches: [{ label: 'b7' }, { label: 'b2' }] };
    expect(outcomeText(split, 'b2', zh)).toBe('分支2');
    expect(outcomeText(split, 'else', zh)).toBe('其他');
    expect(outcomeText({ id: 'a', type: 'ab_split', variants: [{ label: 'A', percent: 70 }] }, 'A', zh)).toBe('A 70%');
    expect(outcomeText({ id: 'w', type: 'wait_event' }, 'timeout', en)).toBe('Timed out');
  });

  it('words validation problems with the field name in the console language', () => {
    const missing = { node_id: 's', field: 'template_id', code: 'strategy.missing_config', params: { reason: 'x' }, severity: 'error' as const };
    expect(problemText(missing, zh)).toBe('请填写内容模板');
    expect(problemText(missing, en)).toBe('Template is required');
    const nested = { ...missing, field: 'branches.0.condition.value', code: 'strategy.invalid_config' };
    expect(problemText(nested, zh)).toBe('值不合法');
    expect(problemText({ ...missing, code: 'strategy.brand_new' }, zh)).toBe('strategy.brand_new');
  });
});

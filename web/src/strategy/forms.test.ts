import { describe, expect, it } from 'vitest';
import type { StrategyCatalogue } from '../api/strategy';
import { NODE_KINDS } from './graph';
import {
  FIELDS,
  customAttributes,
  durationParts,
  evenPercents,
  manualTags,
  missingFields,
  nextLabel,
  sendNodes,
  setField,
  toSeconds,
  triggerProperties,
} from './forms';

const catalogue: StrategyCatalogue = {
  owner_org: 'GD-SZ',
  segments: [{ id: 3, name: '深圳有资产' }],
  tags: [
    { key: 'vip', name: 'VIP', manual: false, value_type: 'string' },
    { key: 'salon', name: '沙龙', manual: true, value_type: 'string' },
  ],
  events: [
    { name: 'login', label: '登录', properties: [{ key: 'method', label: '方式', type: 'string' }] },
    { name: 'fund_purchase', label: '购买基金', properties: [{ key: 'amount', label: '金额', type: 'number' }] },
  ],
  attributes: [
    { key: 'aum', label: 'AUM', type: 'number', custom: false },
    { key: 'preferred_branch', label: '常去网点', type: 'string', custom: true },
  ],
  templates: { push: [{ id: 11, name: '基金推荐' }] },
  benefits: [],
  channels: ['push', 'sms'],
  operators: { number: ['gte'] },
};

describe('side panel forms', () => {
  it('has a form for every node kind, and a new node lacks exactly its required picks', () => {
    for (const kind of NODE_KINDS) expect(FIELDS[kind.type], kind.type).toBeDefined();
    const lacking = Object.fromEntries(NODE_KINDS.map((k) => [k.type, missingFields({ id: 'n', type: k.type, ...k.defaults() })]));
    expect(lacking.event_entry).toEqual(['event']);
    expect(lacking.segment_entry).toEqual(['segment_id']);
    expect(lacking.send).toEqual(['template_id']);
    expect(lacking.wait_event).toEqual(['event']);
    expect(lacking.delay).toEqual([]);
    expect(lacking.exit).toEqual([]);
    expect(lacking.result_split).toEqual(['send_node']);
  });

  it('a send may carry the risk of the product it offers; clearing it sends without a suitability check', () => {
    expect(FIELDS.send.find((f) => f.key === 'product_risk')).toEqual({ key: 'product_risk', kind: 'product_risk' });
    const send = { id: 's', type: 'send', channel: 'sms', template_id: 11, purpose: 'marketing' };
    const offer = setField(send, 'product_risk', 'R4');
    expect(offer.product_risk).toBe('R4');
    expect(missingFields(send)).toEqual([]);
    expect(setField(offer, 'product_risk', null)).toEqual(send);
  });

  it('sets fields immutably; a new channel forgets the template, removing a tag forgets its value', () => {
    const send = { id: 's', type: 'send', channel: 'push', template_id: 11, purpose: 'marketing' };
    const sms = setField(send, 'channel', 'sms');
    expect(sms).toEqual({ id: 's', type: 'send', channel: 'sms', purpose: 'marketing' });
    expect(send.template_id).toBe(11);
    expect(setField(send, 'channel', 'push').template_id).toBe(11);
    const tag = { id: 't', type: 'tag', tag: 'salon', action: 'add', value: '已参加' };
    expect(setField(tag, 'action', 'remove')).not.toHaveProperty('value');
    expect(setField({ id: 'w', type: 'wait_until', at: '09:00', on_date: '2026-01-01' }, 'on_date', null)).not.toHaveProperty('on_date');
    expect(setField({ id: 'e', type: 'event_entry', filters: [{}] }, 'filters', [])).toHaveProperty('filters', []);
  });

  it('shows durations in the largest whole unit', () => {
    expect(durationParts(259200)).toEqual({ value: 3, unit: 'days' });
    expect(durationParts(5400)).toEqual({ value: 90, unit: 'minutes' });
    expect(durationParts(7200)).toEqual({ value: 2, unit: 'hours' });
    expect(durationParts(null)).toEqual({ value: null, unit: 'days' });
    expect(toSeconds(3, 'days')).toBe(259200);
    expect(toSeconds(null, 'hours')).toBeNull();
  });

  it('labels new branches and variants, and splits traffic evenly', () => {
    expect(nextLabel(['b1', 'b3'], 'branch')).toBe('b2');
    expect(nextLabel(['A', 'B'], 'variant')).toBe('C');
    expect(evenPercents(3)).toEqual([33, 33, 34]);
    expect(evenPercents(2).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('picks only from the catalogue: trigger properties, manual tags, custom attributes, send nodes', () => {
    const nodes = [
      { id: 'a', type: 'event_entry', event: 'login' },
      { id: 'b', type: 'api_entry', payload_keys: ['order_id'] },
      { id: 's1', type: 'send' },
      { id: 'r', type: 'result_split' },
    ];
    expect(triggerProperties(nodes, catalogue)).toEqual(['method', 'order_id']);
    expect(manualTags(catalogue).map((t) => t.key)).toEqual(['salon']);
    expect(customAttributes(catalogue).map((a) => a.key)).toEqual(['preferred_branch']);
    expect(sendNodes(nodes, 'r').map((n) => n.id)).toEqual(['s1']);
  });
});

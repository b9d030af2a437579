import { describe, expect, it } from 'vitest';
import type { TFunction } from '../../i18n';
import { translate } from '../../i18n/translate';
import type { RuleRead } from './api';
import {
  channelName,
  DEFAULT_RULE_FORM,
  describeRule,
  formFieldOf,
  fromRule,
  reasonText,
  ruleProblems,
  toRuleWrite,
  validPercent,
} from './ruleForm';

const zhT: TFunction = (key, params) => translate('zh', key, params);
const enT: TFunction = (key, params) => translate('en', key, params);

const stored: RuleRead = {
  id: 3,
  name: '贷款月配额',
  enabled: true,
  updated_by: 'hq',
  updated_at: null,
  rule: {
    kind: 'cap', window: 'month', limit: 4, channel: 'sms', business_line: 'loan', purpose: 'marketing',
    reserve: 1, reserve_priority: 10, action: 'defer',
  },
};

describe('contact-policy rule form', () => {
  it('sends only the chosen kind, with "all" as null', () => {
    const cap = toRuleWrite({ ...DEFAULT_RULE_FORM, name: ' 日限 ', limit: 2 });
    expect(cap).toEqual({
      name: '日限',
      enabled: true,
      rule: {
        kind: 'cap', window: 'day', limit: 2, channel: null, business_line: null, purpose: 'marketing',
        reserve: 0, reserve_priority: 10, action: 'suppress',
      },
    });
    const quiet = toRuleWrite({ ...DEFAULT_RULE_FORM, name: '午休', kind: 'quiet_hours', channel: 'call', start: '12:00', end: '13:30' });
    expect(quiet.rule).toEqual({ kind: 'quiet_hours', start: '12:00', end: '13:30', channel: 'call', action: 'defer', exempt_service: true });
    // A bank-wide rule edited here keeps the exempt channels chosen on the settings tab.
    const stored = { id: 9, name: '夜间勿扰', enabled: true, updated_by: 'a', updated_at: '2026-12-07T00:00:00Z',
      rule: { kind: 'quiet_hours' as const, start: '21:00', end: '09:00', channel: null, action: 'defer' as const,
        exempt_service: true, exempt_channels: ['inbox' as const] } };
    expect(toRuleWrite(fromRule(stored)).rule).toMatchObject({ channel: null, exempt_channels: ['inbox'] });
    expect(toRuleWrite({ ...DEFAULT_RULE_FORM, name: 'x', kind: 'consent', channel: 'sms' }).rule).toEqual({
      kind: 'consent', channel: 'sms', purpose: 'service',
    });
  });

  it('round-trips a stored rule through the form', () => {
    const values = fromRule(stored);
    expect(values.businessLine).toBe('loan');
    expect(values.capAction).toBe('defer');
    expect(toRuleWrite(values)).toEqual({ name: stored.name, enabled: true, rule: stored.rule });
  });

  it('finds the problems a user can fix before saving', () => {
    expect(ruleProblems({ ...DEFAULT_RULE_FORM, name: 'a' })).toEqual([]);
    expect(ruleProblems({ ...DEFAULT_RULE_FORM, name: ' ' }).map((p) => p.field)).toEqual(['name']);
    expect(ruleProblems({ ...DEFAULT_RULE_FORM, name: 'a', limit: 2, reserve: 3 })).toEqual([
      { field: 'reserve', message: 'policy.problem.reserve' },
    ]);
    expect(ruleProblems({ ...DEFAULT_RULE_FORM, name: 'a', limit: 1.5 })[0].field).toBe('limit');
    expect(ruleProblems({ ...DEFAULT_RULE_FORM, name: 'a', limit: 1001 })[0].field).toBe('limit');
    const quiet = { ...DEFAULT_RULE_FORM, name: 'a', kind: 'quiet_hours' as const };
    expect(ruleProblems({ ...quiet, start: '24:00' }).map((p) => p.field)).toEqual(['start']);
    expect(ruleProblems({ ...quiet, start: '09:00', end: '09:00' })).toEqual([{ field: 'end', message: 'policy.problem.sameTime' }]);
    // A quiet-hours rule is not held to the cap's numbers.
    expect(ruleProblems({ ...quiet, limit: -1 })).toEqual([]);
  });

  it('maps server error paths to form fields', () => {
    expect(formFieldOf('rule.reserve')).toBe('reserve');
    expect(formFieldOf('rule.cap.limit')).toBe('limit');
    expect(formFieldOf('rule.quiet_hours.start')).toBe('start');
    expect(formFieldOf('rule.cap.reserve_priority')).toBe('reservePriority');
    expect(formFieldOf('rule.kind')).toBe('');
  });

  it('describes rules in Chinese first, and in English', () => {
    expect(describeRule(zhT, stored.rule)).toBe(
      '每位客户每月（短信，贷款）最多 4 次（营销类），超出时顺延；最后 1 次留给优先级 ≤ 10 的策略',
    );
    expect(describeRule(zhT, { kind: 'quiet_hours', start: '21:00', end: '09:00', channel: null, action: 'drop', exempt_service: true }))
      .toBe('21:00–09:00（北京时间）全部渠道不打扰，丢弃；服务类消息除外');
    expect(describeRule(zhT, { kind: 'quiet_hours', start: '21:00', end: '09:00', channel: null, action: 'defer',
      exempt_service: false, exempt_channels: ['inbox', 'rm_task'] }))
      .toBe('21:00–09:00（北京时间）全部渠道不打扰，顺延；站内信、客户经理任务不受限制');
    expect(describeRule(enT, { kind: 'consent', channel: 'sms', purpose: 'service' })).toBe('Service messages on SMS need consent too');
  });

  it('translates suppression reasons and keeps unknown codes', () => {
    expect(reasonText(zhT, 'cap_reserved')).toBe('剩余名额预留给高优先级策略');
    expect(reasonText(zhT, 'opted_out')).toBe('客户已退订');
    expect(reasonText(enT, 'global_control')).toBe('Global control group');
    expect(reasonText(zhT, 'suitability')).toBe('suitability');
    expect(reasonText(zhT, null)).toBe('');
  });

  it('names channels and keeps unknown ones', () => {
    expect(channelName(zhT, 'rm_task')).toBe('客户经理任务');
    expect(channelName(enT, 'wechat')).toBe('WeChat');
    expect(channelName(zhT, 'fax')).toBe('fax');
  });

  it('accepts control-group shares from 0 to 50 %', () => {
    expect(validPercent(0)).toBe(true);
    expect(validPercent(12.5)).toBe(true);
    expect(validPercent(50)).toBe(true);
    expect(validPercent(50.01)).toBe(false);
    expect(validPercent(-1)).toBe(false);
    expect(validPercent(null)).toBe(false);
    expect(validPercent(Number.NaN)).toBe(false);
  });
});

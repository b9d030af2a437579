import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/translate';
import type { TFunction } from '../../i18n';
import {
  cleanEmails,
  conditionText,
  deviationText,
  groupByField,
  metricFormField,
  ruleConditionText,
  ruleFormField,
  splitServerErrors,
} from './forms';

const zhT: TFunction = (key, params) => translate('zh', key, params);
const enT: TFunction = (key, params) => translate('en', key, params);

describe('metric and rule forms', () => {
  it('splits server errors into field messages and one general message', () => {
    expect(splitServerErrors({ 'emails.0': ['bad'], x: ['y'] }, ruleFormField)).toEqual({
      fields: [{ name: 'emails', errors: ['bad'] }],
      general: 'x: y',
    });
    expect(splitServerErrors({ name: ['taken'] }, ruleFormField).general).toBeNull();
  });

  it('maps 422 paths to form fields', () => {
    expect(metricFormField('definition.event.event')).toBe('event');
    expect(metricFormField('definition')).toBe('property');
    expect(metricFormField('definition.days')).toBe('days');
    expect(metricFormField('key')).toBe('key');
    expect(metricFormField('other')).toBe('');
    expect(ruleFormField('emails.0')).toBe('emails');
    expect(ruleFormField('webhook_url')).toBe('webhook_url');
    expect(ruleFormField('')).toBe('');
  });

  it('groups messages by field and keeps unknown paths readable', () => {
    expect(groupByField({ 'emails.0': ['bad'], x: ['y'], '': ['z'] }, ruleFormField)).toEqual({
      emails: ['bad'],
      '': ['x: y', 'z'],
    });
  });

  it('cleans recipients and writes conditions', () => {
    expect(cleanEmails([' a@b.cn, c@d.cn', 'a@b.cn', ''])).toEqual(['a@b.cn', 'c@d.cn']);
    expect(conditionText('gte', 3, '环比')).toBe('≥ 3');
    expect(conditionText('change_lt', -20, '环比')).toBe('环比 < -20%');
  });

  it('maps anomaly and severity errors to their flat form fields', () => {
    expect(ruleFormField('anomaly.k')).toBe('k');
    expect(ruleFormField('anomaly.min_change_pct')).toBe('min_change_pct');
    expect(ruleFormField('anomaly.direction')).toBe('direction');
    expect(ruleFormField('anomaly')).toBe('k');
    expect(ruleFormField('severity')).toBe('severity');
  });

  it('writes anomaly conditions and deviations the way bank staff read them', () => {
    const rule = { op: 'anomaly' as const, threshold: null, anomaly: { k: 3, direction: 'up' as const, min_change_pct: 10 } };
    expect(ruleConditionText(rule, zhT)).toBe('偏离 7 日均值 > 3σ（仅上升，变化 ≥ 10%）');
    expect(ruleConditionText(rule, enT)).toBe('Off the 7-day mean by > 3σ (Up only, change ≥ 10%)');
    expect(ruleConditionText({ op: 'change_gt', threshold: 15, anomaly: null }, zhT)).toBe('环比 > 15%');
    expect(deviationText(3.44, 62.1)).toBe('+3.4σ');
    expect(deviationText(-4, -30)).toBe('-4.0σ');
    expect(deviationText(null, 15)).toBe('+15.0%');
    expect(deviationText(null, null)).toBe('—');
  });
});

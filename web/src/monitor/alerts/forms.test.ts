import { describe, expect, it } from 'vitest';
import { cleanEmails, conditionText, groupByField, metricFormField, ruleFormField, splitServerErrors } from './forms';

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
});

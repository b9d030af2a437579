import { describe, expect, it } from 'vitest';
import type { Param } from './api';
import { actionsFor, initialValues, labelledParams, show, toParams } from './params';

const P = (key: string, type: Param['type'], dflt: unknown = null): Param => ({
  key, label: key, type, description: '', required: true, default: dflt, minimum: null, maximum: null, choices: null,
  channel: null,
});

describe('campaign wizard parameters', () => {
  it('fills defaults and round-trips lists as JSON text', () => {
    const params = [P('days', 'days', [3, 7]), P('cap', 'int', 10), P('benefit', 'benefit')];
    const values = initialValues(params);
    expect(values).toEqual({ days: '[3,7]', cap: 10 });
    expect(toParams(params, { ...values, benefit: 5 })).toEqual({ params: { days: [3, 7], cap: 10, benefit: 5 }, bad: [] });
  });

  it('reports a list that is not JSON instead of sending it', () => {
    expect(toParams([P('prizes', 'prizes')], { prizes: '[{' }).bad).toEqual(['prizes']);
  });

  it('offers launch only once approved and never after archiving', () => {
    expect(actionsFor('approved')).toContain('launch');
    expect(actionsFor('submitted')).toEqual([]);
    expect(actionsFor('archived')).toEqual([]);
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show(null)).toBe('—');
  });

  it('shows a campaign\'s parameters under the labels its template gives them', () => {
    const defs = [{ ...P('event', 'event'), label: '触发事件' }, { ...P('benefit_id', 'benefit'), label: '奖励权益' }];
    expect(labelledParams({ benefit_id: 1, event: 'login', legacy: [1] }, defs)).toEqual([
      ['触发事件', 'login'], ['奖励权益', '1'], ['legacy', '[1]']]);
    expect(labelledParams({ event: 'login' }, undefined)).toEqual([['event', 'login']]);
  });
});

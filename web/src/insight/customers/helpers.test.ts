import { describe, expect, it } from 'vitest';
import type { Holding } from '../../api/types';
import { eventColor, summarizeProperties } from './events';
import { holdingsByType } from './holdings';
import { directionKind, genderLabel } from './labels';

const holding = (type: string, balance: number): Holding => ({
  product_id: `${type}-${balance}`,
  product_name: type,
  product_type: type,
  risk_level: null,
  rate: null,
  balance,
  opened_at: null,
});

describe('holdingsByType', () => {
  it('sums balances per type, largest first, dropping empty types', () => {
    expect(
      holdingsByType([holding('fund', 100), holding('deposit', 500), holding('fund', 50), holding('loan', 0)]),
    ).toEqual([
      { type: 'deposit', balance: 500 },
      { type: 'fund', balance: 150 },
    ]);
  });

  it('leaves liabilities (loans) out of the asset split', () => {
    expect(holdingsByType([holding('deposit', 100), { ...holding('loan', 9000), is_liability: true }])).toEqual([
      { type: 'deposit', balance: 100 },
    ]);
  });
});

describe('labels', () => {
  it('normalises gender codes', () => {
    expect(genderLabel('zh', 'M')).toBe('男');
    expect(genderLabel('en', '女')).toBe('Female');
    expect(genderLabel('zh', 'X')).toBe('X');
    expect(genderLabel('zh', null)).toBe('—');
  });

  it('recognises money direction', () => {
    expect(directionKind('credit')).toBe('in');
    expect(directionKind('OUT')).toBe('out');
    expect(directionKind('transfer')).toBeNull();
  });
});

describe('events', () => {
  it('summarises properties compactly', () => {
    expect(summarizeProperties({ page: '/fund', amount: 5000, empty: null })).toBe('page=/fund · amount=5000');
    expect(summarizeProperties({ a: 1, b: 2, c: 3 }, 2)).toBe('a=1 · b=2 · …');
    expect(summarizeProperties(undefined)).toBe('');
  });

  it('colours business outcomes green', () => {
    expect(eventColor('fund_purchase')).toBe('green');
    expect(eventColor('push_click')).toBe('blue');
    expect(eventColor('page_view')).toBe('gray');
  });
});

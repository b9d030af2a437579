import { describe, expect, it } from 'vitest';
import { formatMoney, formatMoneyShort, formatRate, orDash, parseTimestamp } from './format';

describe('formatMoney', () => {
  it('adds the yuan sign, thousands separators and two decimals', () => {
    expect(formatMoney(1234567.8)).toBe('¥1,234,567.80');
    expect(formatMoney(0)).toBe('¥0.00');
    expect(formatMoney(999.999)).toBe('¥1,000.00');
  });

  it('puts the minus sign before the currency sign', () => {
    expect(formatMoney(-1234.5)).toBe('-¥1,234.50');
  });

  it('does not show a negative zero', () => {
    expect(formatMoney(-0.001)).toBe('¥0.00');
  });

  it('accepts numeric strings (Decimal serialised as JSON string)', () => {
    expect(formatMoney('52000.1')).toBe('¥52,000.10');
  });

  it('shows a dash for missing or non-numeric values', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
    expect(formatMoney('abc')).toBe('—');
    expect(formatMoney(Number.NaN)).toBe('—');
  });

  it('honours the number of decimals', () => {
    expect(formatMoney(1234.5, 0)).toBe('¥1,235');
  });
});

describe('formatMoneyShort', () => {
  it('uses 万 and 亿 in Chinese', () => {
    expect(formatMoneyShort(12_3456, 'zh')).toBe('12.3万');
    expect(formatMoneyShort(2_5000_0000, 'zh')).toBe('2.5亿');
    expect(formatMoneyShort(800, 'zh')).toBe('800');
  });

  it('uses K and M in English', () => {
    expect(formatMoneyShort(123_456, 'en')).toBe('123K');
    expect(formatMoneyShort(2_500_000, 'en')).toBe('2.5M');
  });
});

describe('formatRate', () => {
  it('reads the value as percent per year', () => {
    expect(formatRate(0.15)).toBe('0.15%');
    expect(formatRate(3.1)).toBe('3.10%');
    expect(formatRate(null)).toBe('—');
  });
});

describe('orDash', () => {
  it('keeps zero but dashes empty values', () => {
    expect(orDash(0)).toBe('0');
    expect(orDash('')).toBe('—');
    expect(orDash(null)).toBe('—');
  });
});

describe('parseTimestamp', () => {
  it('reads timestamps without an offset as UTC', () => {
    expect(parseTimestamp('2026-11-20T12:37:00').toISOString()).toBe('2026-11-20T12:37:00.000Z');
    expect(parseTimestamp('2026-11-20 12:37:00.5').toISOString()).toBe('2026-11-20T12:37:00.500Z');
  });

  it('keeps explicit offsets', () => {
    expect(parseTimestamp('2026-11-22T05:21:15.457222Z').toISOString()).toBe('2026-11-22T05:21:15.457Z');
    expect(parseTimestamp('2026-11-22T13:00:00+08:00').toISOString()).toBe('2026-11-22T05:00:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { fractionPct, pValue, signedAmount, signedPct, significant, stepRates, withInterval } from './format';

describe('effect formatting', () => {
  it('shows a value with its interval, or a dash', () => {
    expect(withInterval(0.0123, 0.005, 0.0196, signedPct)).toBe('+1.23% [+0.50%, +1.96%]');
    expect(withInterval(null, 0, 1, signedPct)).toBe('—');
    expect(withInterval(1500, null, null, (v) => signedAmount(v))).toBe('+1,500');
  });
  it('signs amounts and p-values', () => {
    expect(signedAmount(-12345.6)).toBe('-12,346');
    expect(pValue(0.0004)).toBe('<0.001');
    expect(pValue(0.0423)).toBe('0.042');
  });
  it('calls an interval significant only when it excludes zero', () => {
    expect(significant(0.1, 0.3)).toBe(true);
    expect(significant(-0.1, 0.3)).toBe(false);
    expect(significant(null, 0.3)).toBe(false);
  });
  it('shows rates given as fractions as percentages (53 of 212 passed: 25.00%, not 0.25%)', () => {
    expect(fractionPct(53 / 212)).toBe('25.00%');
    expect(fractionPct(1)).toBe('100.00%');
    expect(fractionPct(null)).toBe('—');
  });

  it('rates each funnel stage against the one before', () => {
    expect(stepRates([100, 50, 0, 0])).toEqual([null, 0.5, 0, null]);
  });
});

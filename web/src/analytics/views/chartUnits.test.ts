import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { incompleteFrom, isAmount, isMoney, percentDecimals, percentText } from './chartUnits';

describe('chart units', () => {
  it('gives small rates enough decimals for distinct axis labels', () => {
    // The showcase retention: 0.4%..1.2% rendered as "1%, 1%, 0%" with whole percents.
    const d = percentDecimals([1, 0.012, 0.008, 0.004]);
    expect(d).toBe(0); // the first period (100%) sets the scale
    expect(percentDecimals([0.012, 0.008, 0.004])).toBe(1);
    expect(percentText(0.008, percentDecimals([0.012, 0.008]))).toBe('0.8%');
    expect(percentDecimals([0.004, 0.002, null])).toBe(2);
    expect(percentDecimals([])).toBe(0);
  });

  it('finds the period that has not ended yet', () => {
    const now = dayjs('2026-12-06T10:00:00');
    expect(incompleteFrom(['2026-12-04', '2026-12-05', '2026-12-06'], 'day', now)).toBe(2);
    expect(incompleteFrom(['2026-12-04', '2026-12-05'], 'day', now)).toBe(-1);
    expect(incompleteFrom(['2026-11-01', '2026-12-01'], 'month', now)).toBe(1);
    expect(incompleteFrom(['2026-12-06T09:00:00', '2026-12-06T10:00:00'], 'hour', now)).toBe(1);
  });

  it('tells counts from amounts', () => {
    expect(isAmount('sum') && !isAmount('uniques') && !isAmount('total')).toBe(true);
    expect(isMoney('amount') && !isMoney('page')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { goalValue, progressPercent, seriesPoints } from './goalFormat';

describe('goal formatting', () => {
  it('shows each metric in its unit', () => {
    expect(goalValue('conversion_lift_pct', 31.24)).toBe('+31.2%');
    expect(goalValue('incremental_conversions', -3.25)).toBe('-3.3');
    expect(goalValue('incremental_aum', 1234567.4)).toBe('+1,234,567');
    expect(goalValue('roi', 2.5)).toBe('2.50');
    expect(goalValue('roi', null)).toBe('—');
  });

  it('clamps the progress bar and leaves gaps for missing days', () => {
    expect(progressPercent(1.7)).toBe(100);
    expect(progressPercent(-0.2)).toBe(0);
    expect(progressPercent(0.456)).toBe(46);
    expect(progressPercent(null)).toBeNull();
    expect(seriesPoints([{ day: '2026-03-01', achieved: null }, { day: '2026-03-02', achieved: 3 }])).toEqual([
      ['2026-03-01', null],
      ['2026-03-02', 3],
    ]);
  });
});

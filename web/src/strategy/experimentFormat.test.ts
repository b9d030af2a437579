import { describe, expect, it } from 'vitest';
import { zh } from '../i18n/zh';
import { pValue, pct, sampleNote, signedPct, srmLine, verdict, withInterval } from './experimentFormat';
import type { ArmRead } from './experimentsApi';

const arm = (over: Partial<ArmRead>): ArmRead => ({
  variant: 'B', percent: 50, control: false, entered: 500, converted: 71, rate: 0.142, rate_lower: 0.11,
  rate_upper: 0.17, difference: 0.05, difference_lower: 0.01, difference_upper: 0.09, lift: 0.54, lift_lower: 0.1,
  lift_upper: 0.98, z: 2.5, p_value: 0.012, significant: true, test_code: 'ok', sample_note: 'ok', mde: 0.051,
  mde_relative: 0.55, mde_code: 'ok', ...over,
});

describe('experiment formatting', () => {
  it('writes rates, lifts and intervals as percentages', () => {
    expect(pct(0.1234)).toBe('12.34%');
    expect(signedPct(0.012)).toBe('+1.20%');
    expect(signedPct(-0.004)).toBe('-0.40%');
    expect(withInterval(0.05, 0.01, 0.09, true)).toBe('+5.00% [+1.00%, +9.00%]');
    expect(withInterval(null, null, null)).toBe('—');
  });

  it('writes tiny p-values as a bound', () => {
    expect(pValue(0.00001)).toBe('< 0.0001');
    expect(pValue(0.04567)).toBe('0.0457');
    expect(pValue(null)).toBe('—');
  });

  it('says which way a significant difference goes, and nothing for the control', () => {
    expect(verdict(arm({}))).toBe('up');
    expect(verdict(arm({ difference: -0.02 }))).toBe('down');
    expect(verdict(arm({ significant: false, p_value: 0.3 }))).toBe('no');
    expect(verdict(arm({ control: true, p_value: null }))).toBe('none');
  });

  it('puts the sample note in words the dictionary has', () => {
    const ok = sampleNote(arm({}));
    expect(ok).toEqual({ key: 'xr.note.ok', params: { mde: '5.10%', rel: '55.0%' } });
    const small = sampleNote(arm({ sample_note: 'experiment.sample_too_small' }))!;
    for (const note of [ok!, small, sampleNote(arm({ sample_note: 'experiment.too_few_conversions' }))!,
      sampleNote(arm({ sample_note: 'experiment.empty_arm' }))!]) {
      expect(zh).toHaveProperty([note.key]);
    }
    expect(sampleNote(arm({ control: true }))).toBeNull();
  });

  it('flags a sample ratio mismatch', () => {
    const srm = { expected: [900, 900], chi2: 22.2, df: 1, p_value: 0.0000024, mismatch: true, threshold: 0.001, code: 'ok' };
    expect(srmLine(srm)).toEqual({ key: 'xr.srm.bad', params: { p: '< 0.0001', threshold: '0.001' }, bad: true });
    expect(srmLine({ ...srm, p_value: null, mismatch: false }).key).toBe('xr.srm.empty');
  });
});

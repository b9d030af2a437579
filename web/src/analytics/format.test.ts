import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { formatSeconds, lastDays } from './format';

describe('analytics helpers', () => {
  it('lastDays includes today', () => {
    expect(lastDays(30, dayjs('2026-11-22'))).toEqual(['2026-10-24', '2026-11-22']);
  });

  it('formats durations in the console language', () => {
    expect(formatSeconds(45, 'zh')).toBe('45秒');
    expect(formatSeconds(90, 'en')).toBe('1.5 min');
    expect(formatSeconds(7200, 'zh')).toBe('2小时');
    expect(formatSeconds(3 * 86400, 'en')).toBe('3 d');
    expect(formatSeconds(null, 'en')).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/translate';
import type { TFunction } from '../i18n';
import { partialText } from './mauAumPartial';

const zhT = ((key: string, params?: Record<string, string | number>) => translate('zh', key, params)) as TFunction;
const enT = ((key: string, params?: Record<string, string | number>) => translate('en', key, params)) as TFunction;
const month = (first_day: string | null, last_day: string | null, partial: boolean) => ({ month: '2026-08', first_day, last_day, partial });

describe('MAU/AUM partial months', () => {
  it('says from which day a month has data when collection started mid-month', () => {
    expect(partialText(month('2026-08-24', '2026-08-31', true), zhT)).toBe('部分月份：8月24日起有数据');
    expect(partialText(month('2026-08-24', '2026-08-31', true), enT)).toBe('Partial month: data from 8/24');
  });

  it('says until when for a month cut short, and both ends when both apply', () => {
    expect(partialText(month('2026-08-01', '2026-08-09', true), zhT)).toBe('部分月份：数据截至8月9日');
    expect(partialText(month('2026-08-03', '2026-08-20', true), zhT)).toBe('部分月份：仅8月3日至8月20日有数据');
  });

  it('says nothing for a full month or a month without any data', () => {
    expect(partialText(month('2026-08-01', '2026-08-31', false), zhT)).toBeNull();
    expect(partialText(month(null, null, false), zhT)).toBeNull();
    expect(partialText(undefined, zhT)).toBeNull();
  });
});

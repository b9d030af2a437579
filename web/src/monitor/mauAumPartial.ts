import dayjs from 'dayjs';
import type { MauAumMonth } from '../api/analytics';
import type { TFunction } from '../i18n';

/** "部分月份：8月24日起有数据" for a month whose data starts late, stops early, or both; null for a full month. */
export function partialText(m: MauAumMonth | undefined, t: TFunction): string | null {
  if (!m?.partial || !m.first_day || !m.last_day) return null;
  const day = (iso: string) => t('admin2.mon.dayFmt', { m: Number(iso.slice(5, 7)), d: Number(iso.slice(8, 10)) });
  const late = dayjs(m.first_day).date() > 1;
  const early = dayjs(m.last_day).date() < dayjs(m.last_day).daysInMonth();
  if (late && early) return t('admin2.mon.partialRange', { from: day(m.first_day), to: day(m.last_day) });
  return late ? t('admin2.mon.partialFrom', { from: day(m.first_day) }) : t('admin2.mon.partialUntil', { to: day(m.last_day) });
}

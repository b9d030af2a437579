import dayjs, { type Dayjs } from 'dayjs';

export type DateRange = [string, string];

/** The last `days` days, today included (bank days are local dates). */
export function lastDays(days: number, today: Dayjs = dayjs()): DateRange {
  return [today.subtract(days - 1, 'day').format('YYYY-MM-DD'), today.format('YYYY-MM-DD')];
}

export const pct = (x: number | null | undefined, digits = 1) => (x == null ? '—' : `${(x * 100).toFixed(digits)}%`);
export const num = (x: number | null | undefined, digits = 0) =>
  x == null ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** Seconds as a short duration: 45秒 / 12分 / 3.5小时 / 2.1天 (en: s / min / h / d). */
export function formatSeconds(s: number | null | undefined, lang: 'zh' | 'en'): string {
  if (s == null) return '—';
  const u = lang === 'zh' ? { s: '秒', m: '分钟', h: '小时', d: '天' } : { s: ' s', m: ' min', h: ' h', d: ' d' };
  const short = (n: number) => String(Number(n.toFixed(n >= 10 ? 0 : 1)));
  if (s < 60) return `${short(s)}${u.s}`;
  if (s < 3600) return `${short(s / 60)}${u.m}`;
  if (s < 86400) return `${short(s / 3600)}${u.h}`;
  return `${short(s / 86400)}${u.d}`;
}


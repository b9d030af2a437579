import dayjs from 'dayjs';

const EMPTY = '—';

const groupedFormatters = new Map<number, Intl.NumberFormat>();
function grouped(decimals: number): Intl.NumberFormat {
  let f = groupedFormatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: true,
    });
    groupedFormatters.set(decimals, f);
  }
  return f;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function toNumber(value: number | string | null | undefined): number | null {
  if (isNumber(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** `1234567.8` → `¥1,234,567.80`; negative → `-¥12.00`; missing → `—`. Accepts numeric strings (Decimal as JSON). */
export function formatMoney(value: number | string | null | undefined, decimals = 2): string {
  const n = toNumber(value);
  if (n === null) return EMPTY;
  const text = grouped(decimals).format(Math.abs(n));
  const negative = n < 0 && text.replace(/[0.,]/g, '') !== '';
  return `${negative ? '-' : ''}¥${text}`;
}

/** Short money for chart axes: zh uses 万/亿, en uses K/M/B. */
export function formatMoneyShort(value: number, lang: 'zh' | 'en'): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  const trim = (n: number) => String(Number(n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)));
  if (lang === 'zh') {
    if (abs >= 1e8) return `${sign}${trim(abs / 1e8)}亿`;
    if (abs >= 1e4) return `${sign}${trim(abs / 1e4)}万`;
    return `${sign}${trim(abs)}`;
  }
  if (abs >= 1e9) return `${sign}${trim(abs / 1e9)}B`;
  if (abs >= 1e6) return `${sign}${trim(abs / 1e6)}M`;
  if (abs >= 1e3) return `${sign}${trim(abs / 1e3)}K`;
  return `${sign}${trim(abs)}`;
}

/** Interest rate or yield, sent by the API in percent per year (2.75 means 2.75%). */
export function formatRate(value: number | string | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return EMPTY;
  return `${n.toFixed(2)}%`;
}

const NAIVE_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * The API's timestamps are UTC; some (from the event store) come without an offset.
 * Those are read as UTC too, then everything is shown in the browser's time zone.
 */
export function parseTimestamp(value: string): dayjs.Dayjs {
  return dayjs(NAIVE_DATETIME.test(value) ? `${value.replace(' ', 'T')}Z` : value);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return EMPTY;
  const d = parseTimestamp(value);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : value;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return EMPTY;
  const d = dayjs(value);
  return d.isValid() ? d.format('YYYY-MM-DD') : value;
}

/** Shows a dash for null/undefined/empty strings. */
export function orDash(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  return String(value);
}

const BUSINESS = new Set([
  'fund_purchase',
  'wealth_purchase',
  'loan_apply',
  'loan_disburse',
  'coupon_claim',
]);
const REACH = new Set(['push_click', 'message_open', 'message_click', 'sms_click']);

/** Timeline dot colour: business outcomes green, responses to our messages blue, the rest grey. */
export function eventColor(event: string): 'green' | 'blue' | 'gray' {
  if (BUSINESS.has(event)) return 'green';
  if (REACH.has(event) || event.startsWith('message_')) return 'blue';
  return 'gray';
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `{"page": "/fund", "amount": 5000}` → `page=/fund · amount=5000`, cut to `max` entries. */
export function summarizeProperties(
  props: Record<string, unknown> | null | undefined,
  max = 4,
  label: (key: string) => string = (key) => key,
): string {
  if (!props) return '';
  const entries = Object.entries(props).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const shown = entries.slice(0, max).map(([k, v]) => {
    const text = scalar(v);
    return `${label(k)}=${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
  });
  if (entries.length > max) shown.push('…');
  return shown.join(' · ');
}

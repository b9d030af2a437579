import type { ChannelKind, ProviderKind, ReachChannel } from '../api/reach';

/** What the channel form edits: settings as JSON text, secrets as typed (blank = keep the stored one). */
export interface ChannelFormValues {
  channel: ChannelKind;
  name: string;
  provider: string;
  configText: string;
  secrets: Record<string, string | undefined>;
  unit_cost_fen: number;
  rate_per_second: number;
  burst: number;
  max_attempts: number;
  active: boolean;
}

/** The mask the API shows for a stored secret. */
export const SECRET_MASK = '***';

/** A starting mapping for the HTTP gateway: every placeholder the gateway understands, shown once. */
export const GATEWAY_TEMPLATE = {
  url: 'https://sms.example.com/api/send',
  method: 'POST',
  body_format: 'json',
  body: { mobile: '{{address}}', content: '{{content}}', sign: '{{sign}}', apikey: '{{key}}', requestId: '{{idempotency_key}}' },
  auth_header: 'Authorization',
  success_path: 'code',
  success_value: '0',
  vendor_id_path: 'data.msgid',
  sign: '【魔方银行】',
};

/** Providers that can serve a channel kind. */
export function providersFor(kinds: ProviderKind[], channel: ChannelKind): ProviderKind[] {
  return kinds.filter((k) => k.channels.includes(channel));
}

/** Parse the settings text: an object, or the error key to show under the field. */
export function parseConfig(text: string): { config: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { config: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'reach.form.configNotJson' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'reach.form.configNotObject' };
  return { config: value as Record<string, unknown> };
}

/** Secrets to send: only the ones typed (a blank field or the mask keeps what is stored). */
export function secretsToSend(secrets: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    if (v !== undefined && v.trim() !== '' && v !== SECRET_MASK) out[k] = v;
  }
  return out;
}

/** The body of POST /api/reach/channels. */
export function createBody(values: ChannelFormValues, config: Record<string, unknown>) {
  return {
    channel: values.channel,
    name: values.name.trim(),
    provider: values.provider,
    config,
    secrets: secretsToSend(values.secrets),
    unit_cost_fen: values.unit_cost_fen,
    rate_per_second: values.rate_per_second,
    burst: values.burst,
    max_attempts: values.max_attempts,
    active: values.active,
  };
}

/** The body of PATCH /api/reach/channels/{id}: only what changed; secrets only when typed. */
export function updateBody(before: ReachChannel, values: ChannelFormValues, config: Record<string, unknown>) {
  const body: Record<string, unknown> = {};
  if (values.name.trim() !== before.name) body.name = values.name.trim();
  if (JSON.stringify(config) !== JSON.stringify(before.config)) body.config = config;
  const secrets = secretsToSend(values.secrets);
  if (Object.keys(secrets).length) body.secrets = secrets;
  for (const k of ['unit_cost_fen', 'rate_per_second', 'burst', 'max_attempts', 'active'] as const) {
    if (values[k] !== before[k]) body[k] = values[k];
  }
  return body;
}

/** Form values for a channel being edited (secrets start blank: they are never shown). */
export function valuesOf(channel: ReachChannel): ChannelFormValues {
  return {
    channel: channel.channel,
    name: channel.name,
    provider: channel.provider,
    configText: JSON.stringify(channel.config, null, 2),
    secrets: {},
    unit_cost_fen: channel.unit_cost_fen,
    rate_per_second: channel.rate_per_second,
    burst: channel.burst,
    max_attempts: channel.max_attempts,
    active: channel.active,
  };
}

/** A rate shown as a percentage, or a dash. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** Fen as yuan with two decimals. */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

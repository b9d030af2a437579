/** One settings field of a vendor form, edited inside the channel's JSON settings. */
export interface ConfigField {
  key: string;
  kind: 'text' | 'url' | 'number' | 'bool' | 'select';
  options?: string[];
  required?: boolean;
}

/** The settings object with one key set (an empty text or a cleared number removes the key). */
export function withField(config: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...config };
  if (value === undefined || value === null || value === '') delete out[key];
  else out[key] = value;
  return out;
}

/** The settings fields each vendor kind edits (secrets are separate, write-only). */
export const VENDOR_FIELDS: Record<string, ConfigField[]> = {
  aliyun_sms: [
    { key: 'access_key_id', kind: 'text', required: true },
    { key: 'sign_name', kind: 'text', required: true },
    { key: 'template_code', kind: 'text', required: true },
    { key: 'endpoint', kind: 'url' },
    { key: 'region_id', kind: 'text' },
  ],
  jpush: [
    { key: 'app_key', kind: 'text', required: true },
    { key: 'audience', kind: 'select', options: ['registration_id', 'alias'] },
    { key: 'apns_production', kind: 'bool' },
    { key: 'base_url', kind: 'url' },
    { key: 'callback_url', kind: 'url' },
  ],
  wechat_template: [
    { key: 'app_id', kind: 'text', required: true },
    { key: 'template_id', kind: 'text', required: true },
    { key: 'base_url', kind: 'url' },
  ],
  smtp: [
    { key: 'smtp_host', kind: 'text', required: true },
    { key: 'smtp_port', kind: 'number' },
    { key: 'starttls', kind: 'bool' },
    { key: 'username', kind: 'text' },
    { key: 'from_address', kind: 'text', required: true },
    { key: 'from_name', kind: 'text' },
    { key: 'reply_to', kind: 'text' },
  ],
  ai_call: [
    { key: 'url', kind: 'url', required: true },
    { key: 'script_id', kind: 'text' },
    { key: 'callback_url', kind: 'url' },
    { key: 'success_path', kind: 'text' },
    { key: 'success_value', kind: 'text' },
  ],
  vendor_sandbox: [{ key: 'delay_seconds', kind: 'number' }],
};

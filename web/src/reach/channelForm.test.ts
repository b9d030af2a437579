import { describe, expect, it } from 'vitest';
import type { ProviderKind, ReachChannel } from '../api/reach';
import { createBody, parseConfig, percent, providersFor, secretsToSend, updateBody, valuesOf, yuan } from './channelForm';

const stored: ReachChannel = {
  id: 3, channel: 'sms', name: '短信网关', provider: 'http_gateway', sandbox: false,
  config: { url: 'https://sms.example.com/send', body: { to: '{{address}}' } },
  secrets: { key: '***' }, has_secret: true, unit_cost_fen: 4, rate_per_second: 100, burst: 100, max_attempts: 5,
  active: true, callback_path: '/api/reach/callbacks/sms/3', updated_by: 'root', updated_at: '2026-03-20T02:00:00Z',
};

describe('channel form', () => {
  it('reads settings as a JSON object and names what is wrong otherwise', () => {
    expect(parseConfig('')).toEqual({ config: {} });
    expect(parseConfig('{"url": "https://x"}')).toEqual({ config: { url: 'https://x' } });
    expect(parseConfig('{url:')).toEqual({ error: 'reach.form.configNotJson' });
    expect(parseConfig('[1]')).toEqual({ error: 'reach.form.configNotObject' });
    expect(parseConfig('null')).toEqual({ error: 'reach.form.configNotObject' });
  });

  it('sends only secrets that were typed: blank or the mask keeps the stored one', () => {
    expect(secretsToSend({ key: '***', auth_value: '', callback_secret: undefined, other: 'new' })).toEqual({ other: 'new' });
  });

  it('an unchanged edit sends nothing; a changed one sends only what changed', () => {
    const same = valuesOf(stored);
    expect(same.secrets).toEqual({});
    expect(updateBody(stored, same, stored.config)).toEqual({});
    const changed = { ...same, name: ' 新网关 ', unit_cost_fen: 5, secrets: { key: 'k2' } };
    expect(updateBody(stored, changed, { ...stored.config, sign: '【行】' })).toEqual({
      name: '新网关', unit_cost_fen: 5, secrets: { key: 'k2' }, config: { ...stored.config, sign: '【行】' },
    });
  });

  it('creates with the trimmed name and typed secrets', () => {
    const body = createBody({ ...valuesOf(stored), name: ' 沙箱 ', provider: 'sandbox', secrets: { key: ' ' } }, {});
    expect(body).toMatchObject({ name: '沙箱', provider: 'sandbox', secrets: {}, config: {} });
  });

  it('offers only providers serving the channel', () => {
    const kinds: ProviderKind[] = [
      { kind: 'http_gateway', channels: ['sms', 'push'], secret_fields: ['key'], builtin: false, sandbox: false },
      { kind: 'inbox', channels: ['inbox'], secret_fields: [], builtin: true, sandbox: false },
    ];
    expect(providersFor(kinds, 'push').map((k) => k.kind)).toEqual(['http_gateway']);
    expect(providersFor(kinds, 'wechat')).toEqual([]);
  });

  it('formats rates and money', () => {
    expect(percent(null)).toBe('—');
    expect(percent(0.9512)).toBe('95.1%');
    expect(yuan(1234)).toBe('¥12.34');
  });
});

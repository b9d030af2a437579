import { describe, expect, it } from 'vitest';
import { VENDOR_FIELDS, withField } from './configFields';

describe('vendor settings fields', () => {
  it('sets and clears one key without touching the others', () => {
    const start = { app_key: 'k', apns_production: true };
    expect(withField(start, 'base_url', 'https://api.jpush.cn')).toEqual({ ...start, base_url: 'https://api.jpush.cn' });
    expect(withField(start, 'app_key', '')).toEqual({ apns_production: true });
    expect(withField(start, 'apns_production', false)).toEqual({ app_key: 'k', apns_production: false });
    expect(start).toEqual({ app_key: 'k', apns_production: true });
  });

  it('never lists a secret among the settings (credentials are write-only fields of their own)', () => {
    const keys = Object.values(VENDOR_FIELDS).flat().map((f) => f.key);
    for (const secret of ['access_key_secret', 'master_secret', 'app_secret', 'password', 'app_key_secret', 'token']) {
      expect(keys).not.toContain(secret);
    }
  });
});

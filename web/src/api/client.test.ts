import { describe, expect, it } from 'vitest';
import { buildUrl } from './client';

describe('buildUrl', () => {
  it('drops empty query values and encodes the rest', () => {
    expect(buildUrl('/api/customers', { q: '张 三', limit: 20, offset: 0, x: undefined, y: '' })).toBe(
      '/api/customers?q=%E5%BC%A0+%E4%B8%89&limit=20&offset=0',
    );
    expect(buildUrl('/api/me')).toBe('/api/me');
  });
});

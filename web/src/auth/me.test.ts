import { describe, expect, it } from 'vitest';
import { hasPermission, normalizeMe } from './me';

describe('normalizeMe', () => {
  it('reads a role given as an id with separate names', () => {
    const me = normalizeMe({
      username: 'admin',
      display_name: '系统管理员',
      role: 'admin',
      role_name: '系统管理员',
      org_code: 'HQ',
      org_name: '总行',
      permissions: ['admin:users'],
    });
    expect(me).toMatchObject({ roleId: 'admin', roleName: '系统管理员', orgName: '总行' });
    expect(hasPermission(me, 'admin:users')).toBe(true);
    expect(hasPermission(me, 'pii:unmask')).toBe(false);
  });

  it('reads a role given as an object and falls back to the username', () => {
    const me = normalizeMe({ username: 'li', role: { id: 'analyst', name: '分析师', name_en: 'Analyst' } });
    expect(me).toMatchObject({ displayName: 'li', roleId: 'analyst', roleName: '分析师', roleNameEn: 'Analyst' });
    expect(me.permissions).toEqual([]);
  });
});

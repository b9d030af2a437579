import type { MeRaw } from '../api/types';

export const PERM_ADMIN_USERS = 'admin:users';
export const PERM_PII_UNMASK = 'pii:unmask';
export const PERM_ADMIN_KEYS = 'admin:keys';
export const PERM_AUDIT_READ = 'audit:read';
export const PERM_CUSTOMERS_READ = 'customers:read';
export const PERM_EXPORT = 'data:export';
export const PERM_ANALYTICS = 'analytics:read';
export const PERM_CAMPAIGN_EDIT = 'campaigns:edit';

/** The signed-in user as the console uses it. */
export interface Me {
  username: string;
  displayName: string;
  roleId: string | null;
  roleName: string | null;
  roleNameEn: string | null;
  orgCode: string | null;
  orgName: string | null;
  permissions: string[];
}

/** Accepts `role` as an id string or as `{id, name, name_en}`; missing names fall back sensibly. */
export function normalizeMe(raw: MeRaw): Me {
  const role = raw.role;
  const roleObj = role && typeof role === 'object' ? role : null;
  const roleId = roleObj ? roleObj.id : typeof role === 'string' ? role : null;
  return {
    username: raw.username,
    displayName: raw.display_name || raw.username,
    roleId,
    roleName: raw.role_name ?? roleObj?.name ?? roleId,
    roleNameEn: raw.role_name_en ?? roleObj?.name_en ?? null,
    orgCode: raw.org_code ?? null,
    orgName: raw.org_name ?? null,
    permissions: Array.isArray(raw.permissions) ? raw.permissions : [],
  };
}

export function hasPermission(me: Me | null | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}

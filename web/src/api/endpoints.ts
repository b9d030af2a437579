import { api } from './client';
import type {
  AdminUser,
  AuditEntry,
  CustomerDetail,
  CustomerEvent,
  CustomerListItem,
  Items,
  LoginRequest,
  MeRaw,
  Org,
  Page,
  Role,
  TokenResponse,
  UserCreate,
  UserUpdate,
  WriteKey,
  WriteKeyCreated,
} from './types';

const enc = encodeURIComponent;

export const authApi = {
  login: (body: LoginRequest) =>
    api.post<TokenResponse>('/api/auth/login', body, { skipAuthRedirect: true }),
  me: (signal?: AbortSignal) => api.get<MeRaw>('/api/me', { signal }),
};

export const customersApi = {
  list: (params: { q?: string; limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<Page<CustomerListItem>>('/api/customers', { query: params, signal }),
  get: (id: string, unmask: boolean, signal?: AbortSignal) =>
    api.get<CustomerDetail>(`/api/customers/${enc(id)}`, {
      query: unmask ? { unmask: true } : undefined,
      signal,
    }),
  events: (id: string, limit: number, signal?: AbortSignal) =>
    api.get<Items<CustomerEvent>>(`/api/customers/${enc(id)}/events`, { query: { limit }, signal }),
};

export const orgsApi = {
  list: (signal?: AbortSignal) => api.get<Items<Org>>('/api/orgs', { signal }),
};

export const adminApi = {
  users: (signal?: AbortSignal) => api.get<Items<AdminUser>>('/api/admin/users', { signal }),
  createUser: (body: UserCreate) => api.post<AdminUser>('/api/admin/users', body),
  updateUser: (id: AdminUser['id'], body: UserUpdate) =>
    api.patch<AdminUser>(`/api/admin/users/${enc(String(id))}`, body),
  roles: (signal?: AbortSignal) => api.get<Items<Role>>('/api/admin/roles', { signal }),
  keys: (signal?: AbortSignal) => api.get<Items<WriteKey>>('/api/admin/keys', { signal }),
  createKey: (name: string) => api.post<WriteKeyCreated>('/api/admin/keys', { name }),
  revokeKey: (id: WriteKey['id']) => api.del<unknown>(`/api/admin/keys/${enc(String(id))}`),
  audit: (
    params: { limit: number; offset: number; action?: string; username?: string },
    signal?: AbortSignal,
  ) => api.get<Page<AuditEntry>>('/api/admin/audit', { query: params, signal }),
};

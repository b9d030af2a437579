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
  events: (id: string, limit: number, unmask = false, signal?: AbortSignal) =>
    api.get<Items<CustomerEvent>>(`/api/customers/${enc(id)}/events`, {
      query: unmask ? { limit, unmask: true } : { limit },
      signal,
    }),
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

/** Parse worker processes of the ingestion endpoints (`/v1/*`). */
export interface IngestParseWorkers {
  configured: number;
  running: number;
}

/**
 * `GET /api/tracking/status`: ingestion health. With mode `stopped` only `mode`, `parse_workers`
 * and `events_total` are sent.
 */
export interface IngestStatus {
  mode: 'background' | 'inline' | 'stopped' | (string & {});
  pending_events?: number;
  durable_position?: unknown[];
  flushed_position?: unknown[];
  flushes?: number;
  flushed_events?: number;
  stored_events?: number;
  duplicates_skipped?: number;
  /** ISO timestamp with offset (UTC), null before the first flush. */
  last_flush_at?: string | null;
  last_flush_ms?: number | null;
  last_error?: string | null;
  /** Anonymous ids seen without a known customer yet; null when not tracked. */
  unattributed_anonymous_ids?: number | null;
  parse_workers: IngestParseWorkers;
  events_total: number;
}

/** Ingestion status for the write keys page (needs the `admin:keys` permission). */
export const fetchIngestStatus = (signal?: AbortSignal) =>
  api.get<IngestStatus>('/api/tracking/status', { signal });

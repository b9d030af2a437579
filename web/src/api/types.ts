/**
 * Hand-written API shapes. They will be replaced by types generated from the backend's
 * OpenAPI schema (`npm run gen:api` writes src/api/schema.d.ts); keep names aligned with it.
 */

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Items<T> {
  items: T[];
}

// ---- auth -----------------------------------------------------------------

export interface LoginRequest {
  username: string;
  password: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer' | string;
  /** Seconds until the access token expires (the console refreshes it before). */
  expires_in?: number;
}

/** A role as `/api/me` may describe it: either its id, or an object. */
export interface RoleRef {
  id: string;
  name?: string;
  name_en?: string;
}

/** `GET /api/me`. Only `username` and `permissions` are relied on; the rest is shown if present. */
export interface MeRaw {
  id?: number | string;
  username: string;
  display_name?: string | null;
  role?: string | RoleRef | null;
  role_name?: string | null;
  role_name_en?: string | null;
  org_code?: string | null;
  org_name?: string | null;
  permissions?: string[];
}

// ---- customers -------------------------------------------------------------

export interface CustomerListItem {
  customer_id: string;
  name: string | null;
  gender: string | null;
  age: number | null;
  phone: string | null;
  tier: string | null;
  risk_level: string | null;
  org_code: string | null;
  org_name: string | null;
  rm_id?: string | null;
  rm_name: string | null;
  aum: number | null;
}

export type Consent = Partial<Record<string, boolean>>;

export interface CustomerProfile extends CustomerListItem {
  /** Full date only when unmasked; otherwise null and `birth_year` is shown. */
  birth_date: string | null;
  birth_year: number | null;
  id_number: string | null;
  email: string | null;
  province: string | null;
  city: string | null;
  occupation: string | null;
  income_band: string | null;
  open_date: string | null;
  acquisition_channel: string | null;
  lifecycle: string | null;
  consent: Consent | null;
  masked: boolean;
}

export interface Holding {
  product_id: string;
  product_name: string;
  product_type: string;
  risk_level: string | null;
  rate: number | null;
  balance: number;
  /** Loans and other liabilities: shown in the table, left out of the asset pie. */
  is_liability?: boolean;
  opened_at: string | null;
}

export interface AumPoint {
  date: string;
  aum: number;
}

export interface Transaction {
  ts: string;
  type: string | null;
  direction: string | null;
  amount: number;
  category: string | null;
  channel: string | null;
  description: string | null;
}

export interface CustomerEvent {
  event: string;
  /** Segment call type: track, page, screen, identify… */
  type?: string;
  timestamp: string;
  properties?: Record<string, unknown> | null;
  message_id?: string | null;
  channel?: string | null;
}

export interface CustomerDetail {
  profile: CustomerProfile;
  holdings: Holding[];
  aum_trend: AumPoint[];
  transactions: Transaction[];
  recent_events: CustomerEvent[];
}

// ---- governance ------------------------------------------------------------

export interface Org {
  code: string;
  name: string;
  parent_code: string | null;
  level: number | string | null;
}

export interface AdminUser {
  id: number | string;
  username: string;
  display_name: string | null;
  role: string;
  org_code: string;
  org_name: string | null;
  active: boolean;
  created_at: string | null;
}

export interface UserCreate {
  username: string;
  password: string;
  display_name?: string;
  role: string;
  org_code: string;
}

export interface UserUpdate {
  active?: boolean;
  display_name?: string;
  role?: string;
  org_code?: string;
  /** A new password set by an admin (same rules as at creation). */
  password?: string;
}

export interface Role {
  id: string;
  name: string;
  name_en: string | null;
  permissions: string[];
}

export interface WriteKey {
  id: number | string;
  name: string;
  prefix: string;
  created_at: string | null;
  revoked_at: string | null;
  created_by: string | null;
}

export interface WriteKeyCreated {
  id: number | string;
  name: string;
  prefix: string;
  key: string;
}

export interface AuditEntry {
  id: number | string;
  ts: string;
  username: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

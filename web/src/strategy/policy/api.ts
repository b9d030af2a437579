import { api } from '../../api/client';

/** Permission to change the bank-wide contact policy (head office). */
export const PERM_POLICY_EDIT = 'policy:edit';

export const CHANNELS = ['sms', 'push', 'inbox', 'placement', 'wechat', 'email', 'call', 'rm_task'] as const;
export type Channel = (typeof CHANNELS)[number];
export const BUSINESS_LINES = ['retail', 'card', 'wealth', 'loan'] as const;
export type BusinessLine = (typeof BUSINESS_LINES)[number];
export type Window = 'day' | 'week' | 'month';

export interface CapRule {
  kind: 'cap';
  window: Window;
  limit: number;
  channel: Channel | null;
  business_line: BusinessLine | null;
  purpose: 'marketing' | 'all';
  reserve: number;
  reserve_priority: number;
  action: 'suppress' | 'defer';
}

export interface QuietHoursRule {
  kind: 'quiet_hours';
  start: string;
  end: string;
  channel: Channel | null;
  action: 'defer' | 'drop';
  exempt_service: boolean;
  /** Channels a bank-wide rule spares (they wait for the customer instead of interrupting). */
  exempt_channels?: Channel[];
}

export interface ConsentRule {
  kind: 'consent';
  channel: Channel | null;
  purpose: 'service';
}

export type RuleBody = CapRule | QuietHoursRule | ConsentRule;

export interface RuleWrite {
  name: string;
  enabled: boolean;
  rule: RuleBody;
}

export interface RuleRead extends RuleWrite {
  id: number;
  updated_by: string | null;
  updated_at: string | null;
}

export interface ControlGroup {
  percent: number;
  drawn_at: string | null;
  drawn_by: string | null;
}

export interface DncEntry {
  customer_id: string;
  customer_name: string | null;
  reason: string;
  added_by: string | null;
  added_at: string;
}

export interface OptOut {
  customer_id: string;
  customer_name: string | null;
  channel: string;
  purpose: string;
  source: string;
  at: string;
}

export interface Suppression {
  customer_id: string;
  customer_name: string | null;
  channel: string;
  purpose: string;
  strategy_id: number | null;
  campaign_id: number | null;
  verdict: 'suppress' | 'defer';
  reason: string;
  rule_id: number | null;
  until: string | null;
  at: string;
}

export interface CheckWrite {
  customer_id: string;
  channel: Channel;
  purpose: 'marketing' | 'service';
  business_line: BusinessLine;
  priority: number;
  at?: string | null;
}

export interface CheckRead {
  verdict: 'allow' | 'suppress' | 'defer';
  reason: string | null;
  until: string | null;
  rule_id: number | null;
  usage: { rule_id: number; name: string; window: Window; used: number; limit: number }[];
}

const P = '/api/policy';

export const policyApi = {
  rules: (signal?: AbortSignal) => api.get<RuleRead[]>(`${P}/rules`, { signal }),
  createRule: (body: RuleWrite) => api.post<RuleRead>(`${P}/rules`, body),
  updateRule: (id: number, body: RuleWrite) => api.put<RuleRead>(`${P}/rules/${id}`, body),
  deleteRule: (id: number) => api.del<void>(`${P}/rules/${id}`),
  quietHours: (signal?: AbortSignal) => api.get<RuleRead | null>(`${P}/quiet-hours`, { signal }),
  setQuietHours: (rule: Omit<QuietHoursRule, 'kind' | 'channel'>, enabled: boolean) =>
    api.put<RuleRead>(`${P}/quiet-hours`, { kind: 'quiet_hours', ...rule }, { query: { enabled } }),
  controlGroup: (signal?: AbortSignal) => api.get<ControlGroup>(`${P}/control-group`, { signal }),
  setControlGroup: (percent: number) => api.put<ControlGroup>(`${P}/control-group`, { percent }),
  redrawControlGroup: () => api.post<ControlGroup>(`${P}/control-group/redraw`),
  dnc: (customerId: string | undefined, signal?: AbortSignal) =>
    api.get<DncEntry[]>(`${P}/dnc`, { signal, query: { customer_id: customerId || undefined } }),
  addDnc: (customer_id: string, reason: string) => api.post<DncEntry>(`${P}/dnc`, { customer_id, reason }),
  removeDnc: (customerId: string) => api.del<void>(`${P}/dnc/${encodeURIComponent(customerId)}`),
  optOuts: (customerId: string | undefined, signal?: AbortSignal) =>
    api.get<OptOut[]>(`${P}/opt-outs`, { signal, query: { customer_id: customerId || undefined } }),
  suppressions: (q: { customerId?: string; strategyId?: number | null }, signal?: AbortSignal) =>
    api.get<Suppression[]>(`${P}/suppressions`, {
      signal,
      query: { customer_id: q.customerId || undefined, strategy_id: q.strategyId ?? undefined },
    }),
  check: (body: CheckWrite) => api.post<CheckRead>(`${P}/check`, body),
};

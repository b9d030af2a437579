/** Types of the reach centre's API (/api/reach). */

export type ChannelKind = 'sms' | 'push' | 'inbox' | 'placement' | 'wechat' | 'email' | 'call' | 'rm_task';

export const CHANNEL_KINDS: ChannelKind[] = ['sms', 'push', 'inbox', 'placement', 'wechat', 'email', 'call', 'rm_task'];

export interface ProviderKind {
  kind: string;
  channels: ChannelKind[];
  secret_fields: string[];
  builtin: boolean;
  sandbox: boolean;
}

export interface ReachChannel {
  id: number;
  channel: ChannelKind;
  name: string;
  provider: string;
  sandbox: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  has_secret: boolean;
  unit_cost_fen: number;
  rate_per_second: number;
  burst: number;
  max_attempts: number;
  active: boolean;
  callback_path: string | null;
  updated_by: string | null;
  updated_at: string;
}

export interface Delivery {
  id: number;
  customer_id: string;
  channel: ChannelKind;
  channel_id: number | null;
  purpose: string;
  template_id: number | null;
  strategy_id: number | null;
  campaign_id: number | null;
  node_id: string | null;
  status: string;
  reason: string | null;
  dead: boolean;
  receipt: string | null;
  address_masked: string | null;
  cost_fen: number;
  attempts: number;
  next_attempt_at: string | null;
  delivered_at: string | null;
  clicked_at: string | null;
  failed_reason: string | null;
  created_at: string;
}

export interface DeliveryPage {
  items: Delivery[];
  total: number;
}

export interface ChannelDay {
  day: string;
  channel: ChannelKind;
  sent: number;
  accepted: number;
  suppressed: number;
  failed: number;
  unreachable: number;
  delivered: number;
  clicked: number;
  delivery_rate: number | null;
  click_rate: number | null;
  cost_fen: number;
}

export interface RmTask {
  id: number;
  customer_id: string;
  rm_id: string | null;
  title: string | null;
  script: string;
  facts: Record<string, string | number>;
  due_at: string | null;
  overdue: boolean;
  outcome: string | null;
  note: string | null;
  outcome_at: string | null;
  created_at: string;
}

export interface RmTaskPage {
  items: RmTask[];
  total: number;
  overdue: number;
}

export const REACH = '/api/reach';

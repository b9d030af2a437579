/** The campaign centre (`/api/campaigns/...`, `/api/approvals/...`). Shapes follow `mofang.campaigns.*.contracts`. */
import { api } from '../api/client';

export type ParamType =
  | 'int' | 'number' | 'string' | 'bool' | 'enum' | 'event' | 'events' | 'benefit' | 'content' | 'time' | 'prizes' | 'days';

export interface Param {
  key: string;
  label: string;
  type: ParamType;
  description: string;
  required: boolean;
  default: unknown;
  minimum: number | null;
  maximum: number | null;
  choices: string[] | null;
  channel: string | null;
}

export interface TemplateRead {
  id: string;
  name: string;
  description: string;
  category: string;
  params: Param[];
  h5: boolean;
}

export interface PreviewNode {
  id: string;
  type: string;
  title: string | null;
  next: string[];
}

export interface PreviewRead {
  template_id: string;
  params: Record<string, unknown>;
  strategies: { key: string; name: string; nodes: PreviewNode[] }[];
  benefit_ids: number[];
  content_ids: number[];
  funnel: { name: string; steps: string[]; window_days: number } | null;
}

export type CampaignStatus =
  | 'draft' | 'submitted' | 'approved' | 'rejected' | 'scheduled' | 'running' | 'paused' | 'ended' | 'archived';
export type CampaignAction = 'launch' | 'pause' | 'resume' | 'end' | 'archive';

export interface CampaignRead {
  id: number;
  name: string;
  description: string;
  template_id: string;
  template_name: string;
  params: Record<string, unknown>;
  segment_id: number | null;
  owner_org: string;
  budget: number | null;
  stock: number | null;
  products: string[];
  starts_at: string;
  ends_at: string;
  status: CampaignStatus;
  revision: number;
  approved_revision: number | null;
  reject_reason: string | null;
  strategy_ids: number[];
  analysis_id: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface CampaignWrite {
  name: string;
  description?: string;
  template_id: string;
  params: Record<string, unknown>;
  segment_id?: number | null;
  budget?: number | null;
  stock?: number | null;
  products?: string[];
  starts_at: string;
  ends_at: string;
}

export interface Check {
  code: string;
  ok: boolean;
  severity: 'error' | 'warning' | 'info';
  params: Record<string, unknown>;
}

export interface DiffRow {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ApprovalRead {
  id: number;
  object_type: string;
  object_id: string;
  revision: number;
  title: string;
  owner_org: string;
  approver_org: string | null;
  amount: number | null;
  maker: string;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  decided_by: string | null;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
  diff: DiffRow[];
  checks: Check[];
  can_decide: boolean;
}

export interface CalendarEntry {
  id: number;
  name: string;
  status: CampaignStatus;
  owner_org: string;
  starts_at: string;
  ends_at: string;
  segment_id: number | null;
  conflicts: number[];
}

export type Stage = 'targeted' | 'reached' | 'joined' | 'completed' | 'rewarded';

export interface CampaignFunnel {
  campaign_id: number;
  stages: { stage: Stage; count: number | null }[];
  as_of: string;
}

export interface InviteNode {
  customer: string;
  name: string | null;
  status: string;
  reason: string | null;
  referral_id: number | null;
  invited: number;
  completed: number;
  more: number;
  children: InviteNode[];
}

export interface InviteTree {
  campaign_id: number;
  total_roots: number;
  depth: number;
  offset: number;
  limit: number;
  roots: InviteNode[];
}

export interface ReferralRead {
  id: number;
  campaign_id: number;
  inviter: string;
  invitee: string;
  status: string;
  reason: string | null;
  created_at: string;
}

const base = '/api/campaigns';

export const campaignsApi = {
  templates: (signal?: AbortSignal) => api.get<TemplateRead[]>(`${base}/templates`, { signal }),
  preview: (id: string, params: Record<string, unknown>, segmentId?: number | null) =>
    api.post<PreviewRead>(`${base}/templates/${encodeURIComponent(id)}/preview`, { params, segment_id: segmentId ?? null }),
  list: (signal?: AbortSignal) => api.get<CampaignRead[]>(base, { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<CampaignRead>(`${base}/${id}`, { signal }),
  create: (body: CampaignWrite) => api.post<CampaignRead>(base, body),
  update: (id: number, body: Partial<CampaignWrite>) => api.patch<CampaignRead>(`${base}/${id}`, body),
  checks: (id: number, signal?: AbortSignal) => api.get<Check[]>(`${base}/${id}/checks`, { signal }),
  submit: (id: number) => api.post<ApprovalRead>(`${base}/${id}/submit`),
  history: (id: number, signal?: AbortSignal) => api.get<ApprovalRead[]>(`${base}/${id}/approvals`, { signal }),
  act: (id: number, action: CampaignAction) => api.post<CampaignRead>(`${base}/${id}/${action}`),
  calendar: (signal?: AbortSignal) => api.get<CalendarEntry[]>(`${base}/calendar`, { signal }),
  funnel: (id: number, signal?: AbortSignal) => api.get<CampaignFunnel>(`${base}/${id}/funnel`, { signal }),
  invites: (id: number, query: { depth: number; limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<InviteTree>(`${base}/${id}/invites`, { signal, query }),
  held: (campaignId: number, signal?: AbortSignal) =>
    api.get<ReferralRead[]>(`${base}/referrals/held`, { signal, query: { campaign_id: campaignId } }),
  review: (referralId: number, release: boolean) =>
    api.post<ReferralRead>(`${base}/referrals/${referralId}/review`, { release }),
  inbox: (signal?: AbortSignal) => api.get<ApprovalRead[]>('/api/approvals', { signal }),
  decide: (id: number, approve: boolean, reason?: string) =>
    api.post<ApprovalRead>(`/api/approvals/${id}/decide`, { approve, reason: reason ?? null }),
};

/** ML insight (`/api/insight/ml/...`): decision trees and leaf → segment. Shapes follow `insight/ml/contracts.py`. */
import { api, request } from './client';
import type { SegmentRead } from './insight';

export interface FeatureInfo {
  key: string;
  label: string;
  kind: 'number' | 'category';
  segmentable: boolean;
}

export interface TreeRequest {
  name?: string;
  target?: string | null;
  target_tag?: string | null;
  target_value?: string | null;
  features: string[];
  max_depth: number;
  min_leaf: number;
  horizon_days: number;
}

export interface TreeNode {
  id: number;
  parent: number | null;
  depth: number;
  leaf: boolean;
  split?: string | null;
  feature?: string | null;
  threshold?: number | null;
  left?: number | null;
  right?: number | null;
  count: number;
  positives: number;
  rate: number;
  lift: number;
  holdout_count: number;
  holdout_rate: number;
  holdout_lift: number;
  rule: string;
  segmentable: boolean;
}

export interface LeafQuality {
  node_id: number;
  rule: string;
  count: number;
  rate: number;
  holdout_count: number;
  holdout_rate: number;
  holdout_lift: number;
}

export interface TreeMetrics {
  train_cutoff: string;
  holdout_cutoff: string;
  train_rows: number;
  holdout_rows: number;
  train_rate: number;
  holdout_rate: number;
  auc: number | null;
  best_leaves: LeafQuality[];
}

export interface TreeRead {
  id: number;
  name: string;
  request: TreeRequest;
  owner_org: string;
  created_by: string | null;
  created_at: string;
  nodes: TreeNode[];
  rules: string[];
  metrics: TreeMetrics;
}

export interface ChurnRules {
  aum_drop_pct: number;
  window_days: number;
  inactive_days: number;
  min_aum: number;
  use_aum_rule: boolean;
  use_login_rule: boolean;
}

export interface RiskBucket {
  level: string;
  count: number;
  ratio: number;
}

export interface ChurnTopFeature {
  feature?: string;
  label?: string;
  importance?: number;
  [key: string]: string | number | undefined;
}

export interface ChurnMetrics {
  train_cutoffs: string[];
  holdout_cutoff: string;
  holdout_end: string;
  train_rows: number;
  train_churners: number;
  holdout_rows: number;
  holdout_churners: number;
  base_rate: number;
  auc: number | null;
  precision_top5?: number | null;
  lift_top5?: number | null;
  recall_top5?: number | null;
  high_cut: number;
  medium_cut: number;
  top_features: ChurnTopFeature[];
  rules_used?: ChurnRules | null;
  notes: string[];
}

export interface ChurnRead {
  rules: ChurnRules;
  model_id: number | null;
  trained_at: string | null;
  trained_by: string | null;
  metrics: ChurnMetrics | null;
  scored_on: string | null;
  distribution: RiskBucket[];
  segment_id: number | null;
}

export interface ChurnCustomer {
  customer_id: string;
  name: string | null;
  phone: string | null;
  org_code: string;
  org_name?: string | null;
  rm_id: string | null;
  rm_name?: string | null;
  tier: string | null;
  aum: number | null;
  risk: string;
  score: number;
}

export interface ChurnCustomerPage {
  items: ChurnCustomer[];
  total: number;
  day: string | null;
}

export const mlApi = {
  features: (signal?: AbortSignal) => api.get<FeatureInfo[]>('/api/insight/ml/features', { signal }),
  train: (body: TreeRequest) => api.post<TreeRead>('/api/insight/ml/trees', body),
  saveLeaf: (treeId: number, nodeId: number, name: string) =>
    api.post<SegmentRead>(`/api/insight/ml/trees/${treeId}/leaves/${nodeId}/segment`, { name }),
  churn: (signal?: AbortSignal) => api.get<ChurnRead>('/api/insight/ml/churn', { signal }),
  trainChurn: () => api.post<ChurnRead>('/api/insight/ml/churn/train', {}),
  updateChurnRules: (rules: ChurnRules) => request<ChurnRules>('PUT', '/api/insight/ml/churn/rules', { body: rules }),
  churnCustomers: (params: { level: string; limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<ChurnCustomerPage>('/api/insight/ml/churn/customers', { query: params, signal }),
  churnSegment: () => api.post<SegmentRead>('/api/insight/ml/churn/segment', {}),
};

// ---- flows (客群流向, `/api/insight/flows`) -------------------------------------------

export interface FlowCell {
  source: string;
  target: string;
  count: number;
  ratio: number;
}

export interface FlowRead {
  tiers: string[];
  start: string;
  end: string;
  cells: FlowCell[];
  start_sizes: Record<string, number>;
  end_sizes: Record<string, number>;
}

export interface TrendPoint {
  day: string;
  sizes: Record<string, number>;
}

/** A tiering: a tag's labels, or an ordered list of segments (a customer falls in the first that holds them). */
export type FlowTiering = { tag: string; segment_ids?: undefined } | { segment_ids: number[]; tag?: undefined };

export type FlowCellSegment = FlowTiering & {
  start: string;
  end: string;
  source: string;
  target: string;
  name: string;
};

function trendQuery(tiering: FlowTiering, days: string[]): string {
  const pairs: string[][] = tiering.segment_ids ? tiering.segment_ids.map((id) => ['segment_ids', String(id)]) : [['tag', tiering.tag]];
  return new URLSearchParams([...pairs, ...days.map((d) => ['days', d])]).toString();
}

export const flowsApi = {
  flow: (body: FlowTiering & { start: string; end: string }, signal?: AbortSignal) =>
    api.post<FlowRead>('/api/insight/flows', body, { signal }),
  trend: (tiering: FlowTiering, days: string[], signal?: AbortSignal) =>
    api.get<TrendPoint[]>(`/api/insight/flows/trend?${trendQuery(tiering, days)}`, { signal }),
  saveCell: (body: FlowCellSegment) => api.post<SegmentRead>('/api/insight/flows/segment', body),
};

// ---- segment sets (客群集, `/api/insight/segment-sets`) -----------------------------------

export interface SetSegment {
  id: number;
  name: string;
  kind: string;
  count: number | null;
}

export interface SegmentSetRead {
  id: number;
  name: string;
  strategy: string;
  owner_org: string;
  created_by: string | null;
  created_at: string;
  segments: SetSegment[];
  share_all: boolean;
  shared_with: string[];
  reference_count: number;
  referenced_by_me: boolean;
  owned: boolean;
}

export interface SegmentSetCreate {
  name: string;
  strategy: string;
  segment_ids: number[];
}

export const setsApi = {
  list: (signal?: AbortSignal) => api.get<SegmentSetRead[]>('/api/insight/segment-sets', { signal }),
  /** One set with each segment counted inside the viewer's scope (a receiver sees only its own customers). */
  get: (id: number, signal?: AbortSignal) => api.get<SegmentSetRead>(`/api/insight/segment-sets/${id}`, { signal }),
  create: (body: SegmentSetCreate) => api.post<SegmentSetRead>('/api/insight/segment-sets', body),
  remove: (id: number) => api.del<unknown>(`/api/insight/segment-sets/${id}`),
  share: (id: number, body: { all: boolean; org_codes: string[] }) =>
    api.post<SegmentSetRead>(`/api/insight/segment-sets/${id}/share`, body),
  reference: (id: number) => api.post<SegmentSetRead>(`/api/insight/segment-sets/${id}/reference`, {}),
  unreference: (id: number) => api.del<SegmentSetRead>(`/api/insight/segment-sets/${id}/reference`),
};

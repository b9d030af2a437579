import { api, downloadFile } from '../../api/client';

export type BenefitKind = 'full_reduction' | 'discount' | 'cash' | 'points' | 'rate_boost' | 'physical';

export type BenefitSpec =
  | { kind: 'full_reduction'; threshold_fen: number; amount_fen: number }
  | { kind: 'discount'; rate: number; cap_fen: number }
  | { kind: 'cash'; amount_fen: number }
  | { kind: 'points'; points: number }
  | { kind: 'rate_boost'; boost_bp: number; product_code: string; days: number }
  | { kind: 'physical'; item: string };

export interface Benefit {
  id: number;
  name: string;
  kind: BenefitKind;
  spec: BenefitSpec;
  valid_from: string | null;
  valid_to: string | null;
  valid_days: number | null;
  per_customer_limit: number;
  stackable: boolean;
  cost_fen: number;
  cost_on: 'issue' | 'redeem';
  owner_org: string;
  status: 'active' | 'archived';
  created_by: string | null;
  created_at: string;
}

export interface BenefitCreate {
  name: string;
  spec: BenefitSpec;
  valid_from?: string;
  valid_to?: string;
  valid_days?: number;
  per_customer_limit: number;
  stackable: boolean;
  cost_fen?: number;
  owner_org?: string;
}

export interface Pool {
  id: number;
  benefit_id: number;
  campaign_id: number;
  org_code: string;
  parent_id: number | null;
  stock_total: number;
  stock_remaining: number;
  budget_fen: number;
  budget_remaining_fen: number;
}

export interface LedgerRow {
  id: number;
  benefit_id: number;
  campaign_id: number;
  customer_id: string;
  customer_name: string | null;
  org_code: string;
  status: 'issued' | 'refused';
  reason: string | null;
  state: 'issued' | 'redeemed' | 'expired' | 'refused';
  fulfilment: string | null;
  cost_fen: number;
  source: string;
  issued_at: string;
  expires_at: string | null;
}

export interface ReconciliationRow {
  benefit_id: number;
  benefit_name: string;
  campaign_id: number;
  org_code: string;
  issued: number;
  redeemed: number;
  expired: number;
  outstanding: number;
  refused: Record<string, number>;
  stock_total: number;
  stock_remaining: number;
  budget_fen: number;
  budget_remaining_fen: number;
  reserved_fen: number;
  cost_fen: number;
}

export interface BurnPoint {
  day: string;
  issued: number;
  stock_remaining: number;
  budget_remaining_fen: number;
}

/** Where claims are decided and whether an answer given survives a Redis crash (`code` is a message key). */
export interface ClaimsStatus {
  store: 'embedded' | 'redis';
  durability: 'durable' | 'not_durable' | 'unknown';
  code: string;
  appendonly: string | null;
  appendfsync: string | null;
}

export const benefitsApi = {
  status: (signal?: AbortSignal) => api.get<ClaimsStatus>('/api/benefits/status', { signal }),
  list: (signal?: AbortSignal) => api.get<Benefit[]>('/api/benefits', { signal }),
  create: (body: BenefitCreate) => api.post<Benefit>('/api/benefits', body),
  setStatus: (id: number, status: 'active' | 'archived') => api.patch<Benefit>(`/api/benefits/${id}`, { status }),
  pools: (signal?: AbortSignal) => api.get<Pool[]>('/api/benefits/pools', { signal }),
  createPool: (body: { benefit_id: number; campaign_id: number; stock: number; budget_fen: number }) =>
    api.post<Pool>('/api/benefits/pools', body),
  allocate: (poolId: number, body: { org_code: string; stock: number; budget_fen: number }) =>
    api.post<Pool>(`/api/benefits/pools/${poolId}/allocations`, body),
  ledger: (query: { customer_id?: string; limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<{ items: LedgerRow[]; total: number }>('/api/benefits/ledger', { signal, query }),
  reconciliation: (signal?: AbortSignal, campaignId?: number) =>
    api.get<ReconciliationRow[]>('/api/benefits/reconciliation', {
      signal, query: campaignId === undefined ? undefined : { campaign_id: campaignId } }),
  burndown: (benefitId: number, campaignId: number, signal?: AbortSignal) =>
    api.get<BurnPoint[]>(`/api/benefits/${benefitId}/burndown`, { signal, query: { campaign_id: campaignId } }),
  exportReconciliation: (lang: string) =>
    downloadFile('/api/benefits/reconciliation/export.csv', 'benefits-reconciliation.csv', { lang }),
};

/** The strategy centre (`/api/strategies/...`). Shapes follow `mofang.strategy.canvas.contracts`. */
import { api, ApiError } from './client';

export const PERM_STRATEGY_PUBLISH = 'strategy:publish';

export type StrategyStatus = 'draft' | 'published' | 'paused' | 'stopped' | 'archived';
export type Lifecycle = 'pause' | 'resume' | 'stop' | 'archive';

/** A node as stored in a draft: its id, type, title and position, and the type's own fields. */
export interface DraftNode {
  id: string;
  type: string;
  title?: string | null;
  position?: { x: number; y: number };
  [field: string]: unknown;
}

export interface DraftEdge {
  source: string;
  target: string;
  label: string;
}

export interface StrategySettings {
  business_line?: 'retail' | 'card' | 'wealth' | 'loan';
  priority?: number;
  holdout_percent?: number;
  timezone?: string;
}

export interface DraftGraph {
  nodes: DraftNode[];
  edges: DraftEdge[];
  settings: StrategySettings;
}

export interface StrategyRead {
  id: number;
  name: string;
  description: string;
  owner_org: string;
  created_by: string | null;
  status: StrategyStatus;
  current_version: number;
  published_version: number | null;
  has_draft: boolean;
  created_at: string;
  updated_at: string;
  graph: DraftGraph | null;
}

export interface Problem {
  node_id: string | null;
  field: string;
  code: string;
  params: Record<string, string | number>;
  severity: 'error' | 'warning';
}

export interface ValidationRead {
  ok: boolean;
  problems: Problem[];
}

export interface VersionSummary {
  version: number;
  created_by: string | null;
  created_at: string;
  published_at: string | null;
  note: string | null;
}

export interface Option {
  id: number;
  name: string;
}

export interface PropertyOption {
  key: string;
  label: string;
  type: string;
  values?: string[] | null;
}

export interface StrategyCatalogue {
  owner_org: string;
  segments: Option[];
  tags: { key: string; name: string; manual: boolean; value_type: string; values?: string[] | null }[];
  events: { name: string; label: string; properties: PropertyOption[] }[];
  attributes: (PropertyOption & { custom: boolean })[];
  templates: Record<string, Option[]>;
  benefits: Option[];
  channels: string[];
  operators: Record<string, string[]>;
}

export interface NodeStats {
  entered: number;
  waiting: number;
  passed: Record<string, number>;
  converted: number;
  exited: number;
  suppressed: Record<string, number>;
  failed: number;
}

export interface StrategyStats {
  strategy_id: number;
  version: number;
  nodes: Record<string, NodeStats>;
  edges: { source: string; target: string; label: string; count: number }[];
  totals: { entered: number; active: number; converted: number; exited: number; holdout: number };
}

export interface NodeCustomer {
  customer_id: string;
  name?: string | null;
  [key: string]: unknown;
}

const base = '/api/strategies';

/** null when the monitoring endpoints are not there (404): the console shows "—". */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
}

export const strategyApi = {
  list: (signal?: AbortSignal) => api.get<StrategyRead[]>(base, { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<StrategyRead>(`${base}/${id}`, { signal }),
  create: (body: { name: string; description?: string; graph?: DraftGraph }) => api.post<StrategyRead>(base, body),
  update: (id: number, body: { name?: string; description?: string; graph?: DraftGraph; note?: string }) =>
    api.put<StrategyRead>(`${base}/${id}`, body),
  validate: (id: number, graph?: DraftGraph) => api.post<ValidationRead>(`${base}/${id}/validate`, graph),
  publish: (id: number, body: { migrate_instances?: boolean; note?: string } = {}) =>
    api.post<StrategyRead>(`${base}/${id}/publish`, body),
  lifecycle: (id: number, action: Lifecycle) => api.post<StrategyRead>(`${base}/${id}/${action}`),
  versions: (id: number, signal?: AbortSignal) => api.get<VersionSummary[]>(`${base}/${id}/versions`, { signal }),
  version: (id: number, v: number) => api.get<{ version: number; graph: DraftGraph }>(`${base}/${id}/versions/${v}`),
  catalogue: (strategyId?: number, signal?: AbortSignal) =>
    api.get<StrategyCatalogue>(`${base}/catalogue${strategyId ? `?strategy_id=${strategyId}` : ''}`, { signal }),
  stats: (id: number, version?: number | null, signal?: AbortSignal) =>
    orNull(api.get<StrategyStats>(`${base}/${id}/stats${version ? `?version=${version}` : ''}`, { signal })),
  nodeCustomers: (id: number, node: string, limit = 20, offset = 0) =>
    orNull(
      api.get<{ items: NodeCustomer[]; total?: number } | NodeCustomer[]>(
        `${base}/${id}/nodes/${encodeURIComponent(node)}/customers?limit=${limit}&offset=${offset}`,
      ),
    ),
};

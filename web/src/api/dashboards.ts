/**
 * Saved analyses (`/api/analytics/saved`), dashboards (`/api/dashboards`) and the audited CSV export of analysis
 * results (`/api/analytics/{model}/export`). Shapes follow `mofang.monitor.dashboards.contracts`.
 */
import { api, downloadFile } from './client';
import { currentLang } from '../i18n/current';
import type {
  AttributionQuery,
  AttributionResult,
  DistributionQuery,
  DistributionResult,
  FunnelQuery,
  FunnelResult,
  IntervalQuery,
  IntervalResult,
  LtvQuery,
  LtvResult,
  MauAumQuery,
  MauAumResult,
  PathsQuery,
  PathsResult,
  PropertiesQuery,
  PropertiesResult,
  RetentionQuery,
  RetentionResult,
  RfmQuery,
  RfmResult,
  TrendsQuery,
  TrendsResult,
} from './analytics';

/** Query and result types of each analysis model, keyed by the model's name in the API path. */
export interface AnalysisModels {
  trends: { query: TrendsQuery; result: TrendsResult };
  funnel: { query: FunnelQuery; result: FunnelResult };
  retention: { query: RetentionQuery; result: RetentionResult };
  paths: { query: PathsQuery; result: PathsResult };
  attribution: { query: AttributionQuery; result: AttributionResult };
  distribution: { query: DistributionQuery; result: DistributionResult };
  interval: { query: IntervalQuery; result: IntervalResult };
  properties: { query: PropertiesQuery; result: PropertiesResult };
  ltv: { query: LtvQuery; result: LtvResult };
  rfm: { query: RfmQuery; result: RfmResult };
  'mau-aum': { query: MauAumQuery; result: MauAumResult };
}
export type AnalysisModel = keyof AnalysisModels;

/** The console page of a model, opening a saved analysis when `savedId` is given. */
export function analysisPath(model: AnalysisModel, savedId?: number): string {
  const page = model === 'mau-aum' ? '/monitor/mau-aum' : `/analytics/${model}`;
  return savedId === undefined ? page : `${page}?saved=${savedId}`;
}
export type QueryOf<M extends AnalysisModel> = AnalysisModels[M]['query'];
export type ResultOf<M extends AnalysisModel> = AnalysisModels[M]['result'];
/** Any model's query as the API stores it (the contract of `model` validates it). */
export type AnyQuery = QueryOf<AnalysisModel>;

/** `fixed`: the saved dates; `last_days`: the last N bank days ending on the day it is run. */
export type SavedRange = { kind: 'fixed' } | { kind: 'last_days'; days: number };

export interface SavedAnalysis {
  id: number;
  name: string;
  description: string | null;
  model: AnalysisModel;
  query: AnyQuery;
  range: SavedRange;
  /** Visible to every user with analytics access (runs still use each viewer's own data scope). */
  shared: boolean;
  owner: string;
  org_code: string | null;
  created_at: string;
  updated_at: string;
  /** Whether the caller may change or delete it (its owner, or an administrator). */
  can_edit: boolean;
}

export interface SavedAnalysisCreate {
  name: string;
  description?: string | null;
  model: AnalysisModel;
  query: AnyQuery;
  range: SavedRange;
  /** Left out on update: the server keeps the current value. */
  shared?: boolean | null;
}

/** One run of a saved analysis: the effective query (dates filled in) and the model's result. */
export interface SavedRun<M extends AnalysisModel = AnalysisModel> {
  analysis: SavedAnalysis;
  query: QueryOf<M>;
  result: ResultOf<M>;
}

export type WidgetSize = 'half' | 'full';

export interface DashboardItem {
  id: number;
  analysis_id: number;
  position: number;
  size: WidgetSize;
  analysis: SavedAnalysis;
}

export interface Dashboard {
  id: number;
  name: string;
  description: string | null;
  shared: boolean;
  owner: string;
  org_code: string | null;
  created_at: string;
  updated_at: string;
  /** Whether the caller may change it (its owner, or an administrator). */
  can_edit: boolean;
  items: DashboardItem[];
}

export interface DashboardWrite {
  name: string;
  description?: string | null;
  shared: boolean;
}

/** Exports the result of `query` as CSV: the server runs it, writes the audit entry and names the file. */
export function exportAnalysisCsv<M extends AnalysisModel>(model: M, query: QueryOf<M>): Promise<void> {
  return downloadFile(`/api/analytics/${model}/export`, `${model}.csv`, { lang: currentLang() }, query);
}

const saved = (id: number) => `/api/analytics/saved/${id}`;
const board = (id: number) => `/api/dashboards/${id}`;

export const savedApi = {
  list: (signal?: AbortSignal) => api.get<SavedAnalysis[]>('/api/analytics/saved', { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<SavedAnalysis>(saved(id), { signal }),
  create: (body: SavedAnalysisCreate) => api.post<SavedAnalysis>('/api/analytics/saved', body),
  update: (id: number, body: SavedAnalysisCreate) => api.put<SavedAnalysis>(saved(id), body),
  remove: (id: number) => api.del<void>(saved(id)),
  run: (id: number, signal?: AbortSignal) => api.post<SavedRun>(`${saved(id)}/run`, undefined, { signal }),
  /** The saved analysis as CSV (audited on the server), saved under the server's file name. */
  exportCsv: (id: number) => downloadFile(`${saved(id)}/export`, `analysis-${id}.csv`, { lang: currentLang() }, {}),
};

export const dashboardsApi = {
  list: (signal?: AbortSignal) => api.get<Dashboard[]>('/api/dashboards', { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<Dashboard>(board(id), { signal }),
  create: (body: DashboardWrite) => api.post<Dashboard>('/api/dashboards', body),
  update: (id: number, body: DashboardWrite) => api.put<Dashboard>(board(id), body),
  remove: (id: number) => api.del<void>(board(id)),
  /** Pins a saved analysis (409 when it is already on the dashboard). */
  addItem: (id: number, analysisId: number, size: WidgetSize = 'half') =>
    api.post<DashboardItem>(`${board(id)}/items`, { analysis_id: analysisId, size }),
  removeItem: (id: number, itemId: number) => api.del<void>(`${board(id)}/items/${itemId}`),
  reorder: (id: number, order: number[]) => api.put<Dashboard>(`${board(id)}/items`, { order }),
  resize: (id: number, itemId: number, size: WidgetSize) =>
    api.patch<DashboardItem>(`${board(id)}/items/${itemId}`, { size }),
};

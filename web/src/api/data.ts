import { api, downloadFile, postForm } from './client';

/** Permission to load the bank's own data (数据接入). */
export const PERM_DATA_LOAD = 'data:load';

export interface DataField {
  key: string;
  type: string;
  zh: string;
  meaning: string;
  example: string;
  required: boolean;
  pii: boolean;
  choices: string[];
  aliases: string[];
}

export interface DataEntity {
  name: string;
  zh: string;
  key: string[];
  full_allowed: boolean;
  fields: DataField[];
}

export interface DataLoad {
  id: number;
  source: string;
  entity: string;
  mode: 'full' | 'delta';
  file_name: string | null;
  status: 'running' | 'ok' | 'failed';
  rows_read: number;
  rows_loaded: number;
  rows_unchanged: number;
  rows_rejected: number;
  rows_closed: number;
  events_emitted: number;
  error: string | null;
  error_code: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  username: string | null;
}

export interface DataLoadRequest {
  file: File;
  entity: string;
  mode: 'full' | 'delta';
  source?: string;
  columns?: Record<string, string>;
  values?: Record<string, Record<string, string>>;
  rejectThreshold?: number;
}

/** Customers the viewer may see with an address on one channel (身份覆盖). */
export interface ChannelCoverage {
  channel: string;
  reachable: number;
  share: number;
}

export interface IdentityCoverage {
  customers: number;
  channels: ChannelCoverage[];
}

/** One table of the data-quality view (数据质量), counted within the viewer's scope. */
export interface TableQuality {
  table: string;
  rows: number;
  last_load_at: string | null;
  latest_business_date: string | null;
  null_rates: { field: string; nulls: number; share: number }[];
  orphans: { check: string; rows: number }[];
}

export interface DataQuality {
  tables: TableQuality[];
  identity_coverage: IdentityCoverage;
}

export const dataApi = {
  quality: (signal?: AbortSignal) => api.get<DataQuality>('/api/data/quality', { signal }),
  identityCoverage: (signal?: AbortSignal) =>
    api.get<IdentityCoverage>('/api/data/identities/coverage', { signal }),
  entities: (signal?: AbortSignal) => api.get<DataEntity[]>('/api/data/entities', { signal }),
  loads: (signal?: AbortSignal) =>
    api.get<{ items: DataLoad[]; total: number }>('/api/data/loads', { signal, query: { limit: 50 } }),
  load: (req: DataLoadRequest) => {
    const form = new FormData();
    form.append('file', req.file);
    form.append('entity', req.entity);
    form.append('mode', req.mode);
    if (req.source) form.append('source', req.source);
    if (req.rejectThreshold !== undefined) form.append('reject_threshold', String(req.rejectThreshold));
    if (req.columns) form.append('mapping', JSON.stringify({ columns: req.columns, values: req.values ?? {} }));
    return postForm<DataLoad>('/api/data/loads', form);
  },
  downloadRejects: (id: number) => downloadFile(`/api/data/loads/${id}/rejects`, `rejects-${id}.csv`),
};

/** Tags, segments and the field catalogue (`/api/insight/...`). Shapes follow the backend's contracts. */
import { api, postForm } from './client';

const enc = encodeURIComponent;

// ---- catalogue --------------------------------------------------------------

export type FieldType = 'string' | 'number' | 'date' | 'bool';

export interface FieldInfo {
  key: string;
  label: string;
  type: FieldType;
  values?: string[] | null;
  ops: string[];
}

export interface EventInfo {
  name: string;
  label: string;
  count?: number | null;
  properties: FieldInfo[];
}

export interface TagInfo {
  id: number;
  key: string;
  name: string;
  family: string;
  value_type: FieldType;
  values?: string[] | null;
  ops: string[];
}

export interface ProductInfo {
  product_id: string;
  name: string;
  product_type: string;
}

export interface Catalogue {
  attributes: FieldInfo[];
  events: EventInfo[];
  transactions: EventInfo[];
  transaction_properties: FieldInfo[];
  product_types: string[];
  products: ProductInfo[];
  tags: TagInfo[];
  operators: Record<string, string[]>;
}

// ---- condition tree -----------------------------------------------------------

export type Scalar = string | number | boolean;
export type Value = Scalar | Scalar[] | null;
export type Op =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between' | 'in' | 'not_in' | 'contains'
  | 'is_null' | 'is_not_null' | 'within_last_days';
export type CountOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between';
export type Measure = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'distinct';

export interface Window {
  last_days?: number | null;
  start?: string | null;
  end?: string | null;
}

export interface PropertyFilter {
  property: string;
  op: Op;
  value?: Value;
}

export interface AttributeCondition {
  type: 'attribute';
  field: string;
  op: Op;
  value?: Value;
}

export interface TagCondition {
  type: 'tag';
  tag: string;
  op: Op;
  value?: Value;
  on_date?: string | null;
  days_ago?: number | null;
}

export interface BehaviourCondition {
  type: 'behaviour';
  source: 'events' | 'transactions';
  event?: string | null;
  filters: PropertyFilter[];
  did: boolean;
  measure: Measure;
  property?: string | null;
  op: CountOp;
  value: number | number[];
  window: Window;
}

export interface SequenceStep {
  event: string;
  filters: PropertyFilter[];
}

export interface SequenceCondition {
  type: 'sequence';
  steps: SequenceStep[];
  within_hours: number;
  did: boolean;
  window: Window;
}

export interface HoldingCondition {
  type: 'holding';
  product_type?: string | null;
  product_id?: string | null;
  holds: boolean;
  op?: CountOp | null;
  value?: number | number[] | null;
  matures_within_days?: number | null;
}

export interface SegmentCondition {
  type: 'segment';
  segment_id: number;
  member: boolean;
}

export interface ListCondition {
  type: 'list';
  list_id: number;
  member: boolean;
}

export interface GroupCondition {
  type: 'group';
  op: 'and' | 'or';
  conditions: Condition[];
}

export interface NotCondition {
  type: 'not';
  condition: Condition;
}

export type Condition =
  | AttributeCondition
  | TagCondition
  | BehaviourCondition
  | SequenceCondition
  | HoldingCondition
  | SegmentCondition
  | ListCondition
  | GroupCondition
  | NotCondition;

export type ConditionKind = Condition['type'];

// ---- segments -----------------------------------------------------------------

export interface EstimateRead {
  count: number;
  total: number;
  ratio: number;
  elapsed_ms: number;
}

export interface SegmentRead {
  id: number;
  name: string;
  description: string;
  kind: 'dynamic' | 'static' | string;
  /** null: stored under older rules and no longer readable (last_error says so); editing replaces it. */
  definition: Condition | null;
  version: number;
  owner_org: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_count: number | null;
  last_evaluated_on: string | null;
  frozen_on: string | null;
  editable: boolean;
  /** Why the last daily snapshot failed (null once it ran). */
  last_error?: string | null;
  last_error_at?: string | null;
}

export interface SegmentCreate {
  name: string;
  description: string;
  kind: 'dynamic' | 'static';
  definition: Condition;
}

export interface SegmentUpdate {
  name?: string;
  description?: string;
  definition?: Condition;
}

export interface MemberRow {
  customer_id: string;
  name: string | null;
  gender: string | null;
  age: number | null;
  phone: string | null;
  province: string | null;
  city: string | null;
  tier: string | null;
  risk_level: string | null;
  aum: number | null;
  org_code: string;
  rm_id: string | null;
}

export interface MemberPage {
  items: MemberRow[];
  total: number;
  day?: string | null;
}

export interface CompositionBucket {
  value: string;
  count: number;
  ratio: number;
}

export interface Composition {
  total: number;
  dimensions: Record<string, CompositionBucket[]>;
}

export interface SnapshotRead {
  day: string;
  count: number;
}

export interface ListRead {
  id: number;
  name: string;
  owner_org: string;
  accepted: number;
  rejected: number;
  created_at: string;
}

// ---- tags -----------------------------------------------------------------------

export interface TagRunRead {
  id: number;
  tag_id: number;
  day: string;
  trigger: string;
  status: string;
  started_at: string;
  duration_ms: number;
  customers: number;
  coverage: number;
  changed: number;
  error: string | null;
}

export interface TagRead {
  id: number;
  key: string;
  name: string;
  family: string;
  family_name: string;
  description: string;
  kind: string;
  value_type: string;
  /** null: the stored rule no longer reads (saved under older rules); the tag is flagged. */
  rule: Record<string, unknown> | null;
  version: number;
  owner_org: string;
  builtin: boolean;
  enabled: boolean;
  editable: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_run: TagRunRead | null;
}

export interface RunReport {
  day: string;
  runs: TagRunRead[];
  elapsed_ms: number;
  compute_ms?: number;
  write_ms?: number;
}

export interface DistributionBucket {
  value: string;
  count: number;
  ratio: number;
  low?: number | null;
  high?: number | null;
}

export interface TagDistribution {
  tag: string;
  day: string | null;
  customers: number;
  covered: number;
  coverage: number;
  buckets: DistributionBucket[];
}

export interface HistoryPoint {
  day: string;
  covered: number;
  counts: Record<string, number>;
  mean?: number | null;
}

// ---- tag definitions (rules by kind, as in tags/contracts.py) ------------------------

export type TagFamily = 'business_value' | 'preference' | 'lifecycle' | 'timing' | 'model' | 'imported';
export type TagAgg = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'distinct' | 'first' | 'last' | 'mode';
export type EventSource = 'events' | 'transactions';

/** A label for numbers below `lt`; the last band (without `lt`) takes the rest. */
export interface Band {
  label: string;
  lt?: number | null;
}

export interface AttributeRule {
  kind: 'attribute';
  field: string;
  bands?: Band[] | null;
  mapping?: Record<string, string> | null;
}

export interface AggregateRule {
  kind: 'aggregate';
  source: EventSource;
  event?: string | null;
  filters: PropertyFilter[];
  agg: TagAgg;
  property?: string | null;
  window: Window;
  bands?: Band[] | null;
}

export interface TagCase {
  value: string;
  when: Condition;
}

export interface RuleRule {
  kind: 'rule';
  cases: TagCase[];
  default?: string | null;
}

export interface LifecycleRule {
  kind: 'lifecycle';
  cases: TagCase[];
  default?: string | null;
}

export interface RfmRule {
  kind: 'rfm';
  source: EventSource;
  event?: string | null;
  filters: PropertyFilter[];
  property: string;
  window: Window;
  recency_days?: number | null;
  frequency?: number | null;
  monetary?: number | null;
}

export interface TimingRule {
  kind: 'timing';
  measure: 'payday' | 'active_hour' | 'active_weekday';
  event?: string | null;
  window: Window;
}

export interface ModelRule {
  kind: 'model';
  model?: string | null;
  value_type: 'string' | 'number';
}

export interface ImportedRule {
  kind: 'imported';
  value_type: 'string' | 'number';
}

export type TagRule = AttributeRule | AggregateRule | RuleRule | LifecycleRule | RfmRule | TimingRule | ModelRule | ImportedRule;
export type TagKind = TagRule['kind'];

export interface TagCreate {
  key: string;
  name: string;
  family: TagFamily;
  description: string;
  rule: TagRule;
  enabled?: boolean;
  owner_org?: string | null;
}

export type TagUpdate = Partial<Omit<TagCreate, 'key'>>;

export interface TagVersion {
  version: number;
  definition: { name: string; family: string; description: string; rule: TagRule };
  created_by: string | null;
  created_at: string;
}

export interface ImportReport {
  accepted: number;
  rejected: number;
  rejects: { line: number; value: string; reason: string }[];
  run: TagRunRead;
}

// ---- endpoints ------------------------------------------------------------------

export const catalogueApi = {
  get: (signal?: AbortSignal) => api.get<Catalogue>('/api/insight/catalogue', { signal }),
};

export const tagsApi = {
  list: (signal?: AbortSignal) => api.get<TagRead[]>('/api/insight/tags', { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<TagRead>(`/api/insight/tags/${id}`, { signal }),
  run: (id: number) => api.post<RunReport>(`/api/insight/tags/${id}/run`, {}),
  runs: (id: number, signal?: AbortSignal) =>
    api.get<TagRunRead[]>(`/api/insight/tags/${id}/runs`, { query: { limit: 30 }, signal }),
  distribution: (id: number, signal?: AbortSignal) =>
    api.get<TagDistribution>(`/api/insight/tags/${id}/distribution`, { signal }),
  history: (id: number, signal?: AbortSignal) =>
    api.get<HistoryPoint[]>(`/api/insight/tags/${id}/history`, { signal }),
  create: (body: TagCreate) => api.post<TagRead>('/api/insight/tags', body),
  update: (id: number, body: TagUpdate) => api.patch<TagRead>(`/api/insight/tags/${id}`, body),
  versions: (id: number, signal?: AbortSignal) => api.get<TagVersion[]>(`/api/insight/tags/${id}/versions`, { signal }),
  importValues: (id: number, file: File) => {
    const form = new FormData();
    form.append('file', file);
    return postForm<ImportReport>(`/api/insight/tags/${id}/values`, form);
  },
};

export const segmentsApi = {
  list: (signal?: AbortSignal) =>
    api.get<{ items: SegmentRead[]; total: number }>('/api/insight/segments', { signal }),
  get: (id: number, signal?: AbortSignal) => api.get<SegmentRead>(`/api/insight/segments/${id}`, { signal }),
  create: (body: SegmentCreate) => api.post<SegmentRead>('/api/insight/segments', body),
  update: (id: number, body: SegmentUpdate) => api.patch<SegmentRead>(`/api/insight/segments/${id}`, body),
  remove: (id: number) => api.del<unknown>(`/api/insight/segments/${id}`),
  estimate: (definition: Condition, signal?: AbortSignal) =>
    api.post<EstimateRead>('/api/insight/segments/estimate', { definition }, { signal }),
  previewComposition: (definition: Condition, signal?: AbortSignal) =>
    api.post<Composition>('/api/insight/segments/composition', { definition }, { signal }),
  composition: (id: number, signal?: AbortSignal) =>
    api.get<Composition>(`/api/insight/segments/${id}/composition`, { signal }),
  members: (id: number, params: { limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<MemberPage>(`/api/insight/segments/${id}/members`, { query: params, signal }),
  snapshots: (id: number, signal?: AbortSignal) =>
    api.get<SnapshotRead[]>(`/api/insight/segments/${id}/snapshots`, { signal }),
  exportPath: (id: number) => `/api/insight/segments/${enc(String(id))}/export.csv`,
  lists: (signal?: AbortSignal) => api.get<ListRead[]>('/api/insight/lists', { signal }),
};

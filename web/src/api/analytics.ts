/** Behaviour analytics (`/api/analytics/...`): one POST per model, the query is the body. */
import { api } from './client';

export type Granularity = 'hour' | 'day' | 'week' | 'month';
export type AnalyticsOp =
  | 'eq' | 'neq' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'is_set' | 'is_not_set';

export interface AnalyticsPropertyFilter {
  property: string;
  op: AnalyticsOp;
  value?: string | number | boolean | (string | number)[] | null;
}

export interface EventSpec {
  event: string;
  filters?: AnalyticsPropertyFilter[];
}

export interface GroupBy {
  kind: 'property' | 'attribute';
  name: string;
  limit?: number;
}

/** A condition on a customer attribute (`ANALYTICS_ATTRIBUTES`). */
export interface AnalyticsAttributeFilter {
  attribute: string;
  op: AnalyticsOp;
  value?: string | number | boolean | (string | number)[] | null;
}

/** Customers carrying a tag, with this value when given. */
export interface AnalyticsTagFilter {
  tag: string;
  value?: string | null;
}

/** Which customers an analysis looks at (always narrowed further by the user's data scope). */
export interface AnalyticsCustomerFilter {
  attributes: AnalyticsAttributeFilter[];
  tags: AnalyticsTagFilter[];
  segment_ids: string[];
}

/** Who an analysis counts: known customers (default), or also users whose userId is no customer (whole bank only). */
export type Population = 'customers' | 'all_users';

export interface AnalysisBase {
  date_from: string;
  date_to: string;
  customers?: AnalyticsCustomerFilter;
  population?: Population;
}

/** Customer attributes analytics may group or split by (the backend's ATTRIBUTES). */
export const ANALYTICS_ATTRIBUTES = [
  'gender', 'province', 'city', 'occupation', 'income_band', 'risk_level', 'tier', 'acquisition_channel',
  'org_code', 'rm_id', 'aum', 'age', 'open_date', 'birth_date',
] as const;

// ---- trends
export type TrendMeasure = 'total' | 'uniques' | 'per_customer' | 'sum' | 'avg' | 'max';
export interface TrendSeries extends EventSpec {
  measure: TrendMeasure;
  property?: string | null;
}
export interface TrendsQuery extends AnalysisBase {
  series: TrendSeries[];
  granularity: Granularity;
  group_by?: GroupBy | null;
  compare_previous: boolean;
}
export interface TrendLine {
  series: number;
  event: string;
  measure: TrendMeasure;
  group: string | null;
  values: number[];
  total: number;
}
export interface TrendsResult {
  buckets: string[];
  lines: TrendLine[];
  previous_buckets?: string[] | null;
  previous?: TrendLine[] | null;
}

// ---- funnel
export type FunnelMode = 'ordered' | 'strict' | 'any_order';
export type WindowUnit = 'minute' | 'hour' | 'day';
export interface FunnelQuery extends AnalysisBase {
  steps: EventSpec[];
  window: number;
  window_unit: WindowUnit;
  mode: FunnelMode;
  exclusions?: FunnelExclusion[];
  group_by?: GroupBy | null;
}
/** An event that breaks an attempt between two steps (1-based; no to_step: up to the last step). */
export interface FunnelExclusion extends EventSpec {
  from_step: number;
  to_step?: number | null;
}
export interface FunnelStep {
  step: number;
  event: string;
  customers: number;
  conversion_from_first: number;
  conversion_from_previous: number;
  dropped: number;
  median_seconds_from_previous: number | null;
}
export interface FunnelGroup {
  group: string | null;
  steps: FunnelStep[];
}
export interface FunnelResult {
  overall: FunnelGroup;
  groups: FunnelGroup[];
}
export interface DropoffSaved {
  segment_id: string;
  customers: number;
}

// ---- retention
export type Period = 'day' | 'week' | 'month';
export interface RetentionQuery extends AnalysisBase {
  initial: EventSpec;
  returning: EventSpec;
  period: Period;
  periods: number;
  first_time: boolean;
}
export interface Cohort {
  cohort: string;
  group: string | null;
  size: number;
  returned: (number | null)[];
  rates: (number | null)[];
}
export interface RetentionResult {
  periods: number;
  cohorts: Cohort[];
  average: (number | null)[];
}

// ---- paths
export interface PathsQuery extends AnalysisBase {
  anchor: EventSpec;
  direction: 'starting' | 'ending';
  depth: number;
  session_gap_minutes: number;
  top: number;
}
export interface PathsResult {
  sessions: number;
  top: { events: string[]; sessions: number }[];
  nodes: { id: string; step: number; event: string }[];
  links: { source: string; target: string; sessions: number }[];
  truncated: boolean;
}

// ---- attribution
export interface AttributionQuery extends AnalysisBase {
  conversion: EventSpec;
  touches: EventSpec[];
  window_days: number;
}
export interface AttributionRow {
  touch: string;
  value: string | null;
  touched_conversions: number;
  first: number;
  last: number;
  linear: number;
  position: number;
  time_decay: number;
}
export interface AttributionResult {
  conversions: number;
  attributed: number;
  rows: AttributionRow[];
}

// ---- distribution / interval
export interface HistogramBucket {
  label: string;
  lower: number | null;
  upper: number | null;
  customers: number;
}
export interface DistributionQuery extends AnalysisBase {
  event: EventSpec;
  measure: 'count' | 'sum' | 'days';
  property?: string | null;
  edges: number[];
}
export interface DistributionResult {
  customers: number;
  customers_without: number;
  buckets: HistogramBucket[];
  mean: number | null;
  median: number | null;
  p90: number | null;
}
export interface IntervalQuery extends AnalysisBase {
  first: EventSpec;
  then: EventSpec;
}
export interface IntervalResult {
  pairs: number;
  customers: number;
  buckets: HistogramBucket[];
  mean_seconds: number | null;
  median_seconds: number | null;
  p90_seconds: number | null;
}

// ---- properties
export interface Dimension {
  attribute?: string | null;
  tag?: string | null;
  edges?: number[] | null;
}
export interface PropertiesQuery {
  dimensions: Dimension[];
  customers?: AnalyticsCustomerFilter;
  limit: number;
}
export interface PropertyCell {
  values: (string | null)[];
  customers: number;
  aum: number;
  share: number;
}
export interface PropertiesResult {
  customers: number;
  cells: PropertyCell[];
}

// ---- LTV, RFM, MAU/AUM
export interface LtvQuery extends AnalysisBase {
  months: number;
  margin_bps: number;
}
export interface LtvResult {
  cohorts: { cohort: string; customers: number; values: (number | null)[] }[];
}
export type RfmQuery = AnalysisBase;
export interface RfmSegment {
  segment: string;
  label: string;
  customers: number;
  avg_recency_days: number;
  avg_frequency: number;
  avg_monetary: number;
}
export interface RfmResult {
  customers: number;
  inactive: number;
  segments: RfmSegment[];
  grid: number[][];
}
export interface MauAumQuery {
  month_from: string;
  month_to: string;
  parent_org: string;
}
export interface MauAumRow {
  month: string;
  org_code: string;
  org_name: string | null;
  customers: number;
  /** null: the bank recorded no event in the month (no data, drawn as a gap), not zero active customers. */
  mau: number | null;
  active_rate: number | null;
  /** null: no AUM snapshot in the month (no data, drawn as a gap), not zero assets. */
  aum: number | null;
  /** null: no transaction recorded in the month (no data). */
  net_inflow: number | null;
}
/** Which days of a month have any data, bank-wide; `partial`: only part of the month is covered. */
export interface MauAumMonth {
  month: string;
  first_day: string | null;
  last_day: string | null;
  partial: boolean;
}
export interface MauAumResult {
  rows: MauAumRow[];
  totals: MauAumRow[];
  months?: MauAumMonth[];
}

const post =
  <Q, R>(path: string) =>
  (query: Q, signal?: AbortSignal) =>
    api.post<R>(`/api/analytics/${path}`, query, { signal });

export const analyticsApi = {
  trends: post<TrendsQuery, TrendsResult>('trends'),
  funnel: post<FunnelQuery, FunnelResult>('funnel'),
  saveDropoffs: (query: FunnelQuery, step: number, name: string) =>
    api.post<DropoffSaved>('/api/analytics/funnel/dropoffs', { query, step, name }),
  retention: post<RetentionQuery, RetentionResult>('retention'),
  paths: post<PathsQuery, PathsResult>('paths'),
  attribution: post<AttributionQuery, AttributionResult>('attribution'),
  distribution: post<DistributionQuery, DistributionResult>('distribution'),
  interval: post<IntervalQuery, IntervalResult>('interval'),
  properties: post<PropertiesQuery, PropertiesResult>('properties'),
  ltv: post<LtvQuery, LtvResult>('ltv'),
  rfm: post<RfmQuery, RfmResult>('rfm'),
  mauAum: post<MauAumQuery, MauAumResult>('mau-aum'),
};

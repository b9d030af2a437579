/** Metric library and alerts (`/api/monitor/...`). Shapes follow `mofang.monitor.alerts.contracts`. */
import { api } from './client';
import type { EventSpec } from './analytics';

export type MetricMeasure = 'total' | 'uniques' | 'sum' | 'avg' | 'max';
export const METRIC_MEASURES: readonly MetricMeasure[] = ['total', 'uniques', 'sum', 'avg', 'max'];
/** Measures that aggregate a numeric event property (the backend requires `property` for these). */
export const PROPERTY_MEASURES: readonly MetricMeasure[] = ['sum', 'avg', 'max'];

export type RuleOp = 'gt' | 'gte' | 'lt' | 'lte' | 'change_gt' | 'change_lt' | 'anomaly';
export const RULE_OPS: readonly RuleOp[] = ['gt', 'gte', 'lt', 'lte', 'change_gt', 'change_lt', 'anomaly'];

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export type AnomalyDirection = 'up' | 'down' | 'both';
export const ANOMALY_DIRECTIONS: readonly AnomalyDirection[] = ['both', 'up', 'down'];

/** Anomaly rule: fires when the value leaves its 7-day baseline by more than k·σ and by ≥ min_change_pct %. */
export interface AnomalyParams {
  k: number;
  direction: AnomalyDirection;
  min_change_pct: number;
}

/** `none`: a recorded evaluation that did not fire (an anomaly rule without enough baseline days). */
export type AlertStatus = 'open' | 'acknowledged' | 'none';
export type AlertOutcome = 'fired' | 'insufficient_baseline';

/** What an anomaly rule saw: the measured day and its baseline over the 7 days before. */
export interface AnomalyDetails extends AnomalyParams {
  measured_day: string;
  baseline_days: number;
  mean: number | null;
  sigma: number | null;
  z: number | null;
  change_pct: number | null;
}

export type MetricSource = 'event' | 'attribute';
export type AttributeMeasure = 'customers' | 'sum' | 'avg';
export type MetricAttribute = 'aum' | 'age';
/** A way a metric may be broken down: a customer attribute or (event metrics) an event property. */
export interface MetricDimension {
  kind: 'attribute' | 'property';
  name: string;
  limit?: number;
}

export interface MetricDefinition {
  /** `event` (default; definitions stored before sources existed) or `attribute` (customers, AUM, age). */
  source?: MetricSource;
  /** Required for event metrics, null for attribute metrics. */
  event?: EventSpec | null;
  measure: MetricMeasure;
  property?: string | null;
  attribute_measure?: AttributeMeasure;
  attribute?: MetricAttribute | null;
  days: number;
  customers?: Record<string, unknown>;
  dimensions?: MetricDimension[];
}

export interface MetricCreate {
  key: string;
  name: string;
  definition: MetricDefinition;
}

export interface MetricRead extends MetricCreate {
  id: number;
  /** Off: its rules are not evaluated. */
  enabled?: boolean;
  /** The user's org owns the metric (or lies above its owner). */
  editable?: boolean;
  owner_org: string;
  created_by: string | null;
  created_at: string;
}

export interface MetricGroup {
  group: string | null;
  value: number;
  previous: number;
}

export interface MetricValue {
  metric_id: number;
  day: string;
  value: number;
  previous: number;
  dimension?: MetricDimension | null;
  /** Top groups by value, when a dimension was asked. */
  groups?: MetricGroup[] | null;
}

export interface RuleCreate {
  metric_id: number;
  name: string;
  op: RuleOp;
  /** Required for every op but `anomaly` (null there). */
  threshold: number | null;
  anomaly?: AnomalyParams | null;
  severity: Severity;
  emails: string[];
  webhook_url?: string | null;
  enabled?: boolean;
}

export interface RuleRead extends RuleCreate {
  id: number;
  enabled: boolean;
  /** The user's org owns the rule (or lies above its owner): it may be edited, disabled and deleted. */
  editable?: boolean;
  owner_org: string;
  created_by: string | null;
  created_at: string;
  /** Why the last evaluation could not judge the rule (null once it could). */
  last_error?: string | null;
  last_error_at?: string | null;
}

export interface AlertRead {
  id: number;
  rule_id: number;
  rule_name: string;
  metric_key: string;
  day: string;
  value: number;
  previous: number;
  message: string;
  severity: Severity;
  outcome: AlertOutcome;
  anomaly: AnomalyDetails | null;
  status: AlertStatus;
  notifications: Record<string, unknown>;
  created_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
}

/** Changes to a rule (any field but its metric). */
export type RuleUpdate = Partial<Omit<RuleCreate, 'metric_id'>>;

/** Changes to a metric (its key stays). */
export interface MetricUpdate {
  name?: string;
  definition?: MetricDefinition;
  enabled?: boolean;
}

/** A metric's value for one business day (the window ending the day before). */
export interface MetricPoint {
  day: string;
  value: number;
}

/** An alert in the header bell, with whether this user has read it. */
export interface InboxAlert extends AlertRead {
  read: boolean;
}

export interface Inbox {
  unread: number;
  items: InboxAlert[];
}

export const monitorApi = {
  metrics: (signal?: AbortSignal) => api.get<MetricRead[]>('/api/monitor/metrics', { signal }),
  createMetric: (body: MetricCreate) => api.post<MetricRead>('/api/monitor/metrics', body),
  metricValue: (id: number, day: string, signal?: AbortSignal, dimension?: number) =>
    api.get<MetricValue>(`/api/monitor/metrics/${id}/value`, { query: dimension === undefined ? { day } : { day, dimension }, signal }),
  rules: (signal?: AbortSignal) => api.get<RuleRead[]>('/api/monitor/alert-rules', { signal }),
  createRule: (body: RuleCreate) => api.post<RuleRead>('/api/monitor/alert-rules', body),
  alerts: (status: AlertStatus | undefined, signal?: AbortSignal, severity?: Severity) =>
    api.get<AlertRead[]>('/api/monitor/alerts', { query: { status, severity, limit: 500 }, signal }),
  acknowledge: (id: number) => api.post<AlertRead>(`/api/monitor/alerts/${id}/ack`),
  updateMetric: (id: number, body: MetricUpdate) => api.patch<MetricRead>(`/api/monitor/metrics/${id}`, body),
  deleteMetric: (id: number) => api.del<void>(`/api/monitor/metrics/${id}`),
  metricTrend: (id: number, day: string, signal?: AbortSignal, days = 30) =>
    api.get<{ metric_id: number; points: MetricPoint[] }>(`/api/monitor/metrics/${id}/trend`, { query: { day, days }, signal }),
  updateRule: (id: number, body: RuleUpdate) => api.patch<RuleRead>(`/api/monitor/alert-rules/${id}`, body),
  deleteRule: (id: number) => api.del<void>(`/api/monitor/alert-rules/${id}`),
  inbox: (signal?: AbortSignal) => api.get<Inbox>('/api/monitor/alerts/inbox', { signal }),
  markRead: (id: number) => api.post<void>(`/api/monitor/alerts/${id}/read`),
  markAllRead: () => api.post<void>('/api/monitor/alerts/read-all'),
};

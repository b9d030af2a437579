/** Effect evaluation API, part two: goal tracking, attribution across campaigns, the campaigns' incremental part. */
import { request } from '../../api/client';

export type GoalMetric = 'conversion_lift_pct' | 'incremental_conversions' | 'incremental_aum' | 'roi';
export const GOAL_METRICS: GoalMetric[] = ['conversion_lift_pct', 'incremental_conversions', 'incremental_aum', 'roi'];
export type AttributionRule = 'first' | 'last' | 'linear' | 'position' | 'time_decay';
export const ATTRIBUTION_RULES: AttributionRule[] = ['last', 'first', 'linear', 'position', 'time_decay'];

export interface GoalCreate {
  strategy_ids: number[];
  campaign_id?: number | null;
  metric: GoalMetric;
  target: number;
  period_from: string;
  period_to: string;
  name: string;
}

export interface GoalRead extends GoalCreate {
  id: number;
  campaign_id: number | null;
  created_by: string | null;
  created_at: string;
}

export interface GoalProgress {
  goal: GoalRead;
  achieved: number | null;
  lower: number | null;
  upper: number | null;
  share: number | null;
  met: boolean | null;
  series: { day: string; achieved: number | null }[];
  notes: string[];
}

export interface AttributedEffect {
  rule: AttributionRule;
  by: 'strategy_id' | 'campaign_id';
  conversion_event: string | null;
  date_from: string;
  date_to: string;
  window_days: number;
  conversions: number;
  attributed: number;
  credited: number;
  value_per_conversion: number;
  credited_value: number;
  others: { key: string; credit: number }[];
}

export interface IncrementalPart {
  date_from: string;
  date_to: string;
  strategies: number;
  without_control: number;
  incremental_customers: number | null;
  customers_lower: number | null;
  customers_upper: number | null;
  incremental_aum: number | null;
  aum_lower: number | null;
  aum_upper: number | null;
}

export interface AttributionQuery {
  rule: AttributionRule;
  window_days: number;
  value_per_conversion?: number;
  date_from?: string;
  date_to?: string;
}

export interface GoalQuery {
  window_days?: number;
  value_per_conversion?: number;
  aum_value_rate?: number;
}

type Q = Record<string, string | number | undefined>;

export const effects2Api = {
  goals: (strategyId: number, q: GoalQuery, signal?: AbortSignal) =>
    request<GoalProgress[]>('GET', '/api/effects/goals', { query: { strategy_ids: strategyId, ...q } as Q, signal }),
  addGoal: (body: GoalCreate) => request<GoalRead>('POST', '/api/effects/goals', { body }),
  deleteGoal: (id: number) => request<void>('DELETE', `/api/effects/goals/${id}`),
  attribution: (strategyId: number, q: AttributionQuery, signal?: AbortSignal) =>
    request<AttributedEffect>('GET', '/api/effects/attribution', { query: { strategy_ids: strategyId, ...q } as Q, signal }),
  incremental: (date_from: string, date_to: string, signal?: AbortSignal) =>
    request<IncrementalPart>('GET', '/api/effects/incremental', { query: { date_from, date_to }, signal }),
};

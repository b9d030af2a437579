/** A target event's propensity model (`/api/strategies/models/propensity`); shapes follow `insight.ml.contracts`. */
import { api } from '../api/client';

export interface PropensityMetrics {
  event: string;
  window_days: number;
  train_cutoffs: string[];
  holdout_cutoff: string;
  train_rows: number;
  train_positives: number;
  holdout_rows: number;
  holdout_positives: number;
  positive_rate: number;
  auc: number | null;
  lift_top10: number;
  score_quantiles: number[];
}

export interface PropensityRead {
  event: string;
  trained: boolean;
  model_id: number | null;
  trained_at: string | null;
  trained_by: string | null;
  scored_on: string | null;
  /** Null for branch viewers: the held-out figures cover every branch's customers. */
  metrics: PropensityMetrics | null;
  customers: number;
  scored: number;
  best_hour_known: number;
}

const path = '/api/strategies/models/propensity';

export const smartApi = {
  propensity: (event: string, signal?: AbortSignal) => api.get<PropensityRead>(path, { query: { event }, signal }),
  train: (event: string) => api.post<PropensityRead>(path, undefined, { query: { event } }),
  bestTime: (signal?: AbortSignal) =>
    api.get<{ customers: number; known: number }>('/api/strategies/models/best-time', { signal }),
};

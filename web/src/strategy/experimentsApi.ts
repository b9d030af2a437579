/** Experiment results of a strategy (`/api/strategies/{id}/experiments`); shapes follow `strategy.experiments.contracts`. */
import { api } from '../api/client';

export interface ArmRead {
  variant: string;
  percent: number;
  control: boolean;
  entered: number;
  converted: number;
  rate: number | null;
  rate_lower: number | null;
  rate_upper: number | null;
  difference: number | null;
  difference_lower: number | null;
  difference_upper: number | null;
  lift: number | null;
  lift_lower: number | null;
  lift_upper: number | null;
  z: number | null;
  p_value: number | null;
  significant: boolean;
  test_code: string;
  sample_note: string;
  mde: number | null;
  mde_relative: number | null;
  mde_code: string;
}

export interface SrmRead {
  expected: number[];
  chi2: number | null;
  df: number;
  p_value: number | null;
  mismatch: boolean;
  threshold: number;
  code: string;
}

export interface BranchRead {
  org_code: string | null;
  org_name: string | null;
  arms: ArmRead[];
  srm: SrmRead;
}

export interface PromotionRead {
  id: number;
  strategy_id: number;
  node_id: string;
  variant: string;
  version: number;
  previous_version: number | null;
  promoted_by: string | null;
  promoted_at: string;
  statistics: Record<string, unknown>;
}

export interface ExperimentRead {
  kind: 'ab_split' | 'holdout';
  node_id: string | null;
  title: string | null;
  control: string;
  winner: string | null;
  versions: number[];
  arms: ArmRead[];
  srm: SrmRead;
  branches: BranchRead[];
  promotions: PromotionRead[];
}

export interface ExperimentsRead {
  strategy_id: number;
  published_version: number | null;
  alpha: number;
  experiments: ExperimentRead[];
}

const base = '/api/strategies';

export const experimentsApi = {
  results: (id: number, signal?: AbortSignal) => api.get<ExperimentsRead>(`${base}/${id}/experiments`, { signal }),
  promote: (id: number, node: string, variant: string, note?: string) =>
    api.post<{ promotion: PromotionRead; version: number }>(
      `${base}/${id}/experiments/${encodeURIComponent(node)}/promote`,
      { variant, note },
    ),
};

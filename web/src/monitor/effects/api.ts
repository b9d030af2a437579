/** Effect evaluation (效果评估) API: a strategy's or campaign's effect, the portfolio, the global control group. */
import { downloadFile, request } from '../../api/client';

export interface ProportionTest {
  rate_control: number | null;
  rate_treatment: number | null;
  difference: number | null;
  ci_lower: number | null;
  ci_upper: number | null;
  p_value: number | null;
  lift: number | null;
  lift_lower: number | null;
  lift_upper: number | null;
  code: string;
}

export interface MeanTest {
  mean_control: number | null;
  mean_treatment: number | null;
  difference: number | null;
  ci_lower: number | null;
  ci_upper: number | null;
  p_value: number | null;
  theta: number | null;
  code: string;
}

export interface FunnelStage {
  stage: string;
  count: number;
}

export interface FunnelGroup {
  key: string | null;
  stages: FunnelStage[];
}

export interface Arm {
  name: string;
  customers: number;
  conversions: number;
}

export interface StrategyEffect {
  strategy_ids: number[];
  campaign_id: number | null;
  funnel: {
    stages: FunnelStage[];
    by_channel: FunnelGroup[];
    by_variant: FunnelGroup[];
    by_branch: FunnelGroup[];
    suppressed: Record<string, number>;
  };
  lift: {
    control: 'holdout' | 'ab_control' | 'none';
    treated: Arm;
    reference: Arm | null;
    test: ProportionTest | null;
    incremental_conversions: number | null;
    incremental_lower: number | null;
    incremental_upper: number | null;
    mde_relative: number | null;
  };
  aum: {
    window_days: number;
    customers_with_aum: number;
    unadjusted: MeanTest | null;
    cuped: MeanTest | null;
    incremental_aum: number | null;
    incremental_lower: number | null;
    incremental_upper: number | null;
    before_after: number | null;
  };
  costs: { messages: Record<string, number>; benefits: Record<string, number>; fixed: number; total: number; benefit_basis: string };
  roi: {
    incremental_value: number | null;
    roi: number | null;
    lower: number | null;
    upper: number | null;
    cost_per_incremental_conversion: number | null;
    value_per_conversion: number;
    aum_value_rate: number;
  };
  daily: { day: string; treated: number; treated_rate: number | null; control: number; control_rate: number | null; difference: number | null }[];
  srm_p_value: number | null;
  notes: string[];
}

export interface EffectQuery {
  window_days?: number;
  value_per_conversion?: number;
  aum_value_rate?: number;
  benefit_basis?: 'issued' | 'redeemed';
  date_from?: string;
  date_to?: string;
}

export interface PortfolioRow {
  strategy_id: number;
  name: string | null;
  org_code: string | null;
  business_line: string | null;
  treated: number;
  control: number;
  incremental_conversions: number | null;
  incremental_aum: number | null;
  cost: number;
  roi: number | null;
  notes: string[];
}

export interface PortfolioQuery {
  date_from: string;
  date_to: string;
  org_code?: string;
  business_line?: string;
}

export interface GlobalControlMonth {
  month: string;
  control_customers: number;
  rest_customers: number;
  control_active_rate: number | null;
  rest_active_rate: number | null;
  active_lift: ProportionTest | null;
  control_adoption_rate: number | null;
  rest_adoption_rate: number | null;
  control_aum_mean: number | null;
  rest_aum_mean: number | null;
  aum_difference: MeanTest | null;
}

export interface FixedCost {
  id: number;
  strategy_id: number;
  amount: number;
  note: string;
  created_by: string | null;
  created_at: string;
}

type Q = Record<string, string | number | undefined>;

export const effectsApi = {
  strategy: (id: number, q: EffectQuery, signal?: AbortSignal) =>
    request<StrategyEffect>('GET', `/api/effects/strategies/${id}`, { query: q as Q, signal }),
  portfolio: (q: PortfolioQuery, signal?: AbortSignal) =>
    request<{ rows: PortfolioRow[] }>('GET', '/api/effects/portfolio', { query: q as unknown as Q, signal }),
  portfolioCsv: (q: PortfolioQuery) => downloadFile('/api/effects/portfolio.csv', 'effects_portfolio.csv', q as unknown as Q),
  globalControl: (month_from: string, month_to: string, signal?: AbortSignal) =>
    request<{ percent: number; months: GlobalControlMonth[] }>('GET', '/api/effects/global-control', {
      query: { month_from, month_to },
      signal,
    }),
  fixedCosts: (id: number, signal?: AbortSignal) =>
    request<FixedCost[]>('GET', `/api/effects/strategies/${id}/fixed-costs`, { signal }),
  addFixedCost: (body: { strategy_id: number; amount: number; note: string }) =>
    request<FixedCost>('POST', '/api/effects/fixed-costs', { body }),
};

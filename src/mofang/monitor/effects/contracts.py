"""Public types of effect evaluation (效果评估): funnel, lift, AUM difference-in-differences, costs, ROI, honesty."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from mofang.strategy.experiments import MeanTestResult, ProportionTestResult

# Honesty codes the page shows next to a number (the console translates `effects.note.<code>`).
NOTE_SAMPLE_TOO_SMALL = "sample_too_small"
NOTE_SRM = "srm"
NOTE_NO_HOLDOUT = "no_holdout"
NOTE_AB_CONTROL = "ab_control"
NOTE_NOVELTY = "novelty"
NOTE_NO_COST = "no_cost"
NOTE_NO_AUM = "no_aum"
NOTE_BINNED_BOOTSTRAP = "binned_bootstrap"

ControlKind = Literal["holdout", "ab_control", "none"]


class FunnelStage(BaseModel):
    """One stage of the delivery funnel and how many customers (or messages) reached it."""

    stage: Literal["targeted", "passed_policy", "sent", "delivered", "opened", "clicked", "converted"]
    count: int


class FunnelGroup(BaseModel):
    """The funnel of one channel, variant or branch."""

    key: str | None
    stages: list[FunnelStage]


class Funnel(BaseModel):
    """Targeted → passed policy → sent → delivered → opened → clicked → converted, overall and broken down."""

    stages: list[FunnelStage]
    by_channel: list[FunnelGroup]
    by_variant: list[FunnelGroup]
    by_branch: list[FunnelGroup]
    suppressed: dict[str, int]  # reason → messages the contact policy, consent or suitability refused


class Arm(BaseModel):
    """One arm of the comparison: customers and conversions."""

    name: str
    customers: int
    conversions: int


class Lift(BaseModel):
    """Conversion of treated customers against the control: difference, relative lift, p-value, incremental count."""

    control: ControlKind
    treated: Arm
    reference: Arm | None
    test: ProportionTestResult | None
    incremental_conversions: float | None
    incremental_lower: float | None
    incremental_upper: float | None
    mde_relative: float | None  # the smallest relative lift the current sample detects (80% power)


class AumEffect(BaseModel):
    """Net new AUM: each customer's AUM change from the day before entry to `window_days` after, treated vs control."""

    window_days: int
    customers_with_aum: int
    unadjusted: MeanTestResult | None
    cuped: MeanTestResult | None  # adjusted by the pre-period AUM: the same difference, a narrower interval
    incremental_aum: float | None  # CUPED difference x treated customers
    incremental_lower: float | None
    incremental_upper: float | None
    before_after: float | None  # without a control: the treated customers' mean change, not an effect


class Costs(BaseModel):
    """What the strategy cost, in yuan: messages by channel, benefits by kind, and fixed costs entered by owners."""

    messages: dict[str, float]
    benefits: dict[str, float]
    fixed: float
    total: float
    benefit_basis: Literal["issued", "redeemed"]


class Roi(BaseModel):
    """ROI = incremental value / cost with a seeded bootstrap interval over customers; cost per conversion gained."""

    value_per_conversion: float
    aum_value_rate: float
    incremental_value: float | None
    roi: float | None
    lower: float | None
    upper: float | None
    cost_per_incremental_conversion: float | None
    n_resamples: int
    seed: int


class DailyLift(BaseModel):
    """Conversion of customers who entered on one day: treated and control rates (novelty vs steady state)."""

    day: date
    treated: int
    treated_rate: float | None
    control: int
    control_rate: float | None
    difference: float | None


class StrategyEffect(BaseModel):
    """The whole 效果评估 page of one strategy or a campaign's strategies, within the viewer's scope."""

    strategy_ids: list[int]
    campaign_id: int | None
    date_from: date | None
    date_to: date | None
    funnel: Funnel
    lift: Lift
    aum: AumEffect
    costs: Costs
    roi: Roi
    daily: list[DailyLift]
    srm_p_value: float | None
    notes: list[str]  # honesty codes, in the order the page shows them


class PortfolioRow(BaseModel):
    """One strategy in the portfolio ranking."""

    strategy_id: int
    name: str | None
    org_code: str | None
    business_line: str | None
    treated: int
    control: int
    incremental_conversions: float | None
    incremental_aum: float | None
    cost: float
    roi: float | None
    notes: list[str]


class Portfolio(BaseModel):
    """All strategies with customers entering in a period, ranked by ROI then incremental AUM."""

    date_from: date
    date_to: date
    rows: list[PortfolioRow]


class GlobalControlMonth(BaseModel):
    """One month: the global control group against everybody else (the total lift of marketing)."""

    month: str  # YYYY-MM
    control_customers: int
    rest_customers: int
    control_active_rate: float | None
    rest_active_rate: float | None
    active_lift: ProportionTestResult | None
    control_adoption_rate: float | None
    rest_adoption_rate: float | None
    control_aum_mean: float | None
    rest_aum_mean: float | None
    aum_difference: MeanTestResult | None


class GlobalControl(BaseModel):
    """The global control group view of the MAU/AUM dashboard."""

    percent: float
    months: list[GlobalControlMonth]


class FixedCostCreate(BaseModel):
    """A fixed cost an owner enters for a strategy (design, agency, gifts bought outside the ledger), in yuan."""

    strategy_id: int = Field(ge=1, le=2**31 - 1)
    amount: float = Field(gt=0, le=1e10)
    note: str = Field(min_length=1, max_length=200)


class FixedCostRead(BaseModel):
    """A fixed cost as listed."""

    id: int
    strategy_id: int
    amount: float
    note: str
    created_by: str | None
    created_at: datetime


# ---- goal tracking (目标跟踪): targets owners state, against what was achieved

GoalMetric = Literal["conversion_lift_pct", "incremental_conversions", "incremental_aum", "roi"]


class GoalCreate(BaseModel):
    """A target for a strategy (or a campaign's strategies): a metric, its target value and the period it covers."""

    strategy_ids: list[int] = Field(min_length=1, max_length=200)
    campaign_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    metric: GoalMetric
    target: float = Field(allow_inf_nan=False)
    period_from: date
    period_to: date
    name: str = Field(min_length=1, max_length=100)


class GoalRead(BaseModel):
    """A stated target."""

    id: int
    strategy_ids: list[int]
    campaign_id: int | None
    metric: GoalMetric
    target: float
    period_from: date
    period_to: date
    name: str
    created_by: str | None
    created_at: datetime


class GoalPoint(BaseModel):
    """Achievement counting the customers who entered from the period's start through `day`."""

    day: date
    achieved: float | None


class GoalProgress(BaseModel):
    """A target against what was achieved so far (within the viewer's scope), with the daily series."""

    goal: GoalRead
    achieved: float | None
    lower: float | None  # the achieved value's 95% interval, when the metric has one
    upper: float | None
    share: float | None  # achieved / target
    met: bool | None  # None: nothing measurable yet
    series: list[GoalPoint]
    notes: list[str]


# ---- attribution across overlapping campaigns (reach touches fed to the analytics attribution model)

AttributionRule = Literal["first", "last", "linear", "position", "time_decay"]


class TouchCredit(BaseModel):
    """Credit one strategy (or campaign) receives under the chosen rule."""

    key: str  # the strategy id (or campaign id) the touches carried
    credit: float


class AttributedEffect(BaseModel):
    """Conversions credited to this strategy or campaign when every campaign's touches compete for them."""

    rule: AttributionRule
    by: Literal["strategy_id", "campaign_id"]
    conversion_event: str | None  # the strategy's goal event; None: it has none (nothing to attribute)
    date_from: date
    date_to: date
    window_days: int
    conversions: int  # scoped conversion events in the period
    attributed: int  # of which some campaign touched
    credited: float  # this strategy's (campaign's) share of them under the rule
    value_per_conversion: float
    credited_value: float
    others: list[TouchCredit]  # every key's credit (this one included), largest first


# ---- incremental part of MAU/AUM movement (sum over strategies of their holdout estimates)


class IncrementalPart(BaseModel):
    """What campaigns added, estimated from each strategy's holdout; intervals assume independent strategies."""

    date_from: date
    date_to: date
    strategies: int  # strategies with a holdout (or A/B control) counted
    without_control: int  # strategies with customers entering but no control group: not counted
    incremental_customers: float | None  # incremental converted (activated) customers
    customers_lower: float | None
    customers_upper: float | None
    incremental_aum: float | None
    aum_lower: float | None
    aum_upper: float | None

"""Public types of ML insight: tree requests and results, churn rules, metrics and the warning list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TreeRequest(_Strict):
    """Train a decision tree: did `target` happen in the `horizon_days` after the cutoff, explained by features."""

    name: str = Field(default="决策树洞察", min_length=1, max_length=128)
    target: str | None = Field(default=None, min_length=1, max_length=128,
                               description="an event done in the horizon, e.g. fund_purchase")
    target_tag: str | None = Field(default=None, min_length=1, max_length=64,
                                   description="or: a tag having target_value at the end of the horizon")
    target_value: str | None = Field(default=None, min_length=1, max_length=64)
    features: list[str] = Field(min_length=1, max_length=60, description="feature keys from GET .../features")
    max_depth: int = Field(default=3, ge=1, le=6)
    min_leaf: int = Field(default=50, ge=5, le=100_000)
    horizon_days: int = Field(default=30, ge=1, le=180)

    @model_validator(mode="after")
    def _one_target(self) -> TreeRequest:
        if (self.target is None) == (self.target_tag is None):
            raise ValueError("give target (an event) or target_tag with target_value")
        if self.target_tag is not None and self.target_value is None:
            raise ValueError("target_tag needs target_value")
        return self

    def target_text(self) -> str:
        """The target as shown in lists."""
        return self.target or f"{self.target_tag}={self.target_value}"


class FeatureInfo(BaseModel):
    """A feature a model may use: key, Chinese label, kind, and whether a leaf using it can become a segment."""

    key: str
    label: str
    kind: Literal["number", "category"]
    segmentable: bool


class TreeNode(BaseModel):
    """One node of a trained tree, with training counts and (when evaluated) holdout counts."""

    id: int
    parent: int | None
    depth: int
    leaf: bool
    split: str | None = None  # the condition that leads here from the parent, in Chinese
    feature: str | None = None  # the feature this node splits on (internal nodes)
    threshold: float | None = None
    left: int | None = None
    right: int | None = None
    count: int
    positives: int
    rate: float
    lift: float
    holdout_count: int = 0
    holdout_rate: float = 0.0
    holdout_lift: float = 0.0
    rule: str  # the whole path in plain Chinese
    segmentable: bool = True


class LeafQuality(BaseModel):
    """A leaf ranked by training rate, with how it held up on the later period."""

    node_id: int
    rule: str
    count: int
    rate: float
    holdout_count: int
    holdout_rate: float
    holdout_lift: float


class TreeMetrics(BaseModel):
    """Holdout quality of a tree: AUC and the lift of its best leaves on the later period."""

    train_cutoff: date
    holdout_cutoff: date
    train_rows: int
    holdout_rows: int
    train_rate: float
    holdout_rate: float
    auc: float | None
    best_leaves: list[LeafQuality]


class TreeRead(BaseModel):
    """A trained tree as the console shows it."""

    id: int
    name: str
    request: TreeRequest
    owner_org: str
    created_by: str | None
    created_at: datetime
    nodes: list[TreeNode]
    rules: list[str]
    metrics: TreeMetrics


class TreeSummary(BaseModel):
    """A tree as listed."""

    id: int
    name: str
    target: str
    owner_org: str
    created_at: datetime
    auc: float | None


class LeafSegmentRequest(BaseModel):
    """Save a leaf's customers (today, by the leaf's rule) as a dynamic segment."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)


class ChurnRules(_Strict):
    """What counts as churn: AUM down by `aum_drop_pct`% within `window_days`, or no login for `inactive_days`."""

    aum_drop_pct: float = Field(default=50.0, gt=0, le=100)
    window_days: int = Field(default=30, ge=7, le=120)
    inactive_days: int = Field(default=60, ge=7, le=365)
    min_aum: float = Field(default=1000.0, ge=0, le=1e9)
    use_aum_rule: bool = True
    use_login_rule: bool = True


class RiskBucket(BaseModel):
    """How many customers (in the viewer's scope) carry a risk level."""

    level: str
    count: int
    ratio: float


class ChurnMetrics(BaseModel):
    """Held-out quality of a churn model."""

    train_cutoffs: list[date]
    holdout_cutoff: date
    holdout_end: date
    train_rows: int
    train_churners: int
    holdout_rows: int
    holdout_churners: int
    base_rate: float
    auc: float | None
    precision_top5: float
    lift_top5: float
    recall_top5: float
    high_cut: float
    medium_cut: float
    top_features: list[dict[str, float | str]]
    rules_used: ChurnRules | None = None  # the rules as applied (shorter data can shorten the inactivity period)
    notes: list[str] = []


class ChurnRead(BaseModel):
    """The churn console: the rules, the current model's metrics, and today's risk distribution in scope."""

    rules: ChurnRules
    model_id: int | None
    trained_at: datetime | None
    trained_by: str | None
    metrics: ChurnMetrics | None
    scored_on: date | None
    distribution: list[RiskBucket]
    segment_id: int | None


class ChurnCustomer(BaseModel):
    """A customer on the warning list (masked)."""

    customer_id: str
    name: str | None
    phone: str | None
    org_code: str
    org_name: str | None = None
    rm_id: str | None
    rm_name: str | None = None
    tier: str | None
    aum: float | None
    risk: str
    score: float


class ChurnCustomerPage(BaseModel):
    """A page of the warning list inside the viewer's scope, highest score first."""

    items: list[ChurnCustomer]
    total: int
    day: date | None


class ScoreReport(BaseModel):
    """What a scoring run wrote."""

    day: date
    model_id: int
    scored: int
    high: int
    medium: int
    low: int


class PropensityMetrics(BaseModel):
    """Held-out quality of a propensity model (bank-wide figures: whole-bank viewers only)."""

    event: str
    window_days: int  # label: did the event within this many days after a cutoff
    train_cutoffs: list[date]
    holdout_cutoff: date
    train_rows: int
    train_positives: int
    holdout_rows: int
    holdout_positives: int
    positive_rate: float  # share of the holdout who did the event
    auc: float | None
    lift_top10: float
    score_quantiles: list[float]  # today's scores at 0, 10, …, 100 %: the distribution the ranks come from


class PropensityRead(BaseModel):
    """A target event's propensity model as the canvas side panel shows it; counts are of the viewer's scope."""

    event: str
    trained: bool
    model_id: int | None = None
    trained_at: datetime | None = None
    trained_by: str | None = None
    scored_on: date | None = None
    metrics: PropensityMetrics | None = None  # None for branch viewers: held-out figures cover every branch
    customers: int = 0  # profiles in scope
    scored: int = 0  # of which carry a score for the event
    best_hour_known: int = 0  # of which have a best hour (最佳时机)

"""Public types of experiment statistics: sufficient statistics in, frozen results (with a code) out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from numbers import Integral
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from mofang.platform.errors import BadRequest

# Result codes: why some fields of a result are None (the console translates them; never English text).
OK: Final = "ok"
EMPTY_ARM: Final = "experiment.empty_arm"  # an arm (or the whole test) has no customers
TOO_FEW: Final = "experiment.too_few"  # fewer than two customers in an arm: no variance estimate
ZERO_VARIANCE: Final = "experiment.zero_variance"  # every value equal: no test statistic, degenerate interval
ZERO_BASELINE: Final = "experiment.zero_baseline"  # control rate/mean is 0: relative lift undefined
ZERO_COST: Final = "experiment.zero_cost"  # ROI with no cost is undefined
SAMPLE_TOO_SMALL: Final = "experiment.sample_too_small"  # fewer customers per arm than the rule asks
TOO_FEW_CONVERSIONS: Final = "experiment.too_few_conversions"  # too few conversions (or non-conversions)
EFFECT_UNREACHABLE: Final = "experiment.effect_unreachable"  # no rate within [0, 1] is detectable at this n


def _require(ok: bool, message: str, field: str, code: str) -> None:
    if not ok:
        raise BadRequest(message, field=field, code=code)


def _count(value: int) -> bool:
    # numbers.Integral admits numpy integers read from a query; bool is refused.
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 0


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


# Centred sums computed from raw sums lose about this share of the raw sum of squares to rounding.
_ROUNDING = 1e-12


def denoised_variance(centred: float, raw_sum_sq: float, n: int) -> float:
    """Sample variance from a centred sum of squares; what rounding leaves of a constant metric becomes 0."""
    # Without this, n equal values like 0.1 give a variance of 1e-19 and a t statistic in the billions.
    return centred / (n - 1) if centred > _ROUNDING * raw_sum_sq else 0.0


@dataclass(frozen=True)
class ProportionStats:
    """Conversions `x` out of `n` customers in one arm."""

    n: int
    x: int

    def __post_init__(self) -> None:
        _require(_count(self.n), "n must be a whole number of at least 0", "n", "experiment.bad_count")
        _require(_count(self.x) and self.x <= self.n, "x must be between 0 and n", "x", "experiment.bad_count")

    @property
    def rate(self) -> float | None:
        """The conversion rate, None for an empty arm."""
        return self.x / self.n if self.n else None


@dataclass(frozen=True)
class MeanStats:
    """Count, sum and sum of squares of a metric over one arm's customers."""

    n: int
    sum: float
    sum_sq: float

    def __post_init__(self) -> None:
        _require(_count(self.n), "n must be a whole number of at least 0", "n", "experiment.bad_count")
        _require(_finite(self.sum, self.sum_sq), "sums must be finite numbers", "sum", "experiment.bad_sum")
        _require(self.sum_sq >= 0, "sum of squares must not be negative", "sum_sq", "experiment.bad_sum")

    @property
    def mean(self) -> float | None:
        """The arm's mean, None for an empty arm."""
        return self.sum / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 denominator), None below two customers; rounding noise reads as 0."""
        if self.n < 2:
            return None
        return denoised_variance(self.sum_sq - self.sum * self.sum / self.n, self.sum_sq, self.n)


@dataclass(frozen=True)
class CovariateStats:
    """Sums for CUPED over one arm: `x` is the pre-period covariate, `y` the metric in the experiment."""

    n: int
    sum_x: float
    sum_x2: float
    sum_y: float
    sum_y2: float
    sum_xy: float

    def __post_init__(self) -> None:
        _require(_count(self.n), "n must be a whole number of at least 0", "n", "experiment.bad_count")
        _require(_finite(self.sum_x, self.sum_x2, self.sum_y, self.sum_y2, self.sum_xy),
                 "sums must be finite numbers", "sum_x", "experiment.bad_sum")
        _require(self.sum_x2 >= 0 and self.sum_y2 >= 0, "sums of squares must not be negative", "sum_x2",
                 "experiment.bad_sum")

    @property
    def post(self) -> MeanStats:
        """The metric alone (what an unadjusted Welch test reads)."""
        return MeanStats(n=self.n, sum=self.sum_y, sum_sq=self.sum_y2)

    @property
    def pre(self) -> MeanStats:
        """The covariate alone."""
        return MeanStats(n=self.n, sum=self.sum_x, sum_sq=self.sum_x2)


@dataclass(frozen=True)
class RateInterval:
    """One rate with its confidence interval."""

    rate: float | None
    lower: float | None
    upper: float | None
    code: str


@dataclass(frozen=True)
class ProportionTestResult:
    """Treatment vs control conversion: pooled z-test, absolute difference and relative lift with intervals."""

    rate_control: float | None
    rate_treatment: float | None
    difference: float | None  # treatment - control
    ci_lower: float | None  # Newcombe hybrid score interval of the difference
    ci_upper: float | None
    wald_lower: float | None  # Wald interval of the difference (unpooled standard error)
    wald_upper: float | None
    z: float | None
    p_value: float | None  # two-sided
    lift: float | None  # treatment / control - 1
    lift_lower: float | None  # delta-method interval of the lift
    lift_upper: float | None
    alpha: float
    code: str

    @property
    def significant(self) -> bool:
        """Whether the z-test rejects equal rates at `alpha`."""
        return self.p_value is not None and self.p_value < self.alpha


@dataclass(frozen=True)
class MeanTestResult:
    """Treatment vs control mean (Welch, or CUPED-adjusted when `theta` is set)."""

    mean_control: float | None  # CUPED: adjusted to the pooled covariate mean
    mean_treatment: float | None
    difference: float | None  # treatment - control
    ci_lower: float | None
    ci_upper: float | None
    se: float | None  # standard error of the difference
    t: float | None
    df: float | None  # Welch-Satterthwaite degrees of freedom
    p_value: float | None  # two-sided
    lift: float | None  # treatment / control - 1
    lift_lower: float | None  # delta-method interval of the lift
    lift_upper: float | None
    theta: float | None  # CUPED coefficient; None for the unadjusted test
    alpha: float
    code: str

    @property
    def significant(self) -> bool:
        """Whether the test rejects equal means at `alpha`."""
        return self.p_value is not None and self.p_value < self.alpha


@dataclass(frozen=True)
class SrmResult:
    """Sample-ratio-mismatch chi-square test of observed arm sizes against the configured weights."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float | None
    df: int
    p_value: float | None
    mismatch: bool  # p_value below the threshold: assignment is broken, do not trust the results
    threshold: float
    code: str


@dataclass(frozen=True)
class MdeResult:
    """Smallest true difference of two rates detectable with the given customers per arm."""

    baseline: float
    n_per_arm: int
    absolute: float | None  # detectable treatment rate - baseline
    relative: float | None  # absolute / baseline
    alpha: float
    power: float
    code: str


@dataclass(frozen=True)
class RoiInterval:
    """ROI = incremental value / cost, with a percentile bootstrap interval."""

    roi: float | None
    lower: float | None
    upper: float | None
    incremental_value: float | None  # (mean treated - mean control) x treated customers
    cost: float
    n_resamples: int
    alpha: float
    code: str


# --- the API of experiment results (the strategy centre's 实验结果 page) ----------------------------------------

class ArmRead(BaseModel):
    """One arm: customers entered and converted, the rate with its Wilson interval; vs control when treated."""

    variant: str
    percent: float  # configured share of traffic
    control: bool
    entered: int
    converted: int
    rate: float | None
    rate_lower: float | None
    rate_upper: float | None
    difference: float | None = None  # rate - control rate, Newcombe 95% interval
    difference_lower: float | None = None
    difference_upper: float | None = None
    lift: float | None = None  # rate / control rate - 1, delta-method 95% interval
    lift_lower: float | None = None
    lift_upper: float | None = None
    z: float | None = None
    p_value: float | None = None  # two-sided, pooled two-proportion z-test
    significant: bool = False
    test_code: str = OK  # why some statistics are None
    sample_note: str = OK  # minimum-sample rule: ok or the first rule broken
    mde: float | None = None  # smallest absolute rise detectable at this sample (80% power)
    mde_relative: float | None = None
    mde_code: str = OK


class SrmRead(BaseModel):
    """Sample-ratio-mismatch check of the arm sizes against the configured shares."""

    expected: list[float]
    chi2: float | None
    df: int
    p_value: float | None
    mismatch: bool
    threshold: float
    code: str


class BranchRead(BaseModel):
    """The same comparison over the customers of one branch (org) below the viewer's org."""

    org_code: str | None  # None: customers of unknown branch
    org_name: str | None
    arms: list[ArmRead]
    srm: SrmRead


class PromotionRead(BaseModel):
    """A promoted winner: who, when, the version it made and the statistics they saw."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    strategy_id: int
    node_id: str
    variant: str
    version: int
    previous_version: int | None
    promoted_by: str | None
    promoted_at: datetime
    statistics: dict[str, Any]


class ExperimentRead(BaseModel):
    """One experiment of a strategy: an AB split node, or the strategy's holdout against the treated customers."""

    kind: Literal["ab_split", "holdout"]
    node_id: str | None  # None for the holdout
    title: str | None
    control: str
    winner: str | None  # the published version's winner (traffic no longer split)
    versions: list[int]  # the versions whose customers are counted (same split, not yet promoted)
    arms: list[ArmRead]
    srm: SrmRead
    branches: list[BranchRead]
    promotions: list[PromotionRead]


class ExperimentsRead(BaseModel):
    """Every experiment of a strategy, counted within the viewer's data scope."""

    strategy_id: int
    published_version: int | None
    alpha: float
    experiments: list[ExperimentRead]


class PromoteRequest(BaseModel):
    """The variant to send all future traffic of an AB node to."""

    model_config = ConfigDict(extra="forbid")
    variant: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    note: str | None = Field(default=None, max_length=500)


class PromoteRead(BaseModel):
    """The promotion recorded and the version now published."""

    promotion: PromotionRead
    version: int

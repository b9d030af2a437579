"""Query bodies and results of the customer models: distribution, interval, properties, LTV, RFM, MAU/AUM."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from mofang.monitor.analytics.contracts.common import (
    ATTRIBUTES,
    PROPERTY_NAME,
    AnalysisBase,
    CustomerFilter,
    CustomersOnly,
    EventSpec,
)

# ---- 6. distribution (分布分析)


class DistributionQuery(AnalysisBase):
    """Per-customer counts (or sums, or active days) of an event, bucketed."""

    event: EventSpec
    measure: Literal["count", "sum", "days"] = "count"
    property: str | None = Field(default=None, max_length=128)
    edges: list[float] = Field(default_factory=lambda: [1, 2, 4, 8], min_length=1, max_length=30)

    @model_validator(mode="after")
    def _valid(self) -> DistributionQuery:
        if self.measure == "sum" and not (self.property and PROPERTY_NAME.match(self.property)):
            raise ValueError("measure 'sum' needs a numeric property name")
        if any(b <= a for a, b in pairwise(self.edges)):
            raise ValueError("edges must be strictly increasing")
        return self


class Bucket(BaseModel):
    """Customers whose value lies in [lower, upper) (None: no bound on that side)."""

    label: str
    lower: float | None
    upper: float | None
    customers: int


class DistributionResult(BaseModel):
    """Buckets plus summary statistics over customers who did the event."""

    customers: int
    customers_without: int
    buckets: list[Bucket]
    mean: float | None
    median: float | None
    p90: float | None


# ---- 7. interval (间隔分析)


class IntervalQuery(AnalysisBase):
    """Time from each event A to the customer's next event B."""

    first: EventSpec
    then: EventSpec
    edges_seconds: list[float] = Field(
        default_factory=lambda: [60, 300, 1800, 3600, 21600, 86400, 259200, 604800], min_length=1, max_length=30,
    )

    @field_validator("edges_seconds")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(b <= a for a, b in pairwise(v)) or v[0] <= 0:
            raise ValueError("edges must be positive and strictly increasing")
        return v


class IntervalResult(BaseModel):
    """Distribution of A→next-B gaps over pairs, with median and p90 (seconds)."""

    pairs: int
    customers: int
    buckets: list[Bucket]
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


# ---- 8. customer properties (属性分析)


class Dimension(BaseModel):
    """A customer attribute (numbers bucketed by edges) or a tag to split customers by."""

    attribute: str | None = None
    tag: str | None = Field(default=None, min_length=1, max_length=128)
    edges: list[float] | None = Field(default=None, max_length=30)

    @model_validator(mode="after")
    def _one(self) -> Dimension:
        if (self.attribute is None) == (self.tag is None):
            raise ValueError("give either an attribute or a tag")
        if self.attribute is not None and self.attribute not in ATTRIBUTES:
            raise ValueError(f"unknown customer attribute '{self.attribute}'")
        if self.edges and any(b <= a for a, b in pairwise(self.edges)):
            raise ValueError("edges must be strictly increasing")
        return self


class PropertiesQuery(BaseModel):
    """Distribution of one attribute, or a cross-tab of two, over customers in scope."""

    dimensions: list[Dimension] = Field(min_length=1, max_length=2)
    customers: CustomerFilter = Field(default_factory=CustomerFilter)
    limit: int = Field(default=50, ge=1, le=500)
    population: CustomersOnly = "customers"


class PropertyCell(BaseModel):
    """Customers and AUM for one value (pair of values)."""

    values: list[str | None]
    customers: int
    aum: float
    share: float


class PropertiesResult(BaseModel):
    """Cells ordered by customers, with the total."""

    customers: int
    cells: list[PropertyCell]


# ---- LTV, RFM, MAU/AUM


class LtvQuery(AnalysisBase):
    """Cumulative value per customer by months since opening, cohorts by opening month."""

    months: int = Field(default=12, ge=1, le=36)
    margin_bps: float = Field(default=100.0, ge=0, le=10_000)
    population: CustomersOnly = "customers"


class LtvCohort(BaseModel):
    """Average cumulative value of one opening-month cohort, month 0..N (None: not observed)."""

    cohort: str
    customers: int
    values: list[float | None]


class LtvResult(BaseModel):
    """LTV curves per cohort."""

    cohorts: list[LtvCohort]


class RfmQuery(AnalysisBase):
    """RFM on transactions in the range: recency to date_to, frequency and money in the range."""

    population: CustomersOnly = "customers"


class RfmSegment(BaseModel):
    """One of the eight RFM segments (above/below the mean of R, F, M)."""

    segment: str
    label: str
    customers: int
    avg_recency_days: float
    avg_frequency: float
    avg_monetary: float


class RfmResult(BaseModel):
    """Segments, the R×F score grid (quintiles 1..5) and customers without transactions."""

    customers: int
    inactive: int
    segments: list[RfmSegment]
    grid: list[list[int]]


class MauAumQuery(BaseModel):
    """Months (first to last, by their first day) and the org whose children are the rows."""

    month_from: date
    month_to: date
    parent_org: str = Field(default="HQ", min_length=1, max_length=64)
    active_events: list[str] = Field(default_factory=list, max_length=50)
    population: CustomersOnly = "customers"

    @field_validator("month_to")
    @classmethod
    def _range(cls, v: date, info: ValidationInfo) -> date:
        start = info.data.get("month_from")
        if start is not None and v < start:
            raise ValueError("month_to is before month_from")
        if start is not None and (v.year - start.year) * 12 + v.month - start.month > 36:
            raise ValueError("at most 36 months")
        return v


class MauAumRow(BaseModel):
    """One org in one month."""

    month: str
    org_code: str
    org_name: str | None
    customers: int
    mau: int | None  # None: the bank recorded no event in the month (no data), not zero active customers
    active_rate: float | None
    aum: float | None  # None: no AUM snapshot in the month (no data), not zero assets
    net_inflow: float | None  # None: no transaction recorded in the month (no data)


class MauAumMonth(BaseModel):
    """Which days of a month have any data (events, transactions or AUM snapshots), bank-wide."""

    month: str
    first_day: date | None  # None: no data at all in the month
    last_day: date | None
    partial: bool  # data covers only part of the month: not comparable with full months as is


class MauAumResult(BaseModel):
    """Rows per month and child org, with totals and data coverage per month."""

    rows: list[MauAumRow]
    totals: list[MauAumRow]
    months: list[MauAumMonth] = Field(default_factory=list)

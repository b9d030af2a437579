"""Query bodies and results of the event models: trends, funnel, retention, paths, attribution."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from mofang.monitor.analytics.contracts.common import (
    PROPERTY_NAME,
    AnalysisBase,
    EventSpec,
    Granularity,
    GroupBy,
    Period,
    attribute_only,
)

# ---- 1. trends (事件分析)

Measure = Literal["total", "uniques", "per_customer", "sum", "avg", "max"]


class TrendSeries(EventSpec):
    """One line of the chart: an event and what to measure of it."""

    measure: Measure = "total"
    property: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _property_for_numeric(self) -> TrendSeries:
        if self.measure in ("sum", "avg", "max"):
            if not self.property:
                raise ValueError(f"measure '{self.measure}' needs a numeric property")
            if not PROPERTY_NAME.match(self.property):
                raise ValueError("a property name is letters, digits and _ (dots for nesting)")
        return self


class TrendsQuery(AnalysisBase):
    """Event trends: counts or property aggregates per time bucket."""

    series: list[TrendSeries] = Field(min_length=1, max_length=8)
    granularity: Granularity = "day"
    group_by: GroupBy | None = None
    compare_previous: bool = False


class TrendLine(BaseModel):
    """Values of one series (and group) per bucket, with the whole-range total."""

    series: int
    event: str
    measure: Measure
    group: str | None
    values: list[float]
    total: float


class TrendsResult(BaseModel):
    """Buckets (local start times, ISO) and one line per series and group."""

    buckets: list[str]
    lines: list[TrendLine]
    previous_buckets: list[str] | None = None
    previous: list[TrendLine] | None = None


# ---- 2. funnel (漏斗分析)

FunnelMode = Literal["ordered", "strict", "any_order"]
WindowUnit = Literal["minute", "hour", "day"]


class Exclusion(EventSpec):
    """An event that breaks a conversion attempt when it happens between two steps (1-based)."""

    from_step: int = Field(default=1, ge=1, le=10)
    to_step: int | None = Field(default=None, ge=2, le=10)


class FunnelQuery(AnalysisBase):
    """Ordered steps converted within a window from the first step.

    `group_by` is a customer attribute, or a property of the first step's event: the value on the
    first-step event that starts the customer's deepest attempt (see `funnel`'s module doc for ties).
    """

    steps: list[EventSpec] = Field(min_length=2, max_length=10)
    window: int = Field(default=7, ge=1, le=1440)
    window_unit: WindowUnit = "day"
    mode: FunnelMode = "ordered"
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=5)
    group_by: GroupBy | None = None

    @field_validator("exclusions")
    @classmethod
    def _exclusions(cls, v: list[Exclusion], info: ValidationInfo) -> list[Exclusion]:
        n = len(info.data.get("steps") or [])
        for ex in v:
            to = ex.to_step or n
            if n and not (1 <= ex.from_step < to <= n):
                raise ValueError(f"an exclusion must lie between steps 1 and {n} (from_step < to_step)")
        if v and info.data.get("mode") != "ordered":
            raise ValueError("exclusion steps apply to ordered funnels only")
        return v

    def window_seconds(self) -> int:
        """The conversion window in seconds."""
        return self.window * {"minute": 60, "hour": 3600, "day": 86400}[self.window_unit]


class FunnelStep(BaseModel):
    """One step: customers reaching it, conversion, and the median time from the previous step."""

    step: int
    event: str
    customers: int
    conversion_from_first: float
    conversion_from_previous: float
    dropped: int
    median_seconds_from_previous: float | None


class FunnelGroup(BaseModel):
    """The funnel for one group value (or all customers when group is None)."""

    group: str | None
    steps: list[FunnelStep]


class FunnelResult(BaseModel):
    """The overall funnel and one per group."""

    overall: FunnelGroup
    groups: list[FunnelGroup]


class DropoffSave(BaseModel):
    """Save the customers who reached step `step - 1` but not `step` as a static segment."""

    query: FunnelQuery
    step: int = Field(ge=2, le=10)
    name: str = Field(min_length=1, max_length=128)


class DropoffSaved(BaseModel):
    """The segment created from funnel drop-offs."""

    segment_id: str
    customers: int


# ---- 3. retention (留存分析)


class RetentionQuery(AnalysisBase):
    """Cohorts by the period of the initial event; share doing the return event N periods later."""

    initial: EventSpec
    returning: EventSpec
    period: Period = "day"
    periods: int = Field(default=7, ge=1, le=60)
    first_time: bool = False
    group_by: GroupBy | None = None

    _group = field_validator("group_by")(lambda v: attribute_only(v, "retention"))


class Cohort(BaseModel):
    """One cohort row: its size and how many returned in each period 0..N."""

    cohort: str
    group: str | None
    size: int
    returned: list[int | None]
    rates: list[float | None]


class RetentionResult(BaseModel):
    """The cohort table and the size-weighted average rate per period."""

    periods: int
    cohorts: list[Cohort]
    average: list[float | None]


# ---- 4. paths (路径分析)


class PathsQuery(AnalysisBase):
    """Paths within sessions starting or ending at an event."""

    anchor: EventSpec
    direction: Literal["starting", "ending"] = "starting"
    depth: int = Field(default=5, ge=2, le=10)
    session_gap_minutes: int = Field(default=30, ge=1, le=1440)
    events: list[str] = Field(default_factory=list, max_length=50)
    top: int = Field(default=20, ge=1, le=200)


class PathRow(BaseModel):
    """One path and how many sessions followed it."""

    events: list[str]
    sessions: int


class SankeyNode(BaseModel):
    """A node: an event at a position of the path."""

    id: str
    step: int
    event: str


class SankeyLink(BaseModel):
    """Sessions moving from one node to the next."""

    source: str
    target: str
    sessions: int


class PathsResult(BaseModel):
    """Top paths and the Sankey diagram of all paths."""

    sessions: int
    top: list[PathRow]
    nodes: list[SankeyNode]
    links: list[SankeyLink]
    truncated: bool


# ---- 5. attribution (归因分析)

AttributionModel = Literal["first", "last", "linear", "position", "time_decay"]


class AttributionQuery(AnalysisBase):
    """Credit touch events before a conversion within a lookback window."""

    conversion: EventSpec
    touches: list[EventSpec] = Field(min_length=1, max_length=20)
    touch_property: str | None = Field(default=None, max_length=128)
    window_days: int = Field(default=7, ge=1, le=90)
    half_life_hours: float = Field(default=24.0, gt=0, le=24 * 90)

    @field_validator("touch_property")
    @classmethod
    def _identifier(cls, v: str | None) -> str | None:
        if v is not None and not PROPERTY_NAME.match(v):
            raise ValueError("a property name is letters, digits and _ (dots for nesting)")
        return v


class AttributionRow(BaseModel):
    """Credit of one touch (event, and property value when split) under each model."""

    touch: str
    value: str | None
    touched_conversions: int
    first: float
    last: float
    linear: float
    position: float
    time_decay: float


class AttributionResult(BaseModel):
    """Conversions, how many had a touch, and credit per touch."""

    conversions: int
    attributed: int
    rows: list[AttributionRow]

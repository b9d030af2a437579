"""Public types of the tag system: tag definitions (validated JSON rules), runs, distributions, history."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mofang.insight.segments.contracts import Condition, PropertyFilter, Window

Family = Literal["business_value", "preference", "lifecycle", "timing", "model", "imported"]
FAMILY_NAMES = {"business_value": "商业价值", "preference": "用户偏好", "lifecycle": "生命周期", "timing": "营销时机",
                "model": "模型标签", "imported": "导入标签"}
Agg = Literal["count", "sum", "avg", "min", "max", "distinct", "first", "last", "mode"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Band(_Strict):
    """A label for numbers below `lt` (the last band, without `lt`, takes the rest)."""

    label: str = Field(min_length=1, max_length=64)
    lt: float | None = None


class _Banded(_Strict):
    bands: list[Band] | None = Field(default=None, min_length=2, max_length=20)

    # A field validator (not a model one) so a 422 names `bands`, the field the editor shows it next to.
    @field_validator("bands")
    @classmethod
    def _ordered(cls, bands: list[Band] | None) -> list[Band] | None:
        if bands:
            limits = [b.lt for b in bands[:-1]]
            if any(x is None for x in limits) or bands[-1].lt is not None:
                raise ValueError("every band but the last needs `lt`; the last takes the rest")
            for lower, upper in pairwise(limits):
                if upper == lower:
                    raise ValueError(f"two bands end at {upper:g}: the bands overlap")
                if upper < lower:  # type: ignore[operator]
                    raise ValueError(f"band limits must increase: {upper:g} comes after {lower:g}")
            labels = [b.label for b in bands]
            if len(set(labels)) != len(labels):
                raise ValueError("band labels must differ")
        return bands


class AttributeRule(_Banded):
    """An attribute, as is, banded (e.g. AUM tiers) or mapped (e.g. risk level → appetite)."""

    kind: Literal["attribute"]
    field: str = Field(min_length=1, max_length=64)
    mapping: dict[str, str] | None = Field(default=None, max_length=100)


class AggregateRule(_Banded):
    """count / sum / avg / min / max / distinct / first / last / mode of events or transactions in a window."""

    kind: Literal["aggregate"]
    source: Literal["events", "transactions"] = "events"
    event: str | None = Field(default=None, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    agg: Agg = "count"
    property: str | None = Field(default=None, max_length=128)
    window: Window = Field(default_factory=lambda: Window(last_days=30))


class Case(_Strict):
    """A value given when a condition holds (first match wins)."""

    value: str = Field(min_length=1, max_length=64)
    when: Condition


class RuleRule(_Strict):
    """Labels from ordered conditions (the segment condition language), else a default."""

    kind: Literal["rule"]
    cases: list[Case] = Field(min_length=1, max_length=30)
    default: str | None = Field(default=None, max_length=64)


class LifecycleRule(_Strict):
    """Lifecycle stage (潜客 新客 成长 成熟 沉睡 流失) by editable ordered conditions."""

    kind: Literal["lifecycle"]
    cases: list[Case] = Field(min_length=1, max_length=12)
    default: str | None = Field(default=None, max_length=64)


class RfmRule(_Strict):
    """RFM over a window: high/low recency, frequency, monetary → the eight RFM classes.

    A threshold left out is the median over customers active in the window.
    """

    kind: Literal["rfm"]
    source: Literal["events", "transactions"] = "transactions"
    event: str | None = Field(default=None, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    property: str = Field(default="amount", max_length=128)
    window: Window = Field(default_factory=lambda: Window(last_days=90))
    recency_days: float | None = Field(default=None, ge=0)
    frequency: float | None = Field(default=None, ge=0)
    monetary: float | None = Field(default=None, ge=0)


class TimingRule(_Strict):
    """Marketing timing: usual payday (day of month of salary credits), most active hour or weekday."""

    kind: Literal["timing"]
    measure: Literal["payday", "active_hour", "active_weekday"]
    event: str | None = Field(default=None, max_length=128)
    window: Window = Field(default_factory=lambda: Window(last_days=90))


class ModelRule(_Strict):
    """Values written by a model (scores, propensities) through the service."""

    kind: Literal["model"]
    model: str | None = Field(default=None, max_length=128)
    value_type: Literal["string", "number"] = "number"


class ImportedRule(_Strict):
    """Values uploaded as CSV (customer_id,value)."""

    kind: Literal["imported"]
    value_type: Literal["string", "number"] = "string"


TagRule = Annotated[
    AttributeRule | AggregateRule | RuleRule | LifecycleRule | RfmRule | TimingRule | ModelRule | ImportedRule,
    Field(discriminator="kind"),
]


class TagCreate(BaseModel):
    """A new tag."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str = Field(min_length=1, max_length=128)
    family: Family
    description: str = Field(default="", max_length=2000)
    rule: TagRule
    enabled: bool = True
    owner_org: str | None = Field(default=None, min_length=1, max_length=64, description="default: the user's org")


class TagUpdate(BaseModel):
    """Changes to a tag; a new rule is a new version."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    family: Family | None = None
    description: str | None = Field(default=None, max_length=2000)
    rule: TagRule | None = None
    enabled: bool | None = None
    owner_org: str | None = Field(default=None, min_length=1, max_length=64)


class TagRunRead(BaseModel):
    """One computation of a tag."""

    id: int
    tag_id: int
    day: date
    trigger: str
    status: str
    started_at: datetime
    duration_ms: int
    customers: int
    coverage: float
    changed: int
    error: str | None


class TagRead(BaseModel):
    """A tag with its latest run."""

    id: int
    key: str
    name: str
    family: str
    family_name: str
    description: str
    kind: str
    value_type: str
    rule: TagRule | None  # None: the stored rule no longer reads (the console says so)
    version: int
    owner_org: str
    builtin: bool
    enabled: bool
    editable: bool
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    last_run: TagRunRead | None


class RunRequest(BaseModel):
    """Compute on demand (default: today)."""

    day: date | None = None


class RunReport(BaseModel):
    """What a run did."""

    day: date
    runs: list[TagRunRead]
    elapsed_ms: int
    compute_ms: int = 0
    write_ms: int = 0


class DistributionBucket(BaseModel):
    """A value (or a numeric range) and how many customers have it."""

    value: str
    count: int
    ratio: float
    low: float | None = None
    high: float | None = None


class Distribution(BaseModel):
    """A tag's value distribution on a day, inside the viewer's scope."""

    tag: str
    day: date | None
    customers: int
    covered: int
    coverage: float
    buckets: list[DistributionBucket]


class HistoryPoint(BaseModel):
    """Counts per value on one day (top values; numbers: covered count and mean)."""

    day: date
    covered: int
    counts: dict[str, int]
    mean: float | None = None


class ImportReport(BaseModel):
    """What a CSV import of tag values did."""

    accepted: int
    rejected: int
    rejects: list[dict[str, str | int]]
    run: TagRunRead

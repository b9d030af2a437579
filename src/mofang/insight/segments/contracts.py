"""Public types of segments: the condition tree (validated JSON), segments, lists, sets, flows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Op = Literal[
    "eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "contains", "is_null", "is_not_null",
    "within_last_days",
]
CountOp = Literal["eq", "neq", "gt", "gte", "lt", "lte", "between"]
Scalar = str | int | float | bool | date
Value = Scalar | list[Scalar] | None
Measure = Literal["count", "sum", "avg", "min", "max", "distinct"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Window(_Strict):
    """A rolling window (the last N days, today included) or a fixed range of dates (both inclusive)."""

    last_days: int | None = Field(default=None, ge=1, le=3660)
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Window:
        if self.last_days is None and (self.start is None or self.end is None):
            raise ValueError("give last_days, or both start and end")
        if self.last_days is not None and (self.start is not None or self.end is not None):
            raise ValueError("give last_days or start/end, not both")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start is after end")
        return self


class PropertyFilter(_Strict):
    """A condition on an event property (or transaction column)."""

    property: str = Field(min_length=1, max_length=128)
    op: Op
    value: Value = None


class AttributeCondition(_Strict):
    """A customer attribute compared with a value, e.g. age between [25, 40]."""

    type: Literal["attribute"]
    field: str = Field(min_length=1, max_length=64)
    op: Op
    value: Value = None


class TagCondition(_Strict):
    """A tag's value now, or on a past date (on_date, or days_ago)."""

    type: Literal["tag"]
    tag: str = Field(min_length=1, max_length=64)
    op: Op
    value: Value = None
    on_date: date | None = None
    days_ago: int | None = Field(default=None, ge=0, le=3660)


class BehaviourCondition(_Strict):
    """Did (or did not) do an event with property filters, `measure op value` times, within a window."""

    type: Literal["behaviour"]
    source: Literal["events", "transactions"] = "events"
    event: str | None = Field(default=None, min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    did: bool = True
    measure: Measure = "count"
    property: str | None = Field(default=None, max_length=128)
    op: CountOp = "gte"
    value: float | list[float] = 1
    window: Window = Field(default_factory=lambda: Window(last_days=30))


class SequenceStep(_Strict):
    """One step of a sequence: an event with property filters."""

    event: str = Field(min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)


class SequenceCondition(_Strict):
    """Did A then B (then C...) with each step within `within_hours` of the previous, inside a window."""

    type: Literal["sequence"]
    steps: list[SequenceStep] = Field(min_length=2, max_length=4)
    within_hours: int = Field(ge=1, le=24 * 366)
    did: bool = True
    window: Window = Field(default_factory=lambda: Window(last_days=30))


class HoldingCondition(_Strict):
    """Holds (or not) a product type or product, optionally with a balance condition or a maturity date soon."""

    type: Literal["holding"]
    product_type: str | None = Field(default=None, max_length=32)
    product_id: str | None = Field(default=None, max_length=64)
    holds: bool = True
    op: CountOp | None = None
    value: float | list[float] | None = None
    matures_within_days: int | None = Field(default=None, ge=0, le=3660)


class SegmentCondition(_Strict):
    """Member (or not) of another segment."""

    type: Literal["segment"]
    segment_id: int
    member: bool = True


class ListCondition(_Strict):
    """On (or not on) an imported list of customer ids."""

    type: Literal["list"]
    list_id: int
    member: bool = True


class GroupCondition(_Strict):
    """AND / OR of conditions."""

    type: Literal["group"]
    op: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(min_length=1, max_length=50)


class NotCondition(_Strict):
    """NOT of a condition."""

    type: Literal["not"]
    condition: Condition


Condition = Annotated[
    AttributeCondition | TagCondition | BehaviourCondition | SequenceCondition | HoldingCondition
    | SegmentCondition | ListCondition | GroupCondition | NotCondition,
    Field(discriminator="type"),
]
GroupCondition.model_rebuild()
NotCondition.model_rebuild()


class EstimateRequest(BaseModel):
    """A definition being edited."""

    definition: Condition


class EstimateRead(BaseModel):
    """How many customers in the user's scope match, out of how many."""

    count: int
    total: int
    ratio: float
    elapsed_ms: int


class SegmentCreate(BaseModel):
    """A new segment."""

    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    kind: Literal["dynamic", "static"] = "dynamic"
    definition: Condition


class SegmentUpdate(BaseModel):
    """Changes to a segment (a static segment's definition cannot change once frozen)."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    definition: Condition | None = None


class SegmentRead(BaseModel):
    """A segment as listed."""

    id: int
    name: str
    description: str
    kind: str
    definition: Condition | None  # None: stored under older rules and no longer readable (see last_error)
    version: int
    owner_org: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    last_count: int | None
    last_evaluated_on: date | None
    frozen_on: date | None
    editable: bool
    last_error: str | None = None  # why the last daily evaluation failed (None once it ran)
    last_error_at: datetime | None = None


class SegmentPage(BaseModel):
    """Segments the user can see."""

    items: list[SegmentRead]
    total: int


class MemberRow(BaseModel):
    """One member (masked)."""

    customer_id: str
    name: str | None
    gender: str | None
    age: int | None
    phone: str | None
    province: str | None
    city: str | None
    tier: str | None
    risk_level: str | None
    aum: float | None
    org_code: str
    rm_id: str | None


class MemberPage(BaseModel):
    """A page of members inside the user's scope."""

    items: list[MemberRow]
    total: int
    day: date | None = None


class Bucket(BaseModel):
    """One bar of a composition chart."""

    value: str
    count: int
    ratio: float


class Composition(BaseModel):
    """Members broken down by dimension (scoped)."""

    total: int
    dimensions: dict[str, list[Bucket]]


class SnapshotRead(BaseModel):
    """A dated snapshot's size."""

    day: date
    count: int


class ListRead(BaseModel):
    """An imported list of customer ids."""

    id: int
    name: str
    owner_org: str
    accepted: int
    rejected: int
    rejects: list[dict[str, str | int]]
    created_at: datetime


class SegmentSetCreate(BaseModel):
    """A new segment set with its strategy suggestion."""

    name: str = Field(min_length=1, max_length=128)
    strategy: str = Field(default="", max_length=5000)
    segment_ids: list[int] = Field(default_factory=list, max_length=100)


class SegmentSetUpdate(BaseModel):
    """Changes to a segment set."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    strategy: str | None = Field(default=None, max_length=5000)
    segment_ids: list[int] | None = Field(default=None, max_length=100)


class ShareRequest(BaseModel):
    """Share with the whole bank, or with chosen orgs (their subtrees receive it)."""

    all: bool = False
    org_codes: list[str] = Field(default_factory=list, max_length=500)


class SetSegment(BaseModel):
    """A segment inside a set, with its size inside the viewer's scope."""

    id: int
    name: str
    kind: str
    count: int | None


class SegmentSetRead(BaseModel):
    """A segment set as the viewer sees it."""

    id: int
    name: str
    strategy: str
    owner_org: str
    created_by: str | None
    created_at: datetime
    segments: list[SetSegment]
    share_all: bool
    shared_with: list[str]
    reference_count: int
    referenced_by_me: bool
    owned: bool


class FlowRequest(BaseModel):
    """A tiering (a tag, or an ordered list of segments) compared between two dates."""

    tag: str | None = Field(default=None, max_length=64)
    segment_ids: list[int] | None = Field(default=None, min_length=2, max_length=20)
    start: date
    end: date

    @model_validator(mode="after")
    def _one_tiering(self) -> FlowRequest:
        if (self.tag is None) == (self.segment_ids is None):
            raise ValueError("give a tag or segment_ids")
        return self


class FlowCell(BaseModel):
    """Customers who were in `source` on the start date and in `target` on the end date."""

    source: str
    target: str
    count: int
    ratio: float


class FlowRead(BaseModel):
    """Transition matrix (counts and % of the source row) plus tier sizes on both dates."""

    tiers: list[str]
    start: date
    end: date
    cells: list[FlowCell]
    start_sizes: dict[str, int]
    end_sizes: dict[str, int]


class TrendPoint(BaseModel):
    """Tier sizes on one day."""

    day: date
    sizes: dict[str, int]


class FlowCellSegment(BaseModel):
    """Make the customers behind one cell (of a tag or a segment tiering) a new static segment."""

    tag: str | None = Field(default=None, max_length=64)
    segment_ids: list[int] | None = Field(default=None, min_length=2, max_length=20)
    start: date
    end: date
    source: str = Field(max_length=160)
    target: str = Field(max_length=160)
    name: str = Field(min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_tiering(self) -> FlowCellSegment:
        if (self.tag is None) == (self.segment_ids is None):
            raise ValueError("give a tag or segment_ids")
        return self

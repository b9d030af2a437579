"""Public types of the canvas: a strategy is a versioned directed graph of typed nodes, stored as validated JSON.

Node types are one discriminated union (`Node`, on `type`); the engine handles them with an exhaustive `match`
ending in `assert_never`. Edges carry the branch label of their source node's outcome (`next` for single-exit
nodes). Everything a node refers to (segments, tags, events, templates, benefits) is an id picked from a list in the
console and checked against the catalogue when the strategy is validated; nothing here is ever evaluated as code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mofang.insight.segments.contracts import Op, PropertyFilter, Value
from mofang.reach.contracts import Channel, Purpose

NodeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Label = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weekday = Annotated[int, Field(ge=1, le=7)]  # ISO: 1 = Monday

SECONDS_MAX = 366 * 24 * 3600


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(_Strict):
    """Where the node sits on the canvas (the console's layout; the engine ignores it)."""

    x: float = 0
    y: float = 0


class _NodeBase(_Strict):
    id: NodeId
    title: str | None = Field(default=None, max_length=80)
    position: Position = Field(default_factory=Position)


# --- conditions a 条件分支 evaluates on the customer's profile and the instance's trigger -----------------------


class AttributeIs(_Strict):
    """A profile attribute (catalogue field: aum, kyc_level, tier, age, a custom attribute …) compared with a value."""

    type: Literal["attribute"]
    field: str = Field(min_length=1, max_length=64)
    op: Op
    value: Value = None


class TagIs(_Strict):
    """The customer's current value of a tag."""

    type: Literal["tag"]
    tag: str = Field(min_length=1, max_length=64)
    op: Op
    value: Value = None


class InSegment(_Strict):
    """Membership of a segment (as of its latest snapshot in the profile table)."""

    type: Literal["segment"]
    segment_id: int = Field(ge=1)
    member: bool = True


class TriggerIs(_Strict):
    """A property of the event (or API payload) that started this instance."""

    type: Literal["trigger"]
    property: str = Field(min_length=1, max_length=128)
    op: Op
    value: Value = None


class AllOf(_Strict):
    """Every (all) or any (any) of the conditions."""

    type: Literal["group"]
    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1, max_length=20)


class NotOf(_Strict):
    """The negation of one condition."""

    type: Literal["not"]
    condition: Condition


Condition = Annotated[AttributeIs | TagIs | InSegment | TriggerIs | AllOf | NotOf, Field(discriminator="type")]


# --- 进入 entry -------------------------------------------------------------------------------------------------


class Reentry(_Strict):
    """Whether a customer may enter again: once ever, again after a cooldown, or always; and a concurrency cap."""

    policy: Literal["once", "cooldown", "always"] = "once"
    cooldown_seconds: int | None = Field(default=None, ge=60, le=SECONDS_MAX)
    max_concurrent: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _cooldown_given(self) -> Reentry:
        if self.policy == "cooldown" and self.cooldown_seconds is None:
            raise ValueError("cooldown_seconds is required when policy is cooldown")
        return self


class Schedule(_Strict):
    """A recurring run in the bank's time zone: daily at a time, or weekly on given weekdays at a time."""

    every: Literal["daily", "weekly"] = "daily"
    at: HHMM = "09:00"
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)


class SegmentEntry(_NodeBase):
    """客群进入: the segment's members enter once at publish, or on a schedule (each run: the newly qualifying)."""

    type: Literal["segment_entry"]
    segment_id: int = Field(ge=1)
    recurring: Schedule | None = None
    reentry: Reentry = Field(default_factory=Reentry)


class EventEntry(_NodeBase):
    """事件触发: any ingested event of this name whose properties pass the filters starts an instance."""

    type: Literal["event_entry"]
    event: str = Field(min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    reentry: Reentry = Field(default_factory=lambda: Reentry(policy="always"))


class ApiEntry(_NodeBase):
    """接口触发: the bank's systems POST a customer (and a payload later nodes can use) into the strategy."""

    type: Literal["api_entry"]
    payload_keys: list[str] = Field(default_factory=list, max_length=50)
    reentry: Reentry = Field(default_factory=lambda: Reentry(policy="always"))


# --- 判定 judgment ----------------------------------------------------------------------------------------------


class Branch(_Strict):
    """One way out of a condition split: the first branch whose condition holds is taken."""

    label: Label
    condition: Condition


class ConditionSplit(_NodeBase):
    """条件分支: branches tried in order at the moment the customer arrives; `else` when none holds."""

    type: Literal["condition_split"]
    branches: list[Branch] = Field(min_length=1, max_length=10)


class WaitEvent(_NodeBase):
    """行为判断: wait up to `within_seconds` for the event → `did`, else `timeout`."""

    type: Literal["wait_event"]
    event: str = Field(min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    within_seconds: int = Field(ge=60, le=SECONDS_MAX)


class Variant(_Strict):
    """One arm of an experiment and its share of traffic (percent)."""

    label: Label
    percent: float = Field(gt=0, le=100)


class AbSplit(_NodeBase):
    """AB分流: a sticky random split (hash of customer and experiment); one variant is the control."""

    type: Literal["ab_split"]
    variants: list[Variant] = Field(min_length=2, max_length=10)
    control: Label
    winner: Label | None = None  # set by promoting a winner: all later traffic goes there

    @model_validator(mode="after")
    def _shares(self) -> AbSplit:
        labels = [v.label for v in self.variants]
        if len(set(labels)) != len(labels):
            raise ValueError("variant labels must be unique")
        if abs(sum(v.percent for v in self.variants) - 100) > 1e-6:
            raise ValueError("variant percentages must add up to 100")
        if self.control not in labels or (self.winner is not None and self.winner not in labels):
            raise ValueError("control and winner must be variant labels")
        return self


ResultOutcome = Literal[
    "clicked", "opened", "delivered", "accepted", "failed", "suppressed", "unreachable", "deferred"
]


class ResultSplit(_NodeBase):
    """触达结果判断: after waiting up to `wait_seconds`, branch on the best outcome of an earlier send node.

    Edge labels are outcomes (`clicked`, `opened`, `delivered`, `accepted`, `failed`, `suppressed`, `unreachable`)
    and `else`; the best outcome recorded so far with an edge is taken (clicked > opened > delivered > accepted).
    """

    type: Literal["result_split"]
    send_node: NodeId
    wait_seconds: int = Field(default=0, ge=0, le=SECONDS_MAX)


# --- 控制 control -----------------------------------------------------------------------------------------------


class Delay(_NodeBase):
    """等待: hold for a duration."""

    type: Literal["delay"]
    seconds: int = Field(ge=1, le=SECONDS_MAX)


class WaitUntil(_NodeBase):
    """定时: hold until the next time of day (on given weekdays, or a date) in the bank's time zone."""

    type: Literal["wait_until"]
    at: HHMM
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    on_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class TimeWindow(_NodeBase):
    """时间窗口: pass only inside allowed hours (and weekdays); otherwise hold until the window opens."""

    type: Literal["time_window"]
    start: HHMM
    end: HHMM
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)


class RateLimit(_NodeBase):
    """频控: at most `limit` customers per hour/day pass this node; the rest wait for the next period (or exit)."""

    type: Literal["rate_limit"]
    limit: int = Field(ge=1, le=10_000_000)
    per: Literal["hour", "day"] = "day"
    overflow: Literal["hold", "exit"] = "hold"


class Goal(_NodeBase):
    """目标: a conversion event within a window from entry; the customer exits as converted wherever they are.

    Reaching the node itself: converted if the event was already seen, else wait for it until the window closes.
    """

    type: Literal["goal"]
    event: str = Field(min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    window_seconds: int = Field(default=30 * 86400, ge=3600, le=SECONDS_MAX)


class Exit(_NodeBase):
    """结束."""

    type: Literal["exit"]


# --- 动作 action ------------------------------------------------------------------------------------------------


class Send(_NodeBase):
    """触达: send a content template on a channel through the reach centre (which applies the contact policy)."""

    type: Literal["send"]
    channel: Channel
    template_id: int = Field(ge=1)
    purpose: Purpose = "marketing"
    product_id: str | None = Field(default=None, max_length=64)  # offered product: suitability per customer
    # 适当性: the offered product's risk R1–R5; the reach centre suppresses (`unsuitable`) a customer below C(n).
    product_risk: Literal["R1", "R2", "R3", "R4", "R5"] | None = None


class IssueBenefit(_NodeBase):
    """发放权益: issue a benefit of a campaign (stock and budget are the campaign centre's)."""

    type: Literal["benefit"]
    benefit_id: int = Field(ge=1)


class SetTag(_NodeBase):
    """打标签: add or remove a manual tag value."""

    type: Literal["tag"]
    tag: str = Field(min_length=1, max_length=64)
    action: Literal["add", "remove"] = "add"
    value: str | None = Field(default=None, max_length=128)


class SetAttribute(_NodeBase):
    """更新属性: set a custom customer attribute (declared in the catalogue) that later nodes can read."""

    type: Literal["set_attribute"]
    field: str = Field(min_length=1, max_length=64)
    value: str | int | float | bool | None = None


class Webhook(_NodeBase):
    """Webhook: a signed HTTP POST (through the outbound guard) with retries and a timeout."""

    type: Literal["webhook"]
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")
    include: list[str] = Field(default_factory=list, max_length=30)  # profile fields to send (never PII)


class RmTask(_NodeBase):
    """转人工: create a task for the customer's relationship manager with a script and a due date."""

    type: Literal["rm_task"]
    template_id: int = Field(ge=1)
    due_days: int = Field(default=3, ge=1, le=90)


# --- 智能 smart -------------------------------------------------------------------------------------------------


class Propensity(_NodeBase):
    """高潜筛选: keep customers whose propensity for a target event is in the top N% (or ≥ a score) → `high`/`else`."""

    type: Literal["propensity"]
    target_event: str = Field(min_length=1, max_length=128)
    top_percent: float | None = Field(default=None, gt=0, le=100)
    min_score: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_threshold(self) -> Propensity:
        if (self.top_percent is None) == (self.min_score is None):
            raise ValueError("give top_percent or min_score")
        return self


class BestTime(_NodeBase):
    """最佳时机: hold each customer until their own most responsive hour (bank default when unknown)."""

    type: Literal["best_time"]
    default_hour: int = Field(default=10, ge=0, le=23)
    max_wait_seconds: int = Field(default=2 * 86400, ge=3600, le=14 * 86400)


Node = Annotated[
    SegmentEntry | EventEntry | ApiEntry
    | ConditionSplit | WaitEvent | AbSplit | ResultSplit
    | Delay | WaitUntil | TimeWindow | RateLimit | Goal | Exit
    | Send | IssueBenefit | SetTag | SetAttribute | Webhook | RmTask
    | Propensity | BestTime,
    Field(discriminator="type"),
]
ENTRY_TYPES = frozenset({"segment_entry", "event_entry", "api_entry"})
# The labels each kind of node may put on its out-edges (condition splits: their branch labels and `else`).
FIXED_LABELS: dict[str, frozenset[str]] = {
    "wait_event": frozenset({"did", "timeout"}),
    "result_split": frozenset({"clicked", "opened", "delivered", "accepted", "failed", "suppressed", "unreachable",
                               "deferred", "else"}),
    "propensity": frozenset({"high", "else"}),
    "goal": frozenset(),
    "exit": frozenset(),
}


class Edge(_Strict):
    """A connection from a node's outcome (`label`) to the next node."""

    source: NodeId
    target: NodeId
    label: Label = "next"


class StrategySettings(_Strict):
    """Strategy-wide settings: business line and priority for the contact policy, holdout, time zone."""

    business_line: Literal["retail", "card", "wealth", "loan"] = "retail"
    priority: int = Field(default=100, ge=1, le=1000)  # lower wins when a shared cap would be exceeded
    holdout_percent: float = Field(default=0, ge=0, le=50)  # enters, receives no action: the lift baseline
    timezone: str = Field(default="Asia/Shanghai", max_length=64)


class Graph(_Strict):
    """The canvas: nodes and edges (validated further by `canvas.logic.validate` against the catalogue)."""

    nodes: list[Node] = Field(min_length=1, max_length=200)
    edges: list[Edge] = Field(default_factory=list, max_length=600)
    settings: StrategySettings = Field(default_factory=StrategySettings)


AllOf.model_rebuild()
NotOf.model_rebuild()
Branch.model_rebuild()


# --- the API of the strategy list and editor (added by the canvas part) -----------------------------------------

Status = Literal["draft", "published", "paused", "stopped", "archived"]
Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One finding of validation: the node (None: the whole graph), the field at fault and a stable code."""

    node_id: str | None
    field: str
    code: str
    params: dict[str, str | int | float] = Field(default_factory=dict)
    severity: Severity = "error"


class DraftGraph(BaseModel):
    """A graph being edited: stored as given (it may be incomplete); `validate` turns it into a `Graph`."""

    model_config = ConfigDict(extra="forbid")
    nodes: list[dict[str, object]] = Field(default_factory=list, max_length=200)
    edges: list[dict[str, object]] = Field(default_factory=list, max_length=600)
    settings: dict[str, object] = Field(default_factory=dict)


class StrategyCreate(BaseModel):
    """A new strategy (owned by the creator's org) with its first draft."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    graph: DraftGraph = Field(default_factory=DraftGraph)


class StrategyUpdate(BaseModel):
    """Rename, describe or save the draft graph (a new version when the latest one was published)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    graph: DraftGraph | None = None
    note: str | None = Field(default=None, max_length=500)


class PublishRequest(BaseModel):
    """Publish the latest version; `migrate_instances` moves running customers to matching nodes of it."""

    model_config = ConfigDict(extra="forbid")
    migrate_instances: bool = False
    note: str | None = Field(default=None, max_length=500)


class VersionRead(BaseModel):
    """One saved version of a strategy's graph."""

    version: int
    graph: DraftGraph
    created_by: str | None
    created_at: datetime
    published_at: datetime | None
    note: str | None


class VersionSummary(BaseModel):
    """A version as listed (without its graph)."""

    version: int
    created_by: str | None
    created_at: datetime
    published_at: datetime | None
    note: str | None


class StrategyRead(BaseModel):
    """A strategy with its latest version's graph (the draft, or the published one when there is no draft)."""

    id: int
    name: str
    description: str
    owner_org: str
    created_by: str | None
    status: Status
    current_version: int
    published_version: int | None
    has_draft: bool
    created_at: datetime
    updated_at: datetime
    graph: DraftGraph | None = None


class ValidationRead(BaseModel):
    """The outcome of validating a graph: problems (errors block publishing, warnings do not)."""

    ok: bool
    problems: list[Problem]


class Option(BaseModel):
    """One entry of a pick-list."""

    id: int
    name: str


class PropertyOption(BaseModel):
    """An event property or an attribute a node may refer to."""

    key: str
    label: str
    type: str
    values: list[str] | None = None


class EventOption(BaseModel):
    """An event with its properties."""

    name: str
    label: str
    properties: list[PropertyOption]


class TagOption(BaseModel):
    """A tag; `manual` tags (imported values) may be set by a 打标签 node."""

    key: str
    name: str
    manual: bool
    value_type: str
    values: list[str] | None = None


class AttributeOption(PropertyOption):
    """A profile attribute; `custom` ones (declared by the bank) may be set by a 更新属性 node."""

    custom: bool = False


class CatalogueRead(BaseModel):
    """The pick-lists of the editor's side panel, for one owner org."""

    owner_org: str
    segments: list[Option]
    tags: list[TagOption]
    events: list[EventOption]
    attributes: list[AttributeOption]
    templates: dict[str, list[Option]]
    benefits: list[Option]
    channels: list[str]
    operators: dict[str, list[str]]


class RunningStrategy(BaseModel):
    """A published strategy as the engine needs it: the version it runs, its owner (the data scope) and graph."""

    strategy_id: int
    version: int
    org_code: str
    status: Literal["published", "paused"]
    graph: Graph

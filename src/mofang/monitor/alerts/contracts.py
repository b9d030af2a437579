"""Public types of the metric library and alerts."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from mofang.monitor.analytics.contracts import PROPERTY_NAME, CustomerFilter, EventSpec, GroupBy

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
Op = Literal["gt", "gte", "lt", "lte", "change_gt", "change_lt", "anomaly"]
Severity = Literal["info", "warning", "critical"]
Outcome = Literal["fired", "insufficient_baseline"]
# "none": a recorded evaluation that is not an alert (an anomaly rule without enough baseline), nothing to acknowledge
AlertStatus = Literal["open", "acknowledged", "none"]


MetricSource = Literal["event", "attribute", "effect"]
# Effect metrics (效果评估): a strategy or campaign's ROI, or its incremental AUM, against its holdout.
EffectMeasure = Literal["campaign_roi", "incremental_aum"]
AttributeMeasure = Literal["customers", "sum", "avg"]
MetricAttribute = Literal["aum", "age"]
MAX_DIMENSIONS = 5


class MetricDefinition(BaseModel):
    """What a metric measures: an event aggregate over the trailing `days` complete bank days (source "event"),
    or a customer-attribute aggregate at the end of that window (source "attribute"); and the dimensions it may
    be broken down by. Definitions stored before `source` and `dimensions` existed load as event metrics."""

    source: MetricSource = "event"
    event: EventSpec | None = None  # required for source "event"; service checks name the field
    measure: Literal["total", "uniques", "sum", "avg", "max"] = "total"
    property: str | None = Field(default=None, max_length=128)
    attribute_measure: AttributeMeasure = "customers"
    attribute: MetricAttribute | None = None  # the numeric attribute of attribute_measure sum/avg
    days: int = Field(default=1, ge=1, le=90)
    customers: CustomerFilter = Field(default_factory=CustomerFilter)
    dimensions: list[GroupBy] = Field(default_factory=list, max_length=MAX_DIMENSIONS)
    effect: EffectMeasure | None = None  # required for source "effect"
    strategy_ids: list[int] = Field(default_factory=list, max_length=200)  # the strategies (a campaign's) measured
    campaign_id: int | None = Field(default=None, ge=1)
    aum_window_days: int = Field(default=30, ge=1, le=365)

    @model_validator(mode="after")
    def _property(self) -> MetricDefinition:
        if self.source != "event":
            return self
        if self.measure in ("sum", "avg", "max") and not (self.property and PROPERTY_NAME.match(self.property)):
            raise ValueError(f"measure '{self.measure}' needs a numeric property name")
        return self


class MetricCreate(BaseModel):
    """A new metric of the library."""

    key: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$")
    name: str = Field(min_length=1, max_length=128)
    definition: MetricDefinition


class MetricUpdate(BaseModel):
    """Changes to a metric (its key stays: alerts and notices name it)."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    definition: MetricDefinition | None = None
    enabled: bool | None = None


class MetricRead(BaseModel):
    """A metric as listed (`editable`: the user's org owns it, or is above the owner)."""

    id: int
    key: str
    name: str
    definition: MetricDefinition
    enabled: bool = True
    editable: bool = False
    owner_org: str
    created_by: str | None
    created_at: datetime


class MetricGroup(BaseModel):
    """One group of a metric broken down by a dimension."""

    group: str | None
    value: float
    previous: float


class MetricValue(BaseModel):
    """A metric's value over the window ending the day before `day`, and over the window before it (with the
    top groups by value when a dimension was asked)."""

    metric_id: int
    day: date
    value: float
    previous: float
    dimension: GroupBy | None = None
    groups: list[MetricGroup] | None = None


class MetricPoint(BaseModel):
    """A metric's value for one business day (the window ending the day before it)."""

    day: date
    value: float


class MetricTrend(BaseModel):
    """A metric day by day, as its rules see it (the newest point is the last complete window)."""

    metric_id: int
    points: list[MetricPoint]


class AnomalyParams(BaseModel):
    """How far from its 7-day baseline a value must be to fire: more than k·σ, in a direction, by at least a
    relative change (so a flat baseline does not fire on noise)."""

    k: float = Field(default=3.0, ge=1, le=10)
    direction: Literal["up", "down", "both"] = "both"
    min_change_pct: float = Field(default=10.0, ge=0, le=1000)


def _check_emails(v: list[str] | None) -> list[str] | None:
    """E-mail recipients, each an address."""
    bad = [e for e in v or [] if not EMAIL.match(e)]
    if bad:
        raise ValueError(f"not an email address: {bad[0]}")
    return v


def _check_url(v: str | None) -> str | None:
    """A webhook, http(s) only."""
    if v is not None and not v.startswith(("http://", "https://")):
        raise ValueError("the webhook must be an http(s) URL")
    return v


class RuleCreate(BaseModel):
    """An alert rule: when the metric's value (or its change vs the previous window, in %) crosses a threshold,
    or (op "anomaly") when the value leaves its 7-day baseline."""

    metric_id: int
    name: str = Field(min_length=1, max_length=128)
    op: Op
    threshold: float | None = None  # required for every op but "anomaly"
    anomaly: AnomalyParams | None = None  # op "anomaly" only; defaults apply when omitted
    severity: Severity = "warning"
    emails: list[str] = Field(default_factory=list, max_length=20)
    webhook_url: str | None = Field(default=None, max_length=512)
    enabled: bool = True

    _emails = field_validator("emails")(classmethod(lambda cls, v: _check_emails(v)))
    _url = field_validator("webhook_url")(classmethod(lambda cls, v: _check_url(v)))


class RuleUpdate(BaseModel):
    """Changes to a rule: any field of its definition but the metric it watches."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    op: Op | None = None
    threshold: float | None = None
    anomaly: AnomalyParams | None = None
    severity: Severity | None = None
    emails: list[str] | None = Field(default=None, max_length=20)
    webhook_url: str | None = Field(default=None, max_length=512)
    enabled: bool | None = None

    _emails = field_validator("emails")(classmethod(lambda cls, v: _check_emails(v)))
    _url = field_validator("webhook_url")(classmethod(lambda cls, v: _check_url(v)))


class RuleRead(RuleCreate):
    """A rule as listed."""

    id: int
    editable: bool = False
    owner_org: str
    created_by: str | None
    created_at: datetime
    last_error: str | None = None  # why the last evaluation could not judge the rule (None once it could)
    last_error_at: datetime | None = None


class AnomalyDetails(BaseModel):
    """What an anomaly rule saw: the measured day, and its baseline over the 7 days before."""

    measured_day: date
    baseline_days: int
    mean: float | None
    sigma: float | None
    z: float | None
    change_pct: float | None
    k: float
    direction: Literal["up", "down", "both"]
    min_change_pct: float


class AlertRead(BaseModel):
    """One fired alert (or a recorded non-firing evaluation): what was measured, who was told, and whether
    someone acknowledged it."""

    id: int
    rule_id: int
    rule_name: str
    metric_key: str
    day: date
    value: float
    previous: float
    message: str
    severity: Severity
    outcome: Outcome
    anomaly: AnomalyDetails | None = None
    status: AlertStatus
    notifications: dict[str, Any]
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class InboxAlert(AlertRead):
    """An alert in the console's bell, with whether this user has seen it."""

    read: bool


class Inbox(BaseModel):
    """The header bell: how many fired alerts the user has not seen, and the latest ones."""

    unread: int
    items: list[InboxAlert]


class EvaluationReport(BaseModel):
    """What one evaluation did."""

    day: date
    evaluated: int
    fired: list[AlertRead]
    recorded: list[AlertRead] = Field(default_factory=list)  # evaluations kept in history without firing
    failed: dict[int, str] = Field(default_factory=dict)  # rule id -> why it could not be judged (the others were)

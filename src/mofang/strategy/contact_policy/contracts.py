"""Public types of the contact policy: the question asked at the moment of sending and its answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from mofang.reach.contracts import Channel, Purpose

Verdict = Literal["allow", "suppress", "defer"]


@dataclass(frozen=True)
class ContactRequest:
    """May this message go to this customer now? Asked once per send, keyed by the send's idempotency key."""

    key: str
    customer_id: str
    channel: Channel
    purpose: Purpose
    business_line: str = "retail"
    priority: int = 100  # lower number = higher priority
    strategy_id: int | None = None
    campaign_id: int | None = None
    consents: Mapping[str, bool] = field(default_factory=dict)  # "<channel>" → marketing consent (profile table)


@dataclass(frozen=True)
class PolicyDecision:
    """allow (and the contact is counted), suppress (with the rule's reason code) or defer until a time."""

    verdict: Verdict
    reason: str | None = None  # code: cap_day_channel, cap_week_all, quiet_hours, no_consent, opted_out, ...
    until: datetime | None = None
    rule_id: int | None = None


# --- rules and settings as the console edits them (validated JSON; nothing in them is ever evaluated) ---------

BusinessLine = Literal["retail", "card", "wealth", "loan"]  # 零售, 信用卡, 财富, 贷款
Window = Literal["day", "week", "month"]  # bank calendar: Asia/Shanghai, weeks start on Monday
RuleKind = Literal["cap", "quiet_hours", "consent"]
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapRule(_Strict):
    """At most `limit` contacts per customer in a window, on one channel or across all, for one business line or all.

    A request whose priority number is above `reserve_priority` may only use `limit - reserve`: the last `reserve`
    contacts stay free for higher-priority strategies, so the winner is decided at the moment of sending.
    """

    kind: Literal["cap"] = "cap"
    window: Window
    limit: int = Field(ge=0, le=1000)
    channel: Channel | None = None  # None: across channels
    business_line: BusinessLine | None = None  # None: every line (a set line makes it that line's quota)
    purpose: Literal["marketing", "all"] = "marketing"
    reserve: int = Field(default=0, ge=0, le=1000)
    reserve_priority: int = Field(default=10, ge=0, le=10_000)
    action: Literal["suppress", "defer"] = "suppress"


QUIET_EXEMPT_CHANNELS: tuple[Channel, ...] = ("inbox", "placement", "rm_task")


class QuietHoursRule(_Strict):
    """No contact between `start` and `end` (bank time, may wrap midnight): defer to `end` or drop."""

    kind: Literal["quiet_hours"] = "quiet_hours"
    start: HHMM = "21:00"
    end: HHMM = "09:00"
    channel: Channel | None = None
    action: Literal["defer", "drop"] = "defer"
    exempt_service: bool = True
    # A bank-wide rule (no channel) spares the channels that wait for the customer instead of interrupting them: an
    # inbox message or a placement is seen when the customer opens the app, an RM task when the RM starts work.
    exempt_channels: list[Channel] = Field(default_factory=lambda: list(QUIET_EXEMPT_CHANNELS), max_length=8)


class ConsentRule(_Strict):
    """Service messages on a channel (or all) need the customer's consent too (marketing always does)."""

    kind: Literal["consent"] = "consent"
    channel: Channel | None = None
    purpose: Literal["service"] = "service"


RuleBody = Annotated[CapRule | QuietHoursRule | ConsentRule, Field(discriminator="kind")]


class RuleWrite(_Strict):
    """A rule to create or replace."""

    name: str = Field(min_length=1, max_length=64)
    enabled: bool = True
    rule: RuleBody


class RuleRead(BaseModel):
    """A stored rule."""

    id: int
    name: str
    enabled: bool
    rule: RuleBody
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Rule:
    """A rule as the pure evaluation sees it."""

    id: int
    body: CapRule | QuietHoursRule | ConsentRule
    name: str = ""


@dataclass(frozen=True)
class Gates:
    """What is known about one customer besides counts: do-not-contact, opt-outs, control-group settings."""

    do_not_contact: bool = False
    opted_out: frozenset[tuple[str, str]] = frozenset()  # (channel, purpose)
    control_percent: float = 0.0
    control_salt: str = ""


class ControlGroupRead(BaseModel):
    """The bank-wide control group (全行对照组): its percentage and when it was last drawn."""

    percent: float
    drawn_at: datetime | None = None
    drawn_by: str | None = None


class ControlGroupWrite(_Strict):
    """A new percentage (0 – 50) of customers kept out of every marketing message."""

    percent: float = Field(ge=0, le=50)


class DncWrite(_Strict):
    """A customer to put on the do-not-contact list."""

    customer_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)


class DncRead(BaseModel):
    """A do-not-contact entry."""

    customer_id: str
    customer_name: str | None = None  # masked
    reason: str
    added_by: str | None
    added_at: datetime


class OptOutRead(BaseModel):
    """A customer's opt-out from a channel and purpose."""

    customer_id: str
    customer_name: str | None = None
    channel: str
    purpose: str
    source: str
    at: datetime


class SuppressionRead(BaseModel):
    """One suppression or deferral: who, where, by which rule, why (no row id: it would tell the bank's volume)."""

    customer_id: str
    customer_name: str | None = None
    channel: str
    purpose: str
    strategy_id: int | None
    campaign_id: int | None
    verdict: str
    reason: str
    rule_id: int | None
    until: datetime | None
    at: datetime


class CheckWrite(_Strict):
    """A dry-run question (试算): would this message go to this customer now? Nothing is counted or recorded."""

    customer_id: str = Field(min_length=1, max_length=64)
    channel: Channel
    purpose: Purpose = "marketing"
    business_line: BusinessLine = "retail"
    priority: int = Field(default=100, ge=0, le=10_000)
    strategy_id: int | None = Field(default=None, ge=1)
    at: datetime | None = None  # default: now


class CapUsage(BaseModel):
    """How much of one cap this customer has used in its current window."""

    rule_id: int
    name: str
    window: Window
    used: int
    limit: int


class CheckRead(BaseModel):
    """The dry-run's answer."""

    verdict: Verdict
    reason: str | None
    until: datetime | None
    rule_id: int | None
    usage: list[CapUsage]

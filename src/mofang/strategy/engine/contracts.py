"""Public types of the journey engine: instances, the stimuli that move them, the commands they emit.

The engine is a pure step function `advance(instance, stimulus, now, *, graph, facts) -> Step`; an executor loads
the facts it needs, carries out the commands and saves the new instance in one transaction with the commands'
outbox rows. Every command carries a deterministic idempotency key: `<instance id>:<node id>:<seq>`, where `seq`
counts the instance's steps (never attempts), so a redelivered stimulus after a crash yields the same keys and the
effect is not repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mofang.reach.contracts import Channel, Purpose

# Where an instance is: moving (a step is due now), waiting (for a timer, an event or a command's result), done.
Status = Literal["active", "waiting", "done"]
ExitReason = Literal["exit", "converted", "not_converted", "holdout", "rate_limited", "stopped", "failed"]


@dataclass(frozen=True)
class Instance:
    """One customer's journey through one version of one strategy (a durable row)."""

    id: int
    strategy_id: int
    version: int
    customer_id: str
    entry_node: str
    entered_at: datetime
    node: str  # the node the customer is at (exactly one)
    status: Status = "active"
    wake_at: datetime | None = None  # waiting: when a timer stimulus is due (None: only an event/result moves it)
    waiting_for: str | None = None  # waiting: "event:<name>", "result:<cmd key>", "quota", "timer"
    seq: int = 0  # steps taken so far: part of every command's idempotency key
    exit_reason: ExitReason | None = None
    variant: str | None = None  # the AB arm taken (last AB node), for experiment statistics
    holdout: bool = False  # strategy-level holdout: walks the graph, receives no action
    converted_at: datetime | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # trigger payload, send outcomes by node, goal seen


# --- stimuli -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enter:
    """The instance was just created by an entry node (payload: the trigger event's properties or API body)."""

    payload: Mapping[str, Any] = field(default_factory=dict)
    kind: Literal["enter"] = "enter"


@dataclass(frozen=True)
class EventSeen:
    """An ingested event of this customer (a wait_event, goal or conversion may be listening)."""

    name: str
    at: datetime
    properties: Mapping[str, Any] = field(default_factory=dict)
    message_id: str | None = None
    kind: Literal["event"] = "event"


@dataclass(frozen=True)
class TimerFired:
    """The instance's wake time has come."""

    at: datetime
    kind: Literal["timer"] = "timer"


@dataclass(frozen=True)
class CommandResult:
    """What came of a command the instance waits for (a send's status, a quota grant, a benefit issue …)."""

    key: str
    outcome: str  # send: SendStatus; quota: "granted" / "refused"; others: "ok" / "failed"
    detail: Mapping[str, Any] = field(default_factory=dict)  # e.g. defer_until, delivery_id, reason
    kind: Literal["result"] = "result"


@dataclass(frozen=True)
class Receipt:
    """A later outcome of an earlier send of this instance (delivered, opened, clicked …) from the reach centre."""

    key: str  # the send command's idempotency key
    outcome: str
    at: datetime
    kind: Literal["receipt"] = "receipt"


@dataclass(frozen=True)
class Stop:
    """The strategy was stopped (or the customer removed): exit where they are."""

    reason: ExitReason = "stopped"
    kind: Literal["stop"] = "stop"


Stimulus = Enter | EventSeen | TimerFired | CommandResult | Receipt | Stop


# --- commands ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendMessage:
    """Send a template on a channel through the reach centre; its status comes back as a CommandResult."""

    key: str
    node: str
    channel: Channel
    template_id: int
    purpose: Purpose
    product_id: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    product_risk: str | None = None  # R1–R5: suitability checked per customer by the reach centre
    kind: Literal["send"] = "send"


@dataclass(frozen=True)
class GrantBenefit:
    """Issue a campaign benefit; the result ("ok" / "failed" with reason) comes back as a CommandResult."""

    key: str
    node: str
    benefit_id: int
    kind: Literal["benefit"] = "benefit"


@dataclass(frozen=True)
class ChangeTag:
    """Add or remove a manual tag value (fire and forget, idempotent by key)."""

    key: str
    node: str
    tag: str
    action: Literal["add", "remove"]
    value: str | None = None
    kind: Literal["tag"] = "tag"


@dataclass(frozen=True)
class ChangeAttribute:
    """Set a custom attribute in the profile (later nodes read it)."""

    key: str
    node: str
    field: str
    value: Any
    kind: Literal["set_attribute"] = "set_attribute"


@dataclass(frozen=True)
class CallWebhook:
    """POST a signed JSON body to a URL through the outbound guard, with retries (result comes back)."""

    key: str
    node: str
    url: str
    body: Mapping[str, Any]
    kind: Literal["webhook"] = "webhook"


@dataclass(frozen=True)
class CreateRmTask:
    """Create a task for the customer's relationship manager (through the reach centre's rm_task channel)."""

    key: str
    node: str
    template_id: int
    due_days: int
    kind: Literal["rm_task"] = "rm_task"


@dataclass(frozen=True)
class AskQuota:
    """Ask for one pass through a rate-limited node in the current period; "granted"/"refused" comes back."""

    key: str
    node: str
    limit: int
    period_start: datetime
    per: Literal["hour", "day"]
    kind: Literal["quota"] = "quota"


@dataclass(frozen=True)
class Count:
    """A statistics increment: entered / passed (with branch label) / converted / exited / suppressed / failed."""

    node: str
    metric: str
    label: str | None = None
    kind: Literal["count"] = "count"


Command = SendMessage | GrantBenefit | ChangeTag | ChangeAttribute | CallWebhook | CreateRmTask | AskQuota | Count


@dataclass(frozen=True)
class Facts:
    """What the engine may read about the customer at a step (from the profile table; never PII)."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, Any] = field(default_factory=dict)
    segments: frozenset[int] = frozenset()
    scores: Mapping[str, float] = field(default_factory=dict)  # propensity per target event
    # Place from the top of the bank's ranking per target event, in percent (0 < rank ≤ 100): a node's top N% is
    # rank ≤ N, whatever N each node chose (one stored rank serves every node; a stored cutoff would serve one N).
    score_ranks: Mapping[str, float] = field(default_factory=dict)
    best_hour: int | None = None  # most responsive hour of day (bank time), when known


@dataclass(frozen=True)
class Step:
    """The outcome of one step: the instance after it and the commands to carry out."""

    instance: Instance
    commands: tuple[Command, ...] = ()

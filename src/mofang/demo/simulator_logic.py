"""The demo's customer response model (pure): who opens, clicks and converts after a message, and when.

Probabilities depend on the recipient (age, tier, AUM, activity), the channel, the content and the bank-local
hour; a named strategy can be given a true lift (an added probability of its goal among those sent to) so the
effect centre's estimate can be checked against a known answer. Every draw is seeded by (seed, delivery key):
the same delivery always gets the same responses, whatever order deliveries are simulated in.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

# Chance the message is seen at all (a push shown, an SMS read, an inbox message opened, an RM task worked).
BASE_OPEN: Mapping[str, float] = {"push": 0.14, "sms": 0.30, "inbox": 0.35, "rm_task": 0.60, "email": 0.18,
                                  "wechat": 0.40, "call": 0.45}
CLICK_WITH_LINK = 0.28  # of those who saw it, when the content has a link
CLICK_WITHOUT_LINK = 0.10  # an app push tapped, an inbox message's button
CONVERT_AFTER_CLICK = 0.12
RICH_TIERS = frozenset({"财富客户", "私行客户", "wealth", "private"})
DORMANT_STAGES = frozenset({"沉睡", "流失"})


@dataclass(frozen=True)
class Recipient:
    """What the model knows of the customer (from the profile)."""

    age: int | None = None
    tier: str | None = None
    aum: float = 0.0
    lifecycle: str | None = None  # the lifecycle_stage tag: 新客, 活跃, 沉睡, 流失 …


@dataclass(frozen=True)
class Contact:
    """One delivery: the key it is seeded by, channel, whether its content links somewhere, strategy, local hour."""

    key: str
    channel: str
    has_link: bool = False
    strategy: str | None = None
    hour: int = 10


@dataclass(frozen=True)
class SimulatorConfig:
    """Seed and the true lifts by strategy name (added probability of the goal among those sent to)."""

    seed: int = 42
    lifts: Mapping[str, float] = field(default_factory=lambda: {"基金意向转化": 0.04})


@dataclass(frozen=True)
class Odds:
    """The probabilities of one contact: open, click given open, convert given click, and the lift's extra."""

    open: float
    click: float
    convert: float
    lift: float


@dataclass(frozen=True)
class Response:
    """What the customer does, as seconds after delivery (None: does not happen)."""

    opened_after: float | None
    clicked_after: float | None
    converted_after: float | None


def _hour_factor(hour: int) -> float:
    if 0 <= hour < 7 or hour >= 23:
        return 0.35  # asleep: seen only the next morning, if at all
    if hour in (12, 19, 20, 21):
        return 1.2  # lunch break and evening: the most responsive hours
    return 1.0


def _age_factor(age: int | None, channel: str) -> float:
    if age is None:
        return 1.0
    if channel == "push":
        return 1.25 if age < 35 else 0.7 if age >= 55 else 1.0
    if channel in ("sms", "call", "rm_task"):
        return 1.2 if age >= 55 else 0.9 if age < 30 else 1.0
    return 1.0


def odds(recipient: Recipient, contact: Contact, config: SimulatorConfig) -> Odds:
    """The probabilities of this contact (each clamped to [0, 0.95])."""
    p_open = BASE_OPEN.get(contact.channel, 0.2) * _hour_factor(contact.hour) * _age_factor(recipient.age,
                                                                                         contact.channel)
    if recipient.lifecycle in DORMANT_STAGES:
        p_open *= 0.5
    elif recipient.lifecycle in ("活跃", "成长", "成熟"):
        p_open *= 1.3
    p_click = CLICK_WITH_LINK if contact.has_link else CLICK_WITHOUT_LINK
    p_convert = CONVERT_AFTER_CLICK
    if recipient.tier in RICH_TIERS:
        p_convert *= 1.4
    # More money to invest, more likely to act on an offer: ×1 at zero AUM up to ×2 from 1,000,000.
    p_convert *= 1 + min(max(recipient.aum, 0.0), 1_000_000.0) / 1_000_000.0
    lift = config.lifts.get(contact.strategy or "", 0.0)
    clamp = lambda p: min(max(p, 0.0), 0.95)  # noqa: E731
    return Odds(open=clamp(p_open), click=clamp(p_click), convert=clamp(p_convert), lift=clamp(lift))


def rng_for(seed: int, key: str) -> random.Random:
    """A generator of its own for one delivery (reproducible whatever the order of simulation)."""
    digest = hashlib.sha256(f"mofang-sim:{seed}:{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def draw(recipient: Recipient, contact: Contact, config: SimulatorConfig) -> Response:
    """Draw the customer's responses to one delivered message."""
    o = odds(recipient, contact, config)
    rng = rng_for(config.seed, contact.key)
    # Draw every number up front, so changing one probability never shifts the others' draws.
    u_open, u_click, u_convert, u_lift = rng.random(), rng.random(), rng.random(), rng.random()
    t_open = rng.expovariate(1 / 1800)  # half an hour on average
    t_click = rng.expovariate(1 / 120)
    t_convert = rng.expovariate(1 / 7200)
    opened = u_open < o.open
    clicked = opened and u_click < o.click
    converted = (clicked and u_convert < o.convert) or u_lift < o.lift
    opened_after = 5 + t_open if opened or converted else None
    clicked_after = opened_after + t_click if clicked and opened_after is not None else None
    converted_after = ((clicked_after or opened_after or 60.0) + t_convert) if converted else None
    return Response(opened_after, clicked_after, converted_after)

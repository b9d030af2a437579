"""Entry points outside requests: the daily expiry job, the Redis drain at start, and `benefit_redeemed` events."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError

from mofang.campaigns.benefits import service
from mofang.campaigns.benefits.contracts import RedemptionReport
from mofang.platform.bus import BusMessage
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.platform.scheduler import Job

log = logging.getLogger("mofang.benefits")
REDEEMED_EVENT = "benefit_redeemed"


def expire(platform: Platform, _day: date) -> int:
    """Mark benefits past their validity as expired (the ledger's third column)."""
    return service.expire_due(platform=platform)


EXPIRY_JOB = Job(name="benefits.expire", run=expire)


def recover(platform: Platform) -> int:
    """At start: write into the ledger every answer Redis decided but no process wrote (a crash between the two)."""
    if not platform.settings.redis_url:
        return 0
    from mofang.campaigns.benefits import redis_stock

    return redis_stock.drain(platform)


def check_durability(platform: Platform) -> None:
    """At start, with Redis: say in the log when an answer Redis gave may not survive its crash (no AOF fsync)."""
    if not platform.settings.redis_url:
        return
    try:
        status = service.claims_status(platform=platform)
    except Exception:  # Redis down at start: claims will fail loudly; the server still starts
        log.exception("benefits: could not ask Redis how it persists")
        return
    if status.durability != "durable":
        log.warning("benefits: Redis answers claims but its persistence is %s (appendonly=%s, appendfsync=%s): a "
                    "Redis crash can lose claims already answered; set appendonly yes and appendfsync always",
                    status.durability, status.appendonly, status.appendfsync)


def handle_redeemed(platform: Platform, events: Iterable[Mapping[str, Any]]) -> int:
    """Record redemptions sent as `benefit_redeemed` events (subject events.benefit_redeemed); how many applied."""
    # Properties: grant_id, redemption_id (default: the event's message_id), amount_fen, order_id. A report that
    # cannot apply (unknown grant, already used, expired) is logged and dropped: redelivering it would never succeed.
    done = 0
    for ev in events:
        props = dict(ev.get("properties") or {})
        try:
            report = RedemptionReport.model_validate({
                "redemption_id": str(props.get("redemption_id") or ev.get("message_id") or ""),
                "grant_id": props.get("grant_id"), "amount_fen": props.get("amount_fen"),
                "order_id": props.get("order_id"), "redeemed_at": ev.get("ts")})
            service.redeem(platform=platform, report=report, actor="event")
            done += 1
        except (ValidationError, MofangError) as exc:
            log.warning("benefit_redeemed event %s not applied: %s", ev.get("message_id"), exc)
    return done


def start(platform: Platform) -> None:
    """In `mofang serve`: write what Redis decided but no ledger holds, then listen for redemption events."""
    import orjson

    from mofang.platform.bus import event_subject, subscribe_until_up

    recover(platform)
    check_durability(platform)

    def on_messages(messages: Sequence[BusMessage]) -> None:
        handle_redeemed(platform, [orjson.loads(m.data) for m in messages])

    platform.extras["benefits_redeemed_sub"] = subscribe_until_up(
        platform, event_subject(REDEEMED_EVENT), "benefits", on_messages)


def stop(platform: Platform) -> None:
    """Stop listening and release the Redis stock connection."""
    from mofang.campaigns.benefits import redis_stock

    sub = platform.extras.pop("benefits_redeemed_sub", None)
    if sub is not None:
        sub.stop()
    redis_stock.stop(platform)

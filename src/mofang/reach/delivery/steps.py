"""The steps every send shares: a log row, rendering, the provider call, saving answers with their events."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.storage.models import as_utc
from mofang.reach.contracts import DeliveryResult, ProviderResult, RenderedMessage, SendRequest
from mofang.reach.delivery import links
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.events import queue_event
from mofang.reach.delivery.logic import SEND_EVENTS, backoff_seconds
from mofang.reach.delivery.ports import Address, render_facts
from mofang.reach.delivery.receipts import apply_pending
from mofang.reach.delivery.repository import add_events
from mofang.reach.delivery.routing import Deps, Route
from mofang.reach.models import Delivery

log = logging.getLogger("mofang.reach")

ATTEMPT_LEASE = timedelta(seconds=60)  # an attempt silent this long has crashed (provider timeouts are shorter)


def lease(platform: Platform) -> timedelta:
    """How long an attempt may stay silent before it counts as crashed: past any provider call's timeout."""
    return max(ATTEMPT_LEASE, timedelta(seconds=2 * platform.settings.outbound_timeout_seconds + 10))


def result_of(row: RowView | Delivery) -> DeliveryResult:
    """What a stored delivery answers to a repeated send."""
    status = row.status
    if status == "unknown":
        return DeliveryResult(status="failed", delivery_id=row.id, reason="outcome_unknown")
    if status == "retrying":
        return DeliveryResult(status="deferred", delivery_id=row.id, reason=row.reason or "retrying",
                              defer_until=as_utc(row.next_attempt_at) if row.next_attempt_at else None)
    if status == "attempting":
        return DeliveryResult(status="deferred", delivery_id=row.id, reason="in_flight",
                              defer_until=as_utc(row.updated_at) + ATTEMPT_LEASE)
    return DeliveryResult(status=status, delivery_id=row.id, reason=row.reason,  # type: ignore[arg-type]
                          cost_fen=row.cost_fen)


@dataclass
class RowView:
    """The columns of a delivery a send works with (a batch writes rows with plain statements, not ORM objects)."""

    id: int
    customer_id: str
    channel: str
    purpose: str
    status: str
    reason: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    template_id: int | None = None
    template_version: int | None = None
    strategy_id: int | None = None
    strategy_version: int | None = None
    campaign_id: int | None = None
    node_id: str | None = None
    instance_id: int | None = None
    cost_fen: int = 0
    next_attempt_at: datetime | None = None

    @classmethod
    def of(cls, row: Delivery) -> RowView:
        """The view of a loaded row."""
        return cls(**{f: getattr(row, f) for f in cls.__dataclass_fields__})


def row_values(request: SendRequest, home: Mapping[str, Any], now: datetime, status: str, reason: str | None,
               channel_id: int | None = None, masked: str | None = None) -> dict[str, Any]:
    """The log row of a send as column values (the customer's branch and RM copied for scope)."""
    return {
        "idempotency_key": request.idempotency_key, "customer_id": request.customer_id,
        "customer_org_code": home.get("org_code"), "customer_rm_id": home.get("rm_id"), "channel": request.channel,
        "channel_id": channel_id, "purpose": request.purpose, "template_id": request.template_id,
        "template_version": None, "strategy_id": request.strategy_id, "strategy_version": request.strategy_version,
        "node_id": request.node_id, "instance_id": request.instance_id, "campaign_id": request.campaign_id,
        "org_code": request.org_code, "status": status, "reason": reason, "dead": False, "address_masked": masked,
        "cost_fen": 0, "attempts": 1 if status == "attempting" else 0, "request_enc": None, "created_at": now,
        "updated_at": now}


def view_of(delivery_id: int, values: Mapping[str, Any]) -> RowView:
    """The view of a row just inserted."""
    return RowView(id=delivery_id, **{f: values[f] for f in RowView.__dataclass_fields__ if f != "id"
                                      and f in values})


def render(platform: Platform, deps: Deps, session: Session, row: RowView | Delivery,
           variables: Mapping[str, Any], home: Mapping[str, Any] | None = None) -> RenderedMessage | str:
    """The message for this delivery, its link made a tracked /r/ link; or why there is none (`home`: if read)."""
    facts: dict[str, Any] = {}
    if row.template_id is not None:  # only a template prints facts of the customer (they are decrypted for it)
        facts = render_facts(platform, home if home is not None else repo.customer_home(session, row.customer_id))
    out = deps.renderer.render(session=session, template_id=row.template_id, channel=row.channel,  # type: ignore[arg-type]
                               facts=facts, variables=variables)
    if isinstance(out, str):
        return out
    row.template_version = out.template_version
    return links.track_message(session=session, settings=platform.settings, message=out, delivery_id=row.id,
                               now=as_utc(row.created_at))


def refused(row: RowView | Delivery, reason: str) -> None:
    """A send that cannot be rendered: nothing to send (no content library yet, or the template refused)."""
    row.status, row.reason = ("not_configured" if reason == "no_content" else "failed"), reason


def event(session: Session, row: RowView | Delivery, now: datetime, extra: dict[str, Any] | None = None,
          sink: list[dict[str, Any]] | None = None) -> None:
    """The event a send's outcome becomes (reason included), queued in the same transaction."""
    name = SEND_EVENTS.get(row.status)
    if name is not None:
        queue_event(session, row, name, now, suffix=row.status, extra={"reason": row.reason, **(extra or {})},
                    sink=sink)


def attempt(platform: Platform, deps: Deps, key: str, route: Route, message: RenderedMessage,
            address: Address) -> ProviderResult:
    """One provider call with the address decrypted just for it; a provider bug is retried like a timeout."""
    try:
        return route.provider.send(message, address=deps.addresses.reveal(platform=platform, address=address),
                                   idempotency_key=key)
    except Exception as exc:
        log.warning("reach provider of channel %s raised %s", route.channel_id, type(exc).__name__)
        return ProviderResult(accepted=False, retryable=True, reason="provider_error")


def attempt_many(platform: Platform, deps: Deps, route: Route, items: Sequence[tuple[str, RenderedMessage, Address]],
                 parallel: int) -> list[ProviderResult]:
    """`attempt` for many sends through one provider that sends batches: the addresses decrypted just for it."""
    send_many = route.provider.send_many  # type: ignore[attr-defined]
    try:
        return list(send_many([(message, deps.addresses.reveal(platform=platform, address=address), key)
                               for key, message, address in items], parallel=parallel))
    except Exception as exc:
        log.warning("reach provider of channel %s raised %s", route.channel_id, type(exc).__name__)
        return [ProviderResult(accepted=False, retryable=True, reason="provider_error") for _ in items]


@dataclass(frozen=True)
class Answer:
    """A provider's answer to one attempt, to be saved."""

    view: RowView
    route: Route
    answer: ProviderResult


def save_answers(platform: Platform, deps: Deps, answers: Sequence[Answer], now: datetime) -> dict[int, DeliveryResult]:
    """accepted, retrying with backoff, or failed (a dead letter) — each with its event, in one transaction."""
    if not answers:
        return {}
    out: dict[int, DeliveryResult] = {}
    queued: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for a in answers:
        row, answer = a.view, a.answer
        change = {"id": row.id, "updated_at": now, "vendor_id": None, "cost_fen": 0, "next_attempt_at": None,
                  "dead": False, "failed_reason": None}
        if answer.accepted:
            change |= {"status": "accepted", "reason": None, "vendor_id": answer.vendor_id,
                       "cost_fen": a.route.cost_fen}
        elif answer.retryable and row.attempts < a.route.max_attempts:
            change |= {"status": "retrying", "reason": answer.reason,
                       "next_attempt_at": now + timedelta(seconds=backoff_seconds(row.attempts, rand=deps.rand()))}
        else:
            change |= {"status": "failed", "reason": answer.reason, "dead": True, "failed_reason": answer.reason}
        row.status, row.reason, row.cost_fen = change["status"], change["reason"], change["cost_fen"]
        row.next_attempt_at, row.updated_at = change["next_attempt_at"], now
        changes.append(change)
        out[row.id] = result_of(row)
    accepted = [(a.view.id, a.route.channel_id, a.answer.vendor_id) for a in answers
                if a.answer.accepted and a.route.channel_id is not None and a.answer.vendor_id]
    with platform.metadata.session() as session:
        repo.update_deliveries(session, changes)
        for a in answers:
            event(session, a.view, now, {"attempts": a.view.attempts}, sink=queued)
        add_events(session, queued, now)
        if accepted:
            apply_pending(platform=platform, session=session, accepted=accepted)  # type: ignore[arg-type]
    return out

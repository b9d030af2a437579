"""A key seen before: the stored answer, the next try when due, or recovery of an attempt that crashed.

Recovery never sends a second time on a guess: a provider that can look a key up is asked (found → accepted; not
found → this is the first send); any other is marked `unknown` (docs/decisions.md).
"""

from __future__ import annotations

import json
from datetime import datetime

from mofang.platform.context import Platform
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.contracts import DeliveryResult, ProviderResult, RenderedMessage
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery import steps
from mofang.reach.delivery.routing import Deps, deps_of, route_of
from mofang.reach.models import Delivery


def resume(platform: Platform, deps: Deps, delivery_id: int, now: datetime) -> DeliveryResult:
    """The answer to a repeated key: stored, or a due retry made, or a crashed attempt recovered."""
    with platform.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        status = row.status
        stale = status == "attempting" and as_utc(row.updated_at) + steps.lease(platform) <= now
        due = status == "retrying" and (row.next_attempt_at is None or as_utc(row.next_attempt_at) <= now)
        if not stale and not due:
            return steps.result_of(row)
    if stale:
        return recover(platform=platform, delivery_id=delivery_id, now=now)
    return retry(platform, deps, delivery_id, now)


def retry(platform: Platform, deps: Deps, delivery_id: int, now: datetime) -> DeliveryResult:
    """Claim a delivery waiting for another try (one worker wins) and make it, re-addressed and re-rendered."""
    with platform.metadata.session() as session:
        if not repo.claim(session, delivery_id, statuses=("retrying",), now=now, due_before=now):
            row = session.get(Delivery, delivery_id)
            assert row is not None
            return steps.result_of(row)
    with platform.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        route = route_of(platform, session, row.channel)
        address = deps.addresses.address(platform=platform, session=session, customer_id=row.customer_id,
                                         channel=row.channel) if route is not None else None  # type: ignore[arg-type]
        message: RenderedMessage | str = "channel_not_configured" if route is None else "no_address"
        if route is not None and address is not None:
            variables = json.loads(platform.cipher.decrypt_or_none(row.request_enc) or "{}") if row.request_enc else {}
            message = steps.render(platform, deps, session, row, variables)
        if isinstance(message, str) or route is None or address is None:
            reason = message if isinstance(message, str) else "no_address"
            row.status, row.reason, row.dead, row.failed_reason = "failed", reason, True, reason
            row.updated_at = now
            steps.event(session, row, now)
            return steps.result_of(row)
        row.address_masked = address.masked
        key, view = row.idempotency_key, steps.RowView.of(row)
    answer = steps.attempt(platform, deps, key, route, message, address)
    return steps.save_answers(platform, deps, [steps.Answer(view, route, answer)], now)[delivery_id]


def recover(*, platform: Platform, delivery_id: int, now: datetime) -> DeliveryResult:
    """An attempt that crashed before its answer was saved: ask the provider, else mark `unknown` (never resend)."""
    deps = deps_of(platform)
    with platform.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        if row.status != "attempting":
            return steps.result_of(row)
        route = route_of(platform, session, row.channel)
        key, stamp = row.idempotency_key, row.updated_at
    lookup = getattr(route.provider, "lookup", None) if route is not None else None
    found: ProviderResult | None = lookup(key) if lookup is not None else None
    with platform.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        if row.status != "attempting" or row.updated_at != stamp:
            return steps.result_of(row)  # another worker resolved it meanwhile
        row.updated_at = now
        if found is not None and found.accepted:
            row.status, row.reason, row.vendor_id = "accepted", None, found.vendor_id
            row.cost_fen = route.cost_fen if route is not None else 0
            steps.event(session, row, now, {"recovered": True})
            return steps.result_of(row)
        if lookup is None:
            row.status, row.reason = "unknown", "outcome_unknown"
            return steps.result_of(row)
        # The provider says it never got the key: sending now is the first send, not a second one.
        row.status, row.next_attempt_at, row.reason = "retrying", now, "recovered_not_received"
    return retry(platform, deps, delivery_id, now)


def process_due(*, platform: Platform, now: datetime | None = None, limit: int = 500) -> int:
    """Make the retries that are due and recover crashed attempts; how many deliveries were handled."""
    now = now or utcnow()
    deps = deps_of(platform)
    with platform.metadata.session() as session:
        due = repo.due_retries(session, now, limit)
        stale = repo.stale_attempts(session, now - steps.lease(platform), limit)
    for delivery_id in stale:
        recover(platform=platform, delivery_id=delivery_id, now=now)
    for delivery_id in due:
        retry(platform, deps, delivery_id, now)
    return len(due) + len(stale)


def retry_dead(*, platform: Platform, delivery_id: int, now: datetime | None = None) -> DeliveryResult:
    """Try a dead letter again from the console (its attempts start over)."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        row.status, row.dead, row.attempts, row.next_attempt_at = "retrying", False, 0, now
    return retry(platform, deps_of(platform), delivery_id, now)

"""The one delivery service: suitability → policy → consent → address → render → provider, once per key.

A batch of sends goes in three steps: (1) one transaction records every send — final outcomes (suppressed,
unreachable, not configured) and `attempting` rows for the rest, rendered; (2) the providers are called, in
parallel; (3) one transaction saves their answers with their events. A crash between (2) and (3) leaves
`attempting` rows that recovery resolves without sending twice (`retries.recover`, docs/decisions.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.storage.models import utcnow
from mofang.platform.suitability import risk_number, unsuitable
from mofang.reach.contracts import Channel, DeliveryResult, ProviderResult, RenderedMessage, SendRequest
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery import retries, steps
from mofang.reach.delivery.ports import Address, consents_of, dumps
from mofang.reach.delivery.retries import process_due, recover, retry_dead
from mofang.reach.delivery.routing import Deps, Route, deps_of, route_of
from mofang.reach.models import Delivery
from mofang.strategy.contact_policy.contracts import ContactRequest

__all__ = ["process_due", "recover", "retry_dead", "send", "send_many"]

MAX_INLINE_WAIT = 1.0  # seconds a send waits for its channel's rate; beyond it the send is deferred
KEY_MAX, CUSTOMER_MAX = 191, 64  # the log's column sizes


@dataclass
class _Job:
    """One send of a batch as it moves through the steps."""

    request: SendRequest
    home: dict[str, Any]
    result: DeliveryResult | None = None  # known without calling a provider
    final: tuple[str, str] | None = None  # (status, reason) to record without calling a provider
    resume_id: int | None = None  # the key was seen before
    route: Route | None = None
    address: Address | None = None
    delivery_id: int | None = None
    view: steps.RowView | None = None
    message: RenderedMessage | None = None


def send(*, platform: Platform, request: SendRequest, now: datetime | None = None) -> DeliveryResult:
    """Send one message once: a repeated idempotency key returns the first answer (or finishes the first attempt)."""
    return send_many(platform=platform, requests=[request], now=now)[0]


def send_many(*, platform: Platform, requests: Sequence[SendRequest], now: datetime | None = None,
              workers: int = 16) -> list[DeliveryResult]:
    """Send many messages, each exactly as `send` would (answers in the same order)."""
    for r in requests:  # a caller's bug, not a customer's outcome: refused before anything is recorded
        if not 0 < len(r.idempotency_key) <= KEY_MAX or not 0 < len(r.customer_id) <= CUSTOMER_MAX:
            raise ValueError(f"idempotency_key must be 1-{KEY_MAX} and customer_id 1-{CUSTOMER_MAX} characters")
        if r.product_risk is not None and risk_number(r.product_risk) is None:
            raise ValueError("product_risk must be 1-5 (R1-R5)")
    now = now or utcnow()
    deps = deps_of(platform)
    with platform.metadata.session() as session:  # one read of the batch's profiles and keys seen before
        homes = repo.customer_homes(session, [r.customer_id for r in requests])
        keys = list(dict.fromkeys(r.idempotency_key for r in requests))
        seen = {key: delivery_id for key, delivery_id in session.execute(
            select(Delivery.idempotency_key, Delivery.id).where(Delivery.idempotency_key.in_(keys)))}
    jobs = [_Job(r, homes.get(r.customer_id) or {}) for r in requests]
    first: dict[str, _Job] = {}
    for job in jobs:
        first.setdefault(job.request.idempotency_key, job)
    work = list(first.values())
    for job in work:
        job.resume_id = seen.get(job.request.idempotency_key)
    fresh = [j for j in work if j.resume_id is None]
    _decide(platform, deps, fresh, now)
    try:
        _record(platform, deps, fresh, now)
    except IntegrityError:  # a key of this batch was sent by another worker at the same moment: one by one
        if len(requests) == 1:
            with platform.metadata.session() as session:
                again = repo.by_key(session, requests[0].idempotency_key)
                assert again is not None
                again_id = again.id
            return [retries.resume(platform, deps, again_id, now)]
        return [send(platform=platform, request=r, now=now) for r in requests]
    calling = [j for j in fresh if j.message is not None]
    _call(platform, deps, calling, now, workers)
    for job in work:
        if job.resume_id is not None:
            job.result = retries.resume(platform, deps, job.resume_id, now)
    out = []
    for job in jobs:
        lead = first[job.request.idempotency_key]
        assert lead.result is not None
        out.append(lead.result)
    return out


def _decide(platform: Platform, deps: Deps, jobs: list[_Job], now: datetime) -> None:
    """Policy, consent, route, address and rate for each new send (no row yet)."""
    asking: list[tuple[_Job, ContactRequest]] = []
    for job in jobs:
        r = job.request
        # 适当性 first: a product the customer may not be offered is no contact, so no cap is used by it.
        if r.product_risk is not None and unsuitable(r.product_risk, job.home.get("risk_level")):
            job.final = ("suppressed", "unsuitable")
            continue
        asking.append((job, ContactRequest(
            key=r.idempotency_key, customer_id=r.customer_id, channel=r.channel, purpose=r.purpose,
            business_line=r.business_line, priority=r.priority, strategy_id=r.strategy_id,
            campaign_id=r.campaign_id, consents=consents_of(job.home))))
    many = getattr(deps.policy, "check_many", None)
    if many is not None and len(asking) > 1:  # the policy answers the batch in one transaction
        decisions = many(platform=platform, requests=[c for _, c in asking], now=now)
    else:
        decisions = [deps.policy.check(platform=platform, request=c, now=now) for _, c in asking]
    for (job, contact), decision in zip(asking, decisions, strict=True):
        r, consents = job.request, contact.consents
        if decision.verdict == "defer":
            job.result = DeliveryResult(status="deferred", reason=decision.reason, defer_until=decision.until)
        elif decision.verdict == "suppress":
            job.final = ("suppressed", decision.reason or "policy")
        elif r.purpose == "marketing" and consents.get(r.channel) is False:
            job.final = ("suppressed", "no_consent")
    routes: dict[str, Route | None] = {}
    by_channel: dict[Channel, list[_Job]] = {}
    with platform.metadata.session() as session:
        for job in jobs:
            if job.result is not None or job.final is not None:
                continue
            channel = job.request.channel
            if channel not in routes:
                routes[channel] = route_of(platform, session, channel)
            job.route = routes[channel]
            if job.route is None:
                job.final = ("not_configured", "channel_not_configured")
            else:
                by_channel.setdefault(channel, []).append(job)
        for channel, group in by_channel.items():
            found = _addresses(platform, deps, session, channel, group)
            for job in group:
                job.address = found.get(job.request.customer_id)
                if job.address is None:
                    job.final = ("unreachable", "no_address")
    for job in jobs:
        if job.route is None or job.final is not None or job.result is not None:
            continue
        wait = deps.limiter.take(f"{job.route.channel_id or job.request.channel}", rate=job.route.rate,
                                 burst=job.route.burst)
        if wait > MAX_INLINE_WAIT:
            job.result = DeliveryResult(status="deferred", reason="rate_limited",
                                        defer_until=now + timedelta(seconds=wait))
        elif wait > 0:
            time.sleep(wait)


def _addresses(platform: Platform, deps: Deps, session: Session, channel: Channel,
               jobs: list[_Job]) -> dict[str, Address]:
    """The addresses of a channel's sends: one question for the batch when the address book can answer many."""
    homes = {j.request.customer_id: j.home for j in jobs}
    many = getattr(deps.addresses, "addresses", None)
    if many is not None:
        return many(platform=platform, session=session, customer_ids=list(homes), channel=channel, homes=homes)
    out: dict[str, Address] = {}
    for customer_id, home in homes.items():
        found = deps.addresses.address(platform=platform, session=session, customer_id=customer_id,
                                       channel=channel, home=home)
        if found is not None:
            out[customer_id] = found
    return out


def _record(platform: Platform, deps: Deps, jobs: list[_Job], now: datetime) -> None:
    """One transaction: final rows with their events, `attempting` rows rendered (committed before any call)."""
    todo: list[tuple[_Job, dict[str, Any]]] = []
    for job in jobs:
        if job.result is not None:
            continue
        r = job.request
        channel_id = job.route.channel_id if job.route is not None else None
        if job.final is not None:
            values = steps.row_values(r, job.home, now, job.final[0], job.final[1], channel_id)
        else:
            assert job.address is not None
            values = steps.row_values(r, job.home, now, "attempting", None, channel_id, job.address.masked)
            if r.variables:  # kept for a retry's rendering; may hold PII, so encrypted
                values["request_enc"] = platform.cipher.encrypt(dumps(dict(r.variables)))
        todo.append((job, values))
    if not todo:
        return
    with platform.metadata.session() as session:
        ids = repo.insert_deliveries(session, [v for _, v in todo])
        queued: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for (job, values), delivery_id in zip(todo, ids, strict=True):
            view = steps.view_of(delivery_id, values)
            job.delivery_id, job.view = delivery_id, view
            if view.status == "attempting":
                message = steps.render(platform, deps, session, view, job.request.variables, job.home)
                if isinstance(message, str):
                    steps.refused(view, message)
                    changes.append({"id": delivery_id, "status": view.status, "reason": view.reason,
                                    "template_version": None})
                else:
                    job.message = message
                    if view.template_version is not None:
                        changes.append({"id": delivery_id, "status": view.status, "reason": None,
                                        "template_version": view.template_version})
            if view.status != "attempting":
                steps.event(session, view, now, sink=queued)
                job.result = steps.result_of(view)
        if changes:
            repo.update_deliveries(session, changes)
        repo.add_events(session, queued, now)


def _call(platform: Platform, deps: Deps, jobs: list[_Job], now: datetime, workers: int) -> None:
    """The providers' calls (their network waits overlap), then every answer saved at once.

    A provider that sends batches (`send_many`: the HTTP gateway) gets its sends at once, driven by one event loop
    in this thread; any other provider's calls go to the sender threads.
    """

    def one(job: _Job) -> ProviderResult:
        assert job.route is not None and job.message is not None and job.address is not None
        return steps.attempt(platform, deps, job.request.idempotency_key, job.route, job.message, job.address)

    batched: dict[int, list[_Job]] = {}
    threaded: list[_Job] = []
    for job in jobs:
        assert job.route is not None
        if len(jobs) > 1 and hasattr(job.route.provider, "send_many"):
            batched.setdefault(id(job.route.provider), []).append(job)
        else:
            threaded.append(job)
    answers: dict[int, ProviderResult] = {}
    pending = None
    if len(threaded) > 1 and workers > 1:
        pending = _pool(platform, workers).map(one, threaded)
    else:
        answers.update((id(j), one(j)) for j in threaded)
    for group in batched.values():
        route = group[0].route
        assert route is not None
        items = [(j.request.idempotency_key, j.message, j.address) for j in group]
        answers.update(zip(map(id, group), steps.attempt_many(platform, deps, route, items,  # type: ignore[arg-type]
                                                              max(1, workers)), strict=True))
    if pending is not None:
        answers.update(zip(map(id, threaded), pending, strict=True))
    saved = steps.save_answers(platform, deps, [steps.Answer(j.view, j.route, answers[id(j)])  # type: ignore[arg-type]
                                                for j in jobs], now)
    for job in jobs:
        job.result = saved[job.delivery_id]  # type: ignore[index]


_POOL_LOCK = threading.Lock()


def _pool(platform: Platform, workers: int) -> ThreadPoolExecutor:
    """The platform's sender threads, kept between batches (starting 16 threads per batch cost more than a call).

    Its tasks are provider calls only and never wait on the pool themselves, so batches sharing it cannot deadlock.
    """
    key = f"reach_send_pool_{workers}"
    pool = platform.extras.get(key)
    if pool is None:
        with _POOL_LOCK:
            pool = platform.extras.get(key)
            if pool is None:
                pool = platform.extras[key] = ThreadPoolExecutor(workers, thread_name_prefix="mofang-reach-send")
    return pool  # type: ignore[no-any-return]

"""Receipts close the loop: vendor callbacks (signed, replay refused), link clicks, inbox reads → log + events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, NotFound, Unauthorized
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.contracts import Receipt
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.events import flush_events, queue_event
from mofang.reach.delivery.logic import (
    RECEIPT_EVENTS,
    SIGNATURE_WINDOW,
    better_receipt,
    is_opt_out,
    signature_hash,
    signature_problem,
)
from mofang.reach.delivery.routing import build_provider, deps_of
from mofang.reach.models import CallbackSeen, Delivery, PendingReceipt

_STAMPS = {"delivered": "delivered_at", "opened": "opened_at", "clicked": "clicked_at", "replied": "replied_at",
           "unsubscribed": "unsubscribed_at"}


def apply(session: Session, row: Delivery, receipt: Receipt, *, suffix: str | None = None,
          sink: list[dict[str, Any]] | None = None) -> None:
    """Record one receipt on its delivery and queue its event (the same receipt twice is one event)."""
    stamp = _STAMPS.get(receipt.status)
    if stamp and getattr(row, stamp) is None:
        setattr(row, stamp, receipt.at)
    if receipt.status == "undelivered":
        row.failed_reason = str(receipt.detail.get("vendor_status") or "undelivered")[:64]
    if better_receipt(row.receipt, receipt.status):
        row.receipt = receipt.status
    extra = {k: v for k, v in receipt.detail.items() if k in ("vendor_status", "outcome", "source")}
    queue_event(session, row, RECEIPT_EVENTS[receipt.status], receipt.at, suffix=suffix or receipt.status,
                extra=extra, sink=sink)
    call = receipt.detail.get("call")
    if isinstance(call, Mapping):  # an AI call's result: its facts become one call_completed event
        queue_event(session, row, "call_completed", receipt.at, suffix="call_completed", extra=dict(call), sink=sink)


def handle_callback(*, platform: Platform, channel: str, channel_id: int, body: bytes,
                    headers: Mapping[str, str], now: datetime | None = None,
                    query: Mapping[str, str] | None = None) -> int:
    """A vendor's status report or reply callback: verified, applied once; how many receipts matched.

    A provider with its own callback check (`check_callback`: the vendor's signature scheme) verifies it;
    any other is checked by Mofang's HMAC headers.
    """
    now = now or utcnow()
    deps = deps_of(platform)
    with platform.metadata.session() as session:
        row = repo.channel(session, channel_id)
        if row is None or row.channel != channel:
            raise NotFound("no such channel", field="channel_id")
        provider = deps.providers.get(channel) or build_provider(platform, row, frozenset())
        check = getattr(provider, "check_callback", None)
        if check is not None:
            verdict = check(body, headers, query or {}, now=now)
            problem, sig = verdict.problem, hashlib.sha256(verdict.replay_key.encode()).hexdigest()
        else:
            secrets = json.loads(platform.cipher.decrypt_or_none(row.secrets_enc) or "{}") if row.secrets_enc else {}
            ts, given = headers.get("x-mofang-timestamp"), headers.get("x-mofang-signature")
            problem = signature_problem(secrets.get("callback_secret"), ts, given, body, now=now)
            sig = signature_hash(ts or "", given or "")
        if problem is not None:
            raise Unauthorized("the callback's signature is missing, wrong or too old", code=f"reach_{problem}")
        if repo.seen_callback(session, channel_id, sig):
            raise Conflict("this callback was already taken (replay refused)", code="reach_callback_replayed")
        receipts = provider.parse_receipt(body, headers) if provider is not None else []
        found = repo.by_vendor_ids(session, channel_id, [r.vendor_id for r in receipts if r.vendor_id])
        matched = 0
        queued: list[dict[str, Any]] = []
        for receipt in receipts:
            delivery = found.get(receipt.vendor_id) if receipt.vendor_id else None
            if delivery is None:
                if receipt.vendor_id:  # a fast gateway: its report came before the send's answer was saved
                    session.add(PendingReceipt(channel_id=channel_id, vendor_id=receipt.vendor_id,
                                               status=receipt.status, at=receipt.at, detail=dict(receipt.detail),
                                               created_at=now))
                continue
            matched += 1
            apply(session, delivery, receipt, suffix=f"{receipt.status}-{sig[:12]}"
                  if receipt.status == "replied" else None, sink=queued)
            if receipt.status == "replied" and is_opt_out(str(receipt.detail.get("text") or "")):
                # 回T退订: marketing consent on this channel is withdrawn before the callback is acknowledged.
                deps.policy.record_opt_out(session=session, customer_id=delivery.customer_id,
                                           channel=delivery.channel, now=now, source="sms_reply")  # type: ignore[arg-type]
                apply(session, delivery, Receipt(status="unsubscribed", at=receipt.at, delivery_id=delivery.id,
                                                 detail={"source": "sms_reply"}), sink=queued)
        repo.add_events(session, queued, now)
        session.add(CallbackSeen(channel_id=channel_id, signature_hash=sig, seen_at=now))
        repo.forget_callbacks(session, now - 2 * SIGNATURE_WINDOW)
        try:
            session.flush()
        except IntegrityError as exc:  # the same callback, at the same moment, in another worker
            raise Conflict("this callback was already taken (replay refused)",
                           code="reach_callback_replayed") from exc
    if matched < len(receipts):
        settle_pending(platform=platform)
    flush_events(platform)
    return matched


def settle_pending(*, platform: Platform) -> int:
    """Apply waiting receipts whose sends are saved now; how many.

    The send applies what waits for it when it saves the vendor's id, but a report racing it (committed just
    after the send looked) would wait forever: the callback looks again once committed, and the pump every second.
    """
    with platform.metadata.session() as session:
        matches = repo.pending_matches(session)
        if matches:
            apply_pending(platform=platform, session=session, accepted=matches)
    return len(matches)


def record_engagement(*, platform: Platform, delivery_id: int, status: str, at: datetime | None = None,
                      suffix: str | None = None, detail: Mapping[str, str] | None = None,
                      session: Session | None = None) -> None:
    """An open, click or outcome seen by the server itself (inbox read, link click, RM outcome)."""
    at = at or utcnow()
    receipt = Receipt(status=status, at=at, delivery_id=delivery_id, detail=dict(detail or {}))  # type: ignore[arg-type]
    if session is not None:
        row = session.get(Delivery, delivery_id)
        if row is not None:
            apply(session, row, receipt, suffix=suffix)
        return
    with platform.metadata.session() as own:
        row = own.get(Delivery, delivery_id)
        if row is not None:
            apply(own, row, receipt, suffix=suffix)
    flush_events(platform)


def click(*, platform: Platform, token: str, now: datetime | None = None) -> str:
    """The URL a tracked link leads to, its click recorded (404 unknown, 410 expired)."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        link = repo.link(session, token)
        if link is None or link.url.startswith("mofang:"):  # an open pixel or unsubscribe token is no link
            raise NotFound("no such link")
        if as_utc(link.expires_at) <= now:
            raise Gone("this link has expired", code="reach_link_expired")
        link.clicks += 1
        if link.delivery_id is not None:
            record_engagement(platform=platform, delivery_id=link.delivery_id, status="clicked", at=now,
                              suffix=f"clicked-{token[:8]}-{link.clicks}", session=session)
        url = link.url
    flush_events(platform)
    return url


class Gone(NotFound):
    """Existed, but no longer (an expired link)."""

    status_code = 410
    default_code = "gone"


def apply_pending(*, platform: Platform, session: Session, accepted: Sequence[tuple[int, int, str]]) -> None:
    """Receipts that waited for these sends (delivery id, channel id, vendor id), applied now that they are saved."""
    pending = repo.take_pending(session, [(c, v) for _, c, v in accepted])
    if not pending:
        return
    by_vendor = {(c, v): d for d, c, v in accepted}
    rows = {r.id: r for r in session.scalars(select(Delivery).where(Delivery.id.in_(list(by_vendor.values()))))}
    queued: list[dict[str, Any]] = []
    deps = deps_of(platform)
    for p in pending:
        row = rows.get(by_vendor[(p.channel_id, p.vendor_id)])
        if row is None:
            continue
        receipt = Receipt(status=p.status, at=as_utc(p.at), vendor_id=p.vendor_id, detail=p.detail or {})  # type: ignore[arg-type]
        apply(session, row, receipt, suffix=f"{p.status}-p{p.id}" if p.status == "replied" else None, sink=queued)
        if p.status == "replied" and is_opt_out(str((p.detail or {}).get("text") or "")):
            deps.policy.record_opt_out(session=session, customer_id=row.customer_id, channel=row.channel,  # type: ignore[arg-type]
                                       now=receipt.at, source="sms_reply")
            apply(session, row, Receipt(status="unsubscribed", at=receipt.at, delivery_id=row.id,
                                        detail={"source": "sms_reply"}), sink=queued)
    repo.add_events(session, queued, utcnow())


def opened(*, platform: Platform, token: str, now: datetime | None = None) -> None:
    """An e-mail's open pixel was fetched: the first fetch is `message_opened` (unknown tokens change nothing)."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        link = repo.link(session, token)
        if link is None or link.url != "mofang:open" or as_utc(link.expires_at) <= now:
            return
        link.clicks += 1
        if link.delivery_id is not None and link.clicks == 1:
            record_engagement(platform=platform, delivery_id=link.delivery_id, status="opened", at=now,
                              suffix="opened", detail={"source": "email_pixel"}, session=session)
    flush_events(platform)


def unsubscribe(*, platform: Platform, token: str, now: datetime | None = None) -> None:
    """One-click unsubscribe (RFC 8058): marketing e-mail consent withdrawn, `message_unsubscribed` recorded."""
    now = now or utcnow()
    deps = deps_of(platform)
    with platform.metadata.session() as session:
        link = repo.link(session, token)
        if link is None or link.url != "mofang:unsubscribe":
            raise NotFound("no such link")
        if as_utc(link.expires_at) <= now:
            raise Gone("this link has expired", code="reach_link_expired")
        row = session.get(Delivery, link.delivery_id) if link.delivery_id is not None else None
        if row is None:
            raise NotFound("no such link")
        link.clicks += 1
        if link.clicks == 1:
            deps.policy.record_opt_out(session=session, customer_id=row.customer_id, channel="email", now=now,
                                       source="email_unsubscribe")
            apply(session, row, Receipt(status="unsubscribed", at=now, delivery_id=row.id,
                                        detail={"source": "email_unsubscribe"}))
    flush_events(platform)


def verify_wechat_echo(*, platform: Platform, channel_id: int, query: Mapping[str, str],
                       now: datetime | None = None) -> None:
    """WeChat's server-URL check: the signature must be the channel token's (401 otherwise)."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        row = repo.channel(session, channel_id)
        if row is None or row.channel != "wechat":
            raise NotFound("no such channel", field="channel_id")
        provider = build_provider(platform, row, frozenset())
    check = getattr(provider, "check_callback", None)
    verdict = check(b"", {}, query, now=now) if check is not None else None
    if verdict is None or verdict.problem is not None:
        raise Unauthorized("the callback's signature is missing, wrong or too old",
                           code=f"reach_{verdict.problem if verdict else 'signature_invalid'}")

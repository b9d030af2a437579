"""Queries of the delivery log, channels, the event outbox and links, and customers' profiles (all metadata DB)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.governance.contracts import Scope
from mofang.reach.models import CallbackSeen, Delivery, PendingReceipt, ReachChannel, ReachEvent, TrackedLink

# A send reads the customer's profile (metadata DB: every worker reads it, none needs the event store).
_P = CustomerProfile.__table__
_HOME = (_P.c.customer_id, _P.c.org_code, _P.c.rm_id, _P.c.kyc_level, _P.c.tier, _P.c.aum, _P.c.attributes,
         _P.c.consents, _P.c.personal_enc, _P.c.phone_enc, _P.c.email_enc)
CHUNK = 500


def _home(row: Any) -> dict[str, Any]:
    """A profile row as the delivery service reads it: branch, RM, KYC, consents, facts and encrypted columns."""
    attributes, consents = row.attributes or {}, row.consents or {}
    return {"org_code": row.org_code, "rm_id": row.rm_id, "tier": row.tier, "aum": row.aum,
            "risk_level": row.kyc_level, "gender": attributes.get("gender"), "city": attributes.get("city"),
            **{f"consent_{ch}": v for ch, v in consents.items()},
            "personal_enc": row.personal_enc, "phone_enc": row.phone_enc, "email_enc": row.email_enc}


def customer_homes(session: Session, customer_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The homes of many customers, a few queries per batch (customers without a profile are absent)."""
    ids = sorted(set(customer_ids))
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        for row in session.execute(select(*_HOME).where(_P.c.customer_id.in_(ids[i:i + CHUNK]))):
            out[row.customer_id] = _home(row)
    return out


def customer_home(session: Session, customer_id: str) -> dict[str, Any] | None:
    """The home of one customer (None when the customer has no profile)."""
    return customer_homes(session, [customer_id]).get(customer_id)


def master_address(session: Session, customer_id: str, column: str) -> str | None:
    """An encrypted contact column of the customer master, as the profile copies it (`phone_enc`, `email_enc`)."""
    if column not in ("phone_enc", "email_enc"):
        raise ValueError(column)
    return session.scalar(select(_P.c[column]).where(_P.c.customer_id == customer_id))


# -- the log, written by batches (plain statements: the ORM's bookkeeping per row is most of a batch's cost) ------

_D = Delivery.__table__


def insert_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Many log rows (distinct keys, one set of columns) in one statement; their ids in the rows' order.

    The ids are matched by key: asking the driver to keep the parameters' order makes SQLite insert row by row.
    """
    stmt = insert(_D).returning(_D.c.id, _D.c.idempotency_key)
    ids = {key: int(i) for i, key in session.execute(stmt, list(rows))}
    return [ids[r["idempotency_key"]] for r in rows]


def update_deliveries(session: Session, changes: Sequence[dict[str, Any]]) -> None:
    """Changes to many rows by `id`: one executemany per set of changed columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(k for k in change if k != "id")), []).append(change)
    for cols, rows in groups.items():
        stmt = update(_D).where(_D.c.id == bindparam("w_id")).values({c: bindparam(f"v_{c}") for c in cols})
        session.execute(stmt, [{"w_id": r["id"], **{f"v_{c}": r[c] for c in cols}} for r in rows])


# -- channels ----------------------------------------------------------------------------------------------------

def channel(session: Session, channel_id: int) -> ReachChannel | None:
    """One configured channel."""
    return session.get(ReachChannel, channel_id)


def active_channel(session: Session, channel_kind: str) -> ReachChannel | None:
    """The configured channel that sends on a channel kind now (the newest active one)."""
    return session.scalars(select(ReachChannel).where(ReachChannel.channel == channel_kind,
                                                      ReachChannel.active.is_(True))
                           .order_by(ReachChannel.id.desc()).limit(1)).first()


def channels(session: Session) -> list[ReachChannel]:
    """Every configured channel."""
    return list(session.scalars(select(ReachChannel).order_by(ReachChannel.channel, ReachChannel.id)))


def deactivate_others(session: Session, channel_kind: str, keep_id: int) -> None:
    """Only one configured channel sends on a kind at a time."""
    session.execute(update(ReachChannel).where(ReachChannel.channel == channel_kind, ReachChannel.id != keep_id)
                    .values(active=False))


# -- the delivery log ----------------------------------------------------------------------------------------------

def by_key(session: Session, key: str) -> Delivery | None:
    """The delivery of an idempotency key."""
    return session.scalars(select(Delivery).where(Delivery.idempotency_key == key)).first()


def by_vendor_ids(session: Session, channel_id: int, vendor_ids: Sequence[str]) -> dict[str, Delivery]:
    """The deliveries vendors' message ids name, on one configured channel."""
    if not vendor_ids:
        return {}
    rows = session.scalars(select(Delivery).where(Delivery.vendor_id.in_(sorted(set(vendor_ids))),
                                                  Delivery.channel_id == channel_id))
    return {r.vendor_id: r for r in rows if r.vendor_id is not None}


def claim(session: Session, delivery_id: int, *, statuses: Sequence[str], now: datetime,
          due_before: datetime | None = None) -> bool:
    """Mark a delivery `attempting` if it is still in one of `statuses` (one worker wins; the others see 0 rows)."""
    cond = [Delivery.id == delivery_id, Delivery.status.in_(list(statuses))]
    if due_before is not None:
        cond.append(or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= due_before))
    res = session.execute(update(Delivery).where(*cond).values(status="attempting", updated_at=now,
                                                               attempts=Delivery.attempts + 1))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def due_retries(session: Session, now: datetime, limit: int) -> list[int]:
    """Deliveries waiting to be tried again whose time has come."""
    return list(session.scalars(select(Delivery.id).where(Delivery.status == "retrying",
                                                          Delivery.next_attempt_at <= now)
                                .order_by(Delivery.next_attempt_at).limit(limit)))


def stale_attempts(session: Session, before: datetime, limit: int) -> list[int]:
    """Attempts whose worker has been silent too long (crashed between the call and saving its answer)."""
    return list(session.scalars(select(Delivery.id).where(Delivery.status == "attempting",
                                                          Delivery.updated_at < before).limit(limit)))


def _scoped(query: Select[Any], scope: Scope) -> Select[Any]:
    """Deliveries of customers in the viewer's scope (the customer's branch and RM, not the sender's)."""
    if scope.kind == "all":
        return query
    if scope.kind == "rm":
        return query.where(Delivery.customer_rm_id == scope.rm_id)
    return query.where(or_(Delivery.customer_org_code == scope.org_code,
                           func.substr(Delivery.customer_org_code, 1, len(scope.org_code) + 1)
                           == scope.org_code + "-"))


def search(session: Session, *, scope: Scope, filters: dict[str, Any], dead: bool | None, limit: int,
           offset: int) -> tuple[list[Delivery], int]:
    """A page of the log in scope, newest first, with the total."""
    conds = [getattr(Delivery, k) == v for k, v in filters.items() if v is not None]
    if dead is not None:
        conds.append(Delivery.dead.is_(dead))
    base = _scoped(select(Delivery), scope).where(and_(*conds)) if conds else _scoped(select(Delivery), scope)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(Delivery.id.desc()).limit(limit).offset(offset)))
    return rows, total


def get_scoped(session: Session, *, scope: Scope, delivery_id: int) -> Delivery | None:
    """One delivery if its customer is in scope."""
    return session.scalars(_scoped(select(Delivery), scope).where(Delivery.id == delivery_id)).first()


def daily_stats(session: Session, *, scope: Scope, since: datetime) -> list[tuple[Any, ...]]:
    """(day, channel, status, receipt, count, cost) of deliveries in scope since a time."""
    day = func.date(Delivery.created_at)
    q = select(day, Delivery.channel, Delivery.status, Delivery.receipt, Delivery.clicked_at.is_not(None),
               func.count(), func.coalesce(func.sum(Delivery.cost_fen), 0)) \
        .where(Delivery.created_at >= since) \
        .group_by(day, Delivery.channel, Delivery.status, Delivery.receipt, Delivery.clicked_at.is_not(None))
    return [tuple(r) for r in session.execute(_scoped(q, scope))]


# -- events, links, callbacks --------------------------------------------------------------------------------------

def add_events(session: Session, messages: Sequence[dict[str, Any]], now: datetime) -> None:
    """Queue events for ingestion; one already queued (same message id) is left as it is."""
    if not messages:
        return
    dialect = session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = upsert(ReachEvent.__table__).on_conflict_do_nothing(index_elements=["message_id"])
    session.execute(stmt, [{"message_id": m["messageId"], "message": m, "created_at": now} for m in messages])


def pending_events(session: Session, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Queued events as (id, message), oldest first."""
    q = select(ReachEvent.id, ReachEvent.message).order_by(ReachEvent.id).limit(limit)
    return [(int(i), m) for i, m in session.execute(q)]


def drop_events(session: Session, ids: Sequence[int]) -> None:
    """Events ingestion has made durable."""
    session.execute(delete(ReachEvent).where(ReachEvent.id.in_(list(ids))))


def link(session: Session, token: str) -> TrackedLink | None:
    """A tracked link by its token."""
    return session.get(TrackedLink, token)


def seen_callback(session: Session, channel_id: int, sig_hash: str) -> bool:
    """Whether this signed callback was taken before."""
    return session.scalar(select(CallbackSeen.id).where(CallbackSeen.channel_id == channel_id,
                                                        CallbackSeen.signature_hash == sig_hash)) is not None


def forget_callbacks(session: Session, before: datetime) -> None:
    """Signatures older than the window can no longer be replayed (their timestamps are refused): forget them."""
    session.execute(delete(CallbackSeen).where(CallbackSeen.seen_at < before))


def take_pending(session: Session, channel_vendor: Sequence[tuple[int, str]]) -> list[PendingReceipt]:
    """Receipts that came before their sends' answers, for these (channel, vendor id) pairs; removed as taken."""
    if not channel_vendor:
        return []
    wanted = set(channel_vendor)
    rows = [r for r in session.scalars(select(PendingReceipt).where(
        PendingReceipt.vendor_id.in_(sorted({v for _, v in wanted})))) if (r.channel_id, r.vendor_id) in wanted]
    for r in rows:
        session.delete(r)
    return rows


def pending_matches(session: Session, limit: int = 500) -> list[tuple[int, int, str]]:
    """Waiting receipts whose send has been saved since: (delivery id, channel id, vendor id)."""
    rows = session.execute(
        select(Delivery.id, PendingReceipt.channel_id, PendingReceipt.vendor_id)
        .join(Delivery, (Delivery.channel_id == PendingReceipt.channel_id)
              & (Delivery.vendor_id == PendingReceipt.vendor_id))
        .distinct().limit(limit))
    return [(int(d), int(c), str(v)) for d, c, v in rows]


def forget_pending(session: Session, before: datetime) -> None:
    """Receipts no send claimed within a day name messages we never sent: forget them."""
    session.execute(delete(PendingReceipt).where(PendingReceipt.created_at < before))

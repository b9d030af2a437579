"""Queries of benefits: definitions, pools, the issue ledger and its events (Core statements: claims are hot)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mofang.campaigns.benefits.models import BenefitDefinition, BenefitEvent, BenefitGrant, BenefitPool

DEFS = BenefitDefinition.__table__
POOLS = BenefitPool.__table__
GRANTS = BenefitGrant.__table__
EVENTS = BenefitEvent.__table__


def is_sqlite(session: Session) -> bool:
    """Whether the metadata database is SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def lock_for_write(session: Session) -> None:
    """Take SQLite's write lock first, so that every read after it sees the state the writes will change."""
    if is_sqlite(session):
        # A write that matches nothing still opens a write transaction; a read first would risk SQLITE_BUSY
        # when it must be upgraded after another writer committed.
        session.execute(update(POOLS).where(POOLS.c.id == -1).values(stock_total=POOLS.c.stock_total))


def grants_by_keys(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    """Ledger rows already written for these idempotency keys."""
    keys = list(keys)
    rows = session.execute(select(GRANTS).where(GRANTS.c.idempotency_key.in_(keys))).all() if keys else []
    return {r.idempotency_key: r for r in rows}


def definitions(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    """Benefit definitions by id."""
    ids = list(ids)
    return {r.id: r for r in session.execute(select(DEFS).where(DEFS.c.id.in_(ids))).all()} if ids else {}


def pools_of(session: Session, scopes: Iterable[tuple[int, int]], *, for_update: bool = False) -> list[Any]:
    """The pools of these (benefit, campaign) pairs (locked on PostgreSQL when about to be drawn from)."""
    conds = [and_(POOLS.c.benefit_id == b, POOLS.c.campaign_id == c) for b, c in scopes]
    if not conds:
        return []
    query = select(POOLS).where(or_(*conds)).order_by(POOLS.c.id)
    if for_update and not is_sqlite(session):
        query = query.with_for_update()
    return list(session.execute(query).all())


def issued_counts(session: Session, benefit_id: int, campaign_id: int, customers: Iterable[str]) -> dict[str, int]:
    """How many of a benefit each customer was issued in a campaign."""
    customers = list(customers)
    if not customers:
        return {}
    rows = session.execute(
        select(GRANTS.c.customer_id, func.count()).where(
            GRANTS.c.benefit_id == benefit_id, GRANTS.c.campaign_id == campaign_id, GRANTS.c.status == "issued",
            GRANTS.c.customer_id.in_(customers)).group_by(GRANTS.c.customer_id)).all()
    return {c: n for c, n in rows}


def take(session: Session, pool_id: int, n: int, fen: int) -> bool:
    """Take n from a pool's stock and fen from its budget, only if both are there (atomic)."""
    res = session.execute(
        update(POOLS).where(POOLS.c.id == pool_id, POOLS.c.stock_remaining >= n,
                            POOLS.c.budget_remaining_fen >= fen)
        .values(stock_remaining=POOLS.c.stock_remaining - n, budget_remaining_fen=POOLS.c.budget_remaining_fen - fen))
    return res.rowcount == 1


def give_back(session: Session, pool_id: int, n: int, fen: int) -> None:
    """Return stock and budget to a pool (an allocation handed back, or a child pool's share)."""
    session.execute(update(POOLS).where(POOLS.c.id == pool_id).values(
        stock_remaining=POOLS.c.stock_remaining + n, budget_remaining_fen=POOLS.c.budget_remaining_fen + fen))


def insert_grants(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Append ledger rows; their ids in the order given."""
    if not rows:
        return []
    res = session.execute(insert(GRANTS).returning(GRANTS.c.id, sort_by_parameter_order=True), list(rows))
    return [r.id for r in res.all()]


def insert_event_new(session: Session, row: dict[str, Any]) -> int | None:
    """Append an event unless its key (or, for a terminal event, the grant's end) exists; its id or None."""
    dialect = postgresql if not is_sqlite(session) else sqlite
    stmt = dialect.insert(EVENTS).values(**row).on_conflict_do_nothing().returning(EVENTS.c.id)
    got = session.execute(stmt).first()
    return got.id if got is not None else None


def event_by_key(session: Session, key: str) -> Any:
    """An event by its idempotency key."""
    return session.execute(select(EVENTS).where(EVENTS.c.idempotency_key == key)).first()


def events_of(session: Session, grant_ids: Iterable[int]) -> list[Any]:
    """Every event of these grants, oldest first."""
    ids = list(grant_ids)
    return list(session.execute(select(EVENTS).where(EVENTS.c.grant_id.in_(ids)).order_by(EVENTS.c.id)).all()) \
        if ids else []


def grant(session: Session, grant_id: int) -> Any:
    """One ledger row."""
    return session.execute(select(GRANTS).where(GRANTS.c.id == grant_id)).first()


def lapsed(session: Session, now: datetime, limit: int) -> list[Any]:
    """Issued grants past their expiry that neither were redeemed nor expired yet."""
    ended = select(EVENTS.c.grant_id).where(EVENTS.c.terminal == 1)
    return list(session.execute(
        select(GRANTS.c.id).where(GRANTS.c.status == "issued", GRANTS.c.expires_at.is_not(None),
                                  GRANTS.c.expires_at <= now, GRANTS.c.id.not_in(ended))
        .order_by(GRANTS.c.id).limit(limit)).all())


def ledger(session: Session, *, orgs: Sequence[str] | None, benefit_id: int | None, campaign_id: int | None,
           customer_id: str | None, limit: int, offset: int) -> tuple[list[Any], int]:
    """A page of the ledger, newest first, within the org prefixes given (None: everything)."""
    conds = []
    if orgs is not None:
        conds.append(or_(*[GRANTS.c.org_code == o for o in orgs],
                         *[GRANTS.c.org_code.startswith(o + "-", autoescape=True) for o in orgs]))
    if benefit_id is not None:
        conds.append(GRANTS.c.benefit_id == benefit_id)
    if campaign_id is not None:
        conds.append(GRANTS.c.campaign_id == campaign_id)
    if customer_id is not None:
        conds.append(GRANTS.c.customer_id == customer_id)
    total = session.execute(select(func.count()).select_from(GRANTS).where(*conds)).scalar_one()
    rows = session.execute(select(GRANTS).where(*conds).order_by(GRANTS.c.id.desc()).limit(limit)
                           .offset(offset)).all()
    return list(rows), total


def grant_totals(session: Session, benefit_id: int | None, campaign_id: int | None) -> list[Any]:
    """Per (benefit, campaign, pool, status, reason): how many grants and their reserved cost."""
    conds = []
    if benefit_id is not None:
        conds.append(GRANTS.c.benefit_id == benefit_id)
    if campaign_id is not None:
        conds.append(GRANTS.c.campaign_id == campaign_id)
    return list(session.execute(
        select(GRANTS.c.benefit_id, GRANTS.c.campaign_id, GRANTS.c.pool_id, GRANTS.c.org_code, GRANTS.c.status,
               GRANTS.c.reason, func.count().label("n"), func.coalesce(func.sum(GRANTS.c.cost_fen), 0).label("fen"))
        .where(*conds).group_by(GRANTS.c.benefit_id, GRANTS.c.campaign_id, GRANTS.c.pool_id, GRANTS.c.org_code,
                                GRANTS.c.status, GRANTS.c.reason)).all())


def terminal_totals(session: Session, benefit_id: int | None, campaign_id: int | None) -> list[Any]:
    """Per (pool, event kind): how many grants ended so and the amounts reported at redemption."""
    conds = [EVENTS.c.terminal == 1]
    if benefit_id is not None:
        conds.append(GRANTS.c.benefit_id == benefit_id)
    if campaign_id is not None:
        conds.append(GRANTS.c.campaign_id == campaign_id)
    return list(session.execute(
        select(GRANTS.c.pool_id, EVENTS.c.kind, func.count().label("n"),
               func.coalesce(func.sum(EVENTS.c.amount_fen), 0).label("fen"))
        .select_from(EVENTS.join(GRANTS, GRANTS.c.id == EVENTS.c.grant_id)).where(*conds)
        .group_by(GRANTS.c.pool_id, EVENTS.c.kind)).all())


def daily_issues(session: Session, pool_ids: Sequence[int]) -> list[Any]:
    """Issued grants of these pools with their time and cost (for the burn-down)."""
    return list(session.execute(
        select(GRANTS.c.issued_at, GRANTS.c.cost_fen).where(GRANTS.c.pool_id.in_(list(pool_ids)),
                                                            GRANTS.c.status == "issued")
        .order_by(GRANTS.c.issued_at)).all()) if pool_ids else []


def max_grant_id(session: Session) -> int:
    """The largest ledger id so far."""
    return session.execute(select(func.coalesce(func.max(GRANTS.c.id), 0))).scalar_one()


def issued_counts_all(session: Session, benefit_id: int, campaign_id: int) -> dict[str, int]:
    """Every customer's issue count of a benefit in a campaign."""
    rows = session.execute(
        select(GRANTS.c.customer_id, func.count()).where(
            GRANTS.c.benefit_id == benefit_id, GRANTS.c.campaign_id == campaign_id, GRANTS.c.status == "issued")
        .group_by(GRANTS.c.customer_id)).all()
    return {c: n for c, n in rows}


def grant_answers(session: Session, benefit_id: int, campaign_id: int) -> list[Any]:
    """Every ledger answer of a benefit in a campaign (to rebuild Redis's idempotency answers)."""
    return list(session.execute(select(GRANTS).where(GRANTS.c.benefit_id == benefit_id,
                                                     GRANTS.c.campaign_id == campaign_id)).all())


def bump_id_sequence(session: Session) -> None:
    """On PostgreSQL, move the ledger's id sequence past ids given out by Redis."""
    if not is_sqlite(session):
        session.execute(text("SELECT setval(pg_get_serial_sequence('benefit_grants', 'id'), "
                             "(SELECT COALESCE(max(id), 1) FROM benefit_grants))"))

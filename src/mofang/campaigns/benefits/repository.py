"""Queries of benefits: definitions, pools, the issue ledger and its events (Core statements: claims are hot)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select, text
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
        # BEGIN IMMEDIATE: a read first would risk SQLITE_BUSY when it must be upgraded after another writer
        # committed. The session's connection may already be in a transaction (an earlier statement).
        conn = session.connection()
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("UPDATE benefit_pools SET stock_total = stock_total WHERE id = -1")


# The hot paths below (claims, the Redis drain) are driver-level statements: SQLAlchemy's statement building and
# per-row parameter processing cost more than SQLite's own work (one INSERT execute per row with RETURNING).
Answer = namedtuple("Answer", "id idempotency_key benefit_id campaign_id customer_id status reason cost_fen expires_at")
Terms = namedtuple("Terms", "id status valid_from valid_to valid_days per_customer_limit cost_fen")
Pool = namedtuple("Pool", "id benefit_id campaign_id org_code parent_id stock_total stock_remaining budget_fen "
                          "budget_remaining_fen")
GRANT_COLUMNS = ("id", "idempotency_key", "benefit_id", "campaign_id", "pool_id", "customer_id", "org_code", "status",
                 "reason", "customer_seq", "cost_fen", "source", "issued_at", "expires_at")
CHUNK = 500  # values per IN (...) list: well below SQLite's bound-variable limit


def _marks(session: Session, n: int) -> str:
    return ", ".join(["?" if is_sqlite(session) else "%s"] * n)


_ZERO = timedelta(0)


@lru_cache(maxsize=1024)
def _sqlite_stamp(value: datetime) -> str:
    # SQLAlchemy's text for a datetime ("%Y-%m-%d %H:%M:%S.%f"); isoformat is ~5x cheaper than strftime, and a UTC
    # value (every claim's) needs no conversion: its text is the naive one plus "+00:00".
    if value.tzinfo is None:
        return value.isoformat(" ", "microseconds")
    if value.utcoffset() == _ZERO:
        return value.isoformat(" ", "microseconds")[:-6]
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _time(value: Any) -> datetime | None:
    """A stored datetime, aware (SQLite hands back text in UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def grants_by_keys(session: Session, keys: Iterable[str]) -> dict[str, Answer]:
    """Ledger answers already written for these idempotency keys."""
    keys, out = list(keys), {}
    for i in range(0, len(keys), CHUNK):
        part = keys[i:i + CHUNK]
        for r in session.connection().exec_driver_sql(
                f"SELECT {', '.join(Answer._fields)} FROM benefit_grants WHERE idempotency_key IN "
                f"({_marks(session, len(part))})", tuple(part)):
            out[r[1]] = Answer(*r[:8], _time(r[8]))
    return out


def definitions(session: Session, ids: Iterable[int]) -> dict[int, Terms]:
    """What issuing needs of benefit definitions, by id."""
    ids = list(ids)
    if not ids:
        return {}
    rows = session.connection().exec_driver_sql(
        f"SELECT {', '.join(Terms._fields)} FROM benefit_definitions WHERE id IN ({_marks(session, len(ids))})",
        tuple(ids))
    return {r[0]: Terms(r[0], r[1], _time(r[2]), _time(r[3]), *r[4:]) for r in rows}


def pools_of(session: Session, scopes: Iterable[tuple[int, int]], *, for_update: bool = False) -> list[Pool]:
    """The pools of these (benefit, campaign) pairs, by id (locked on PostgreSQL when about to be drawn from)."""
    scopes = list(scopes)
    if not scopes:
        return []
    one = f"(benefit_id = {_marks(session, 1)} AND campaign_id = {_marks(session, 1)})"
    lock = " FOR UPDATE" if for_update and not is_sqlite(session) else ""
    rows = session.connection().exec_driver_sql(
        f"SELECT {', '.join(Pool._fields)} FROM benefit_pools WHERE {' OR '.join([one] * len(scopes))} "
        f"ORDER BY id{lock}", tuple(x for sc in scopes for x in sc))
    return [Pool(*r) for r in rows]


def issued_counts(session: Session, benefit_id: int, campaign_id: int, customers: Iterable[str]) -> dict[str, int]:
    """How many of a benefit each customer was issued in a campaign."""
    customers, out = list(customers), {}
    for i in range(0, len(customers), CHUNK):
        part = customers[i:i + CHUNK]
        out.update(session.connection().exec_driver_sql(
            f"SELECT customer_id, count(*) FROM benefit_grants WHERE customer_id IN ({_marks(session, len(part))}) "
            f"AND benefit_id = {_marks(session, 1)} AND campaign_id = {_marks(session, 1)} AND status = 'issued' "
            "GROUP BY customer_id", (*part, benefit_id, campaign_id)).all())
    return out


def take(session: Session, pool_id: int, n: int, fen: int) -> bool:
    """Take n from a pool's stock and fen from its budget, only if both are there (atomic)."""
    m = _marks(session, 1)
    res = session.connection().exec_driver_sql(
        f"UPDATE benefit_pools SET stock_remaining = stock_remaining - {m}, "
        f"budget_remaining_fen = budget_remaining_fen - {m} "
        f"WHERE id = {m} AND stock_remaining >= {m} AND budget_remaining_fen >= {m}", (n, fen, pool_id, n, fen))
    return res.rowcount == 1


def give_back(session: Session, pool_id: int, n: int, fen: int) -> None:
    """Return stock and budget to a pool (an allocation handed back, or a child pool's share)."""
    m = _marks(session, 1)
    session.connection().exec_driver_sql(
        f"UPDATE benefit_pools SET stock_remaining = stock_remaining + {m}, "
        f"budget_remaining_fen = budget_remaining_fen + {m} WHERE id = {m}", (n, fen, pool_id))


def new_grant_ids(session: Session, n: int) -> list[int]:
    """Ids for n new ledger rows (PostgreSQL: from the sequence; SQLite: past the largest, under its write lock)."""
    if n == 0:
        return []
    conn = session.connection()
    if is_sqlite(session):
        top = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM benefit_grants").scalar_one()
        return list(range(top + 1, top + 1 + n))
    return list(conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence('benefit_grants', 'id')) FROM generate_series(1, %s)", (n,)).scalars())


def insert_grants(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append ledger rows, each with its id (one executemany)."""
    if not rows:
        return
    # SQLite takes datetimes as SQLAlchemy's text (UTC); an engine batch shares few distinct values (cached).
    stamp = _sqlite_stamp if is_sqlite(session) else (lambda v: v)
    params = [(r["id"], r["idempotency_key"], r["benefit_id"], r["campaign_id"], r["pool_id"], r["customer_id"],
               r["org_code"], r["status"], r["reason"], r["customer_seq"], r["cost_fen"], r["source"],
               stamp(r["issued_at"]), r["expires_at"] and stamp(r["expires_at"])) for r in rows]
    session.connection().exec_driver_sql(
        f"INSERT INTO benefit_grants ({', '.join(GRANT_COLUMNS)}) VALUES ({_marks(session, len(GRANT_COLUMNS))})",
        params)


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

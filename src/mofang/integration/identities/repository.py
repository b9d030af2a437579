"""Queries of identities: the metadata table (bulk upserts by customer) and event-store reads for merges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from mofang.integration.identities.models import CustomerIdentity, IdentityBatch
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.metadata import bulk_cache  # noqa: F401 (used as repo.bulk_cache)

T = CustomerIdentity.__table__
CHUNK = 900  # ids per IN list (SQLite binds at most 32,766 parameters; PostgreSQL has no such limit)
DEFER_INDEX_ROWS = 100_000  # rows of a first load past which the lookup index is built after them
WHOLE_READ = 250_000  # ids beyond which one read of the whole table is cheaper than IN lists of CHUNK


def _chunks(items: Sequence[str], n: int = CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def existing(session: Session, customer_ids: Sequence[str], *, kinds: Sequence[str] | None = None,
             ) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Stored identities of these customers by (customer, kind, hash)."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for part in _chunks(list(dict.fromkeys(customer_ids))):
        q = select(*_EXISTING_COLS).where(T.c.customer_id.in_(part))
        if kinds is not None:
            q = q.where(T.c.kind.in_(kinds))
        for r in session.execute(q).mappings():
            out[(r["customer_id"], r["kind"], r["value_hash"])] = dict(r)
    return out


Copy = tuple[int, str | None, str]  # a master copy: (id, ciphertext, hash)
_EXISTING_COLS = (T.c.id, T.c.customer_id, T.c.kind, T.c.value_hash, T.c.source, T.c.valid, T.c.first_seen,
                  T.c.last_seen)


def existing_with_copies(session: Session, customer_ids: Sequence[str], source: str,
                         ) -> tuple[dict[tuple[str, str, str], dict[str, Any]], dict[tuple[str, str], Copy]]:
    """`existing` of these customers and, from the same read, the valid rows of `source` by (customer, kind):
    (id, ciphertext, hash) — one query per chunk."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    copies: dict[tuple[str, str], Copy] = {}
    for part in _chunks(list(dict.fromkeys(customer_ids))):
        for r in session.execute(select(*_EXISTING_COLS, T.c.value_enc).where(T.c.customer_id.in_(part))):
            row = dict(zip(_EXISTING_KEYS, r[:-1], strict=True))
            found[(r[1], r[2], r[3])] = row
            if r[4] == source and r[5]:
                copies[(r[1], r[2])] = (r[0], r[-1], r[3])
    return found, copies


_EXISTING_KEYS = tuple(c.name for c in _EXISTING_COLS)


def of_source(session: Session, source: str, customer_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Valid identities that came from one source (of some customers, or all)."""
    q = select(T.c.id, T.c.customer_id, T.c.kind, T.c.value_hash).where(T.c.source == source, T.c.valid.is_(True))
    if customer_ids is None:
        return [dict(r) for r in session.execute(q).mappings()]
    out: list[dict[str, Any]] = []
    for part in _chunks(list(customer_ids)):
        out += [dict(r) for r in session.execute(q.where(T.c.customer_id.in_(part))).mappings()]
    return out


_INSERT_COLS = ("customer_id", "kind", "value", "value_enc", "value_hash", "masked", "source", "valid", "first_seen",
                "last_seen", "updated_at")


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime reads back (naive UTC).
    if value is None:
        return None
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add identities in one executemany on the driver (the ORM's per-row parameter handling costs more)."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        _insert(conn, [tuple(r[c] for c in _INSERT_COLS) for r in rows])
        return
    texts: dict[datetime, str | None] = {}  # a load's rows share a few instants: each formatted once

    def when(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = texts.get(value)
        if text is None:
            text = texts[value] = _sqlite_time(value)
        return text

    _insert(conn, [(r["customer_id"], r["kind"], r["value"], r["value_enc"], r["value_hash"], r["masked"],
                    r["source"], int(r["valid"]), when(r["first_seen"]), when(r["last_seen"]), when(r["updated_at"]))
                   for r in rows])


@contextmanager
def lookup_index_deferred(session: Session, coming: int) -> Iterator[None]:
    """SQLite, many rows coming into a table holding fewer: the lookup index is built after them, in the same
    transaction (one sort instead of millions of random inserts: measured 3M identities in 22 s instead of 32).

    Readers of other connections keep seeing the index (they read the last commit); a failure rolls it back."""
    conn = session.connection()
    if conn.dialect.name != "sqlite" or coming < DEFER_INDEX_ROWS or \
            session.scalar(select(func.count()).select_from(T)) >= coming:
        yield
        return
    lookup = next(i for i in T.indexes if i.name == "ix_customer_identities_lookup")
    lookup.drop(conn)
    yield
    lookup.create(conn)


def insert_master(session: Session, rows: Sequence[tuple[str, str, str | None, str | None, str, str]],
                  *, source: str, now: datetime) -> None:
    """Add valid identities of one source, never seen, given as (customer, kind, value, ciphertext, hash, mask)."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":  # COPY in the session's transaction: no statement per row
        with conn.connection.driver_connection.cursor() as cur, \
                cur.copy(f"COPY customer_identities ({', '.join(_INSERT_COLS)}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, source, True, None, None, now))
        return
    tail = (source, 1, None, None, _sqlite_time(now))  # formatted once, not once a row
    _insert(conn, [r + tail for r in rows])


def _insert(conn: Any, values: list[tuple[Any, ...]]) -> None:
    """One executemany on the driver of rows in `_INSERT_COLS` order, as the dialect takes them."""
    marks = ", ".join(("?" if conn.dialect.name == "sqlite" else "%s") for _ in _INSERT_COLS)
    conn.exec_driver_sql(f"INSERT INTO customer_identities ({', '.join(_INSERT_COLS)}) VALUES ({marks})", values)


def customers_with_any(session: Session, customer_ids: Sequence[str]) -> set[str]:
    """Which of these customers hold any identity (valid or not, of any source)."""
    wanted = set(customer_ids)
    if len(wanted) > WHOLE_READ:  # one scan of the unique index beats a thousand IN lists (a first full load)
        return {c for c in session.scalars(select(T.c.customer_id).distinct()) if c in wanted}
    out: set[str] = set()
    for part in _chunks(list(customer_ids)):
        out |= set(session.scalars(select(T.c.customer_id).distinct().where(T.c.customer_id.in_(part))))
    return out


def update_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Change identities by id (each dict carries `id` and the columns to set)."""
    by_cols: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        by_cols.setdefault(tuple(sorted(k for k in r if k != "id")), []).append(r)
    for cols, group in by_cols.items():
        stmt = update(T).where(T.c.id == bindparam("_id")).values({c: bindparam(c) for c in cols})
        session.execute(stmt, [{"_id": r["id"], **{c: r[c] for c in cols}} for r in group],
                        execution_options={"synchronize_session": False})


def invalidate(session: Session, ids: Sequence[int], now: datetime) -> int:
    """Mark identities no longer valid (kept, never dropped)."""
    n = 0
    for i in range(0, len(ids), CHUNK):
        part = list(ids[i:i + CHUNK])
        n += session.execute(update(T).where(T.c.id.in_(part), T.c.valid.is_(True))
                             .values(valid=False, updated_at=now)).rowcount or 0
    return n


def invalidate_customers(session: Session, customer_ids: Sequence[str], now: datetime) -> int:
    """Every identity of customers that were closed."""
    n = 0
    for part in _chunks(list(customer_ids)):
        n += session.execute(update(T).where(T.c.customer_id.in_(part), T.c.valid.is_(True))
                             .values(valid=False, updated_at=now)).rowcount or 0
    return n


def candidates(session: Session, customer_ids: Sequence[str], kinds: Sequence[str]) -> list[dict[str, Any]]:
    """Valid identities of these kinds for these customers."""
    out: list[dict[str, Any]] = []
    cols = (T.c.id, T.c.customer_id, T.c.kind, T.c.value, T.c.value_enc, T.c.masked, T.c.source, T.c.last_seen)
    for part in _chunks(list(dict.fromkeys(customer_ids))):
        q = select(*cols).where(T.c.customer_id.in_(part), T.c.kind.in_(kinds), T.c.valid.is_(True))
        out += [dict(r) for r in session.execute(q).mappings()]
    return out


def customers_with(session: Session, kind: str, hashed: str) -> list[str]:
    """Customers holding a valid identity of this kind and keyed hash."""
    q = select(T.c.customer_id).where(T.c.kind == kind, T.c.value_hash == hashed, T.c.valid.is_(True))
    return sorted(set(session.scalars(q)))


def of_customer(session: Session, customer_id: str) -> list[CustomerIdentity]:
    """Every identity of one customer, valid first."""
    q = (select(CustomerIdentity).where(CustomerIdentity.customer_id == customer_id)
         .order_by(CustomerIdentity.valid.desc(), CustomerIdentity.kind, CustomerIdentity.id))
    return list(session.scalars(q))


def reachable_counts(session: Session, customers_subquery: Any, kinds: Sequence[str]) -> int:
    """How many of the given customers hold a valid identity of any of these kinds."""
    q = (select(func.count(func.distinct(T.c.customer_id)))
         .where(T.c.kind.in_(kinds), T.c.valid.is_(True), T.c.customer_id.in_(customers_subquery)))
    return int(session.scalar(q) or 0)


def field_counts(session: Session, customers_subquery: Any, fields: Sequence[str]) -> tuple[int, list[int], Any]:
    """(valid identities of the given customers, how many leave each field empty, the latest last_seen)."""
    cols = [getattr(T.c, f) for f in fields]
    q = (select(func.count(), *(func.count() - func.count(c) for c in cols), func.max(T.c.last_seen))
         .where(T.c.valid.is_(True), T.c.customer_id.in_(customers_subquery)))
    row = session.execute(q).one()
    return int(row[0]), [int(n) for n in row[1:-1]], row[-1]


def batch(session: Session, key: str) -> IdentityBatch | None:
    """A pushed batch by its idempotency key."""
    return session.get(IdentityBatch, key)


def add_batch(session: Session, row: IdentityBatch) -> None:
    """Remember a batch's key and answer (a concurrent twin hits the primary key)."""
    session.add(row)
    session.flush()


# ---- event store ---------------------------------------------------------------------------------------------

MASTER_SQL = """SELECT customer_id, phone_enc, email_enc FROM customers {where} ORDER BY customer_id"""
# App user ids seen in behaviour events: a user id that is a customer number, or one an identify call tied to a
# customer number in its traits. Only the app's own channels count (transactions arrive with channel `server`).
EVENTS_SQL = """
WITH seen AS (
    SELECT user_id, type, properties, ts FROM events
    WHERE received_at > make_timestamp($since::BIGINT) AND user_id IS NOT NULL AND channel IN ('app', 'h5')
), linked AS (
    SELECT s.user_id AS customer_id, s.user_id AS app_user, s.ts FROM seen s
    WHERE s.user_id IN (SELECT customer_id FROM customers)
    UNION ALL
    SELECT t.customer_id, t.user_id, t.ts FROM (
        SELECT coalesce(json_extract_string(properties, '$.customer_no'),
                        json_extract_string(properties, '$.customerNo'),
                        json_extract_string(properties, '$.cust_no')) AS customer_id, user_id, ts
        FROM seen WHERE type = 'identify') t
    WHERE t.customer_id IS NOT NULL AND t.customer_id <> t.user_id
      AND t.customer_id IN (SELECT customer_id FROM customers)
)
SELECT customer_id, app_user, min(ts) AS first_seen, max(ts) AS last_seen FROM linked
GROUP BY customer_id, app_user ORDER BY customer_id, app_user
"""
WATERMARK_KEY = "identities.events_received_us"


def master_rows(store: EventStore, customer_ids: Sequence[str] | None) -> list[tuple[str, str | None, str | None]]:
    """(customer, phone ciphertext, e-mail ciphertext) of current customers (some, or all)."""
    if customer_ids is None:
        with store.read() as cur:
            return [tuple(r) for r in cur.execute(MASTER_SQL.format(where="")).fetchall()]  # type: ignore[misc]
    with store.read() as cur:
        cur.register("identity_ids", pa.table({"customer_id": pa.array(list(customer_ids), pa.string())}))
        try:
            rows = cur.execute(MASTER_SQL.format(
                where="WHERE customer_id IN (SELECT customer_id FROM identity_ids)")).fetchall()
        finally:
            cur.unregister("identity_ids")
    return [tuple(r) for r in rows]  # type: ignore[misc]


def event_links(store: EventStore, since_us: int) -> tuple[list[tuple[str, str, datetime, datetime]], int]:
    """App user ids seen with a customer since a received-at watermark, and the new watermark."""
    with store.read() as cur:
        top = cur.execute("SELECT epoch_us(max(received_at)) FROM events").fetchone()
        upto = int(top[0]) if top and top[0] is not None else since_us
        rows = cur.execute(EVENTS_SQL, {"since": since_us}).fetchall()
    return [tuple(r) for r in rows], upto  # type: ignore[misc]


def watermark(store: EventStore) -> int:
    """The received-at (µs) up to which events were merged."""
    value = store.scalar("SELECT value FROM store_meta WHERE key = ?", [WATERMARK_KEY])
    return int(value) if value else 0


def set_watermark(store: EventStore, upto: int) -> None:
    """Remember how far events were merged."""
    with store.write() as cur:
        cur.execute("INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [WATERMARK_KEY, str(upto)])

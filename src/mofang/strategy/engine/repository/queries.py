"""Row-level queries: bulk inserts that ignore duplicates, claims with locks or leases, bulk updates."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, DateTime, Select, Table, Text, bindparam, func, select, text, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mofang.strategy.engine.repository.models import EngineCommand, EngineCount, EngineInstance

INSTANCES: Table = EngineInstance.__table__  # type: ignore[assignment]
COMMANDS: Table = EngineCommand.__table__  # type: ignore[assignment]
COUNTS: Table = EngineCount.__table__  # type: ignore[assignment]
# Ids per IN (...) list: well below SQLite's bound-variable limit.
CHUNK = 1000
# The statuses of unfinished instances, named rather than `!= "done"`: an equality range on the (status, wake_at)
# index, where `!=` scans every instance (finished ones too) on each timer tick.
LIVE = ("active", "waiting")
# An IN list bound at execution ({"ids": [...]}): compiled once and cached, where a literal list is coerced and
# compiled again value by value on every batch.
_LIST = bindparam("ids", expanding=True)


def is_postgres(session: Session) -> bool:
    """Whether the metadata database is PostgreSQL (row locks, SKIP LOCKED) rather than SQLite."""
    return session.get_bind().dialect.name == "postgresql"


def begin_write(session: Session) -> None:
    """Open the transaction as a writer at once on SQLite.

    A deferred SQLite transaction that reads and then writes fails with "database is locked" when another
    writer committed in between; taking the write lock first makes the engine's read-modify-write safe
    (PostgreSQL locks the rows it reads instead).
    """
    if not is_postgres(session):
        conn = session.connection()
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _insert(session: Session, table: Table) -> Any:
    return (postgresql.insert if is_postgres(session) else sqlite.insert)(table)


@lru_cache(maxsize=4096)
def _sqlite_datetime(value: datetime) -> str:
    """SQLAlchemy's SQLite storage format, so that comparisons with its own binds stay right (a batch shares `now`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _plain(value: Any) -> Any:
    """What JSON stores for the few non-JSON values a context may hold (dates as ISO text, sets as lists)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


class Encoded(str):
    """A JSON column's value already encoded as text (written as it is)."""

    __slots__ = ()


def encode_json(value: Any) -> str:
    """JSON text of a value (orjson; the standard encoder for what orjson refuses, e.g. a huge int)."""
    try:
        return orjson.dumps(value, default=_plain).decode()
    except TypeError:
        return _dumps(value)


def _decoded(value: Any) -> Any:
    return orjson.loads(value.encode()) if type(value) is Encoded else value  # orjson refuses str subclasses


def _text(value: Any) -> str:
    return value if type(value) is Encoded else encode_json(value)


def _last_datetime() -> Callable[[Any], Any]:
    """A SQLite datetime converter that reuses its last text: a batch's rows share `now` (one object, immutable)."""
    last: list[Any] = [None, None]

    def convert(v: Any) -> Any:
        if v is last[0]:
            return last[1]
        last[0], last[1] = v, None if v is None else _sqlite_datetime(v)
        return last[1]
    return convert


def _converter(session: Session, column: Any) -> Callable[[Any], Any] | None:
    """How a value of this column goes to the driver as SQLAlchemy would send it (JSON text, SQLite datetimes)."""
    pg = is_postgres(session)
    if isinstance(column.type, JSON):
        if pg:
            from psycopg.types.json import Json

            return lambda v: None if v is None else Json(v, dumps=_text)
        return lambda v: None if v is None else _text(v)
    if isinstance(column.type, DateTime) and not pg:
        return _last_datetime()
    if isinstance(column.type, Boolean) and not pg:
        return lambda v: None if v is None else int(v)
    return None  # sent as it is


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]) -> int:
    """Insert rows, skipping those whose `keys` already exist; returns how many were inserted.

    One driver-level executemany: the hot path of stepping writes tens of thousands of rows a second, which
    SQLAlchemy's per-row parameter processing would spend most of its time on.
    """
    if not rows:
        return 0
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    names = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))}) ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO NOTHING")
    res = conn.exec_driver_sql(sql, _driver_values(session, table, names, rows))
    return max(res.rowcount or 0, 0)


def _driver_values(session: Session, table: Table, names: Sequence[str], rows: Iterable[dict[str, Any]],
                   extra: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Each row's `names` as the driver takes them, then its `extra` values as they are."""
    convert = [_converter(session, table.c[n]) for n in names]
    # Only the columns that need it are converted: this loop runs once per value of tens of thousands of rows.
    changed = [(i, c) for i, c in enumerate(convert) if c is not None]
    every = [*names, *extra]
    take = itemgetter(*every) if len(every) > 1 else (lambda r: (r[every[0]],))
    params = []
    for r in rows:
        values = list(take(r))
        for i, c in changed:
            values[i] = c(values[i])
        params.append(tuple(values))
    return params


def allocate_instance_ids(session: Session, n: int) -> list[int]:
    """Ids for `n` new instances (PostgreSQL: from the id sequence; SQLite: past the largest, under its writer lock)."""
    if n == 0:
        return []
    if is_postgres(session):
        return list(session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('engine_instances', 'id')) FROM generate_series(1, :n)"),
            {"n": n}))
    top = session.scalar(select(func.max(INSTANCES.c.id))) or 0
    return list(range(top + 1, top + 1 + n))


def insert_new_instances(session: Session, rows: Sequence[dict[str, Any]]) -> set[int]:
    """Insert instances with their ids, skipping entries that already exist; returns the ids inserted."""
    if not rows:
        return set()
    if is_postgres(session):  # another worker may have made the same entry since it was checked
        stmt = (postgresql.insert(INSTANCES)
                .on_conflict_do_nothing(index_elements=["strategy_id", "customer_id", "entry_key"])
                .returning(INSTANCES.c.id))
        plain = [{**r, "context": _decoded(r["context"])} for r in rows]  # SQLAlchemy encodes JSON itself
        return {int(r[0]) for r in session.connection().execute(stmt, plain)}
    # SQLite: the writer lock has been held since the entries were checked, so none can have appeared.
    if insert_ignore(session, INSTANCES, rows, keys=["strategy_id", "customer_id", "entry_key"]) == len(rows):
        return {int(r["id"]) for r in rows}  # every row went in: no need to read them back
    ids = [r["id"] for r in rows]
    return {int(i) for start in range(0, len(ids), CHUNK)
            for i in session.scalars(select(INSTANCES.c.id).where(INSTANCES.c.id.in_(ids[start:start + CHUNK])))}


# A count's key without its slot: (strategy_id, version, node, metric, label, org_code, rm_id).
CountKey = tuple[int, int, str, str, str, str, str]


def add_counts(session: Session, counts: Mapping[CountKey, int], *, slot: int) -> None:
    """Add to the step counters: one upsert per key (in key order, so PostgreSQL workers lock them alike)."""
    if not counts:
        return
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = ("INSERT INTO engine_counts (strategy_id, version, node, metric, label, org_code, rm_id, slot, n) "
           f"VALUES ({', '.join([mark] * 9)}) ON CONFLICT (strategy_id, version, node, metric, label, org_code, "
           "rm_id, slot) DO UPDATE SET n = engine_counts.n + excluded.n")
    conn.exec_driver_sql(sql, [(*k, slot, n) for k, n in sorted(counts.items())])


def trail_of(text: str | None) -> list[list[Any]]:
    """An instance's stored trail as `[seq, node, metric, label, at]` entries, oldest first."""
    return orjson.loads("[" + text[1:] + "]") if text else []


_UPDATABLE = ("node", "status", "wake_at", "waiting_for", "seq", "exit_reason", "variant", "holdout",
              "converted_at", "context", "lease_owner", "lease_until", "updated_at")


class LostUpdate(RuntimeError):
    """An instance changed under a step taken from its earlier state (the transaction is rolled back)."""


def update_instances(session: Session, rows: Sequence[dict[str, Any]], was: Sequence[int]) -> None:
    """Save stepped instances, appending their steps to the trail (one driver-level executemany UPDATE by id).

    `was`: each row's `seq` before the step. The rows are locked, so it always matches; were a step ever taken
    twice from one state, its counts would count twice, so a mismatch fails the whole transaction instead.
    """
    if not rows:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"UPDATE engine_instances SET {', '.join(f'{quote(n)} = {mark}' for n in _UPDATABLE)}, "
           f"trail = trail || {mark} WHERE id = {mark} AND seq = {mark}")
    res = conn.exec_driver_sql(sql, [(*v, w) for v, w in zip(
        _driver_values(session, INSTANCES, _UPDATABLE, rows, extra=("trail", "id")), was, strict=True)])
    if res.rowcount is not None and 0 <= res.rowcount != len(rows):
        raise LostUpdate(f"{len(rows) - res.rowcount} of {len(rows)} instances changed while being stepped")


def update_instances_alike(session: Session, row: dict[str, Any], ids: Sequence[int], was: int, *, old: str) -> None:
    """Save cohort members stepped alike: one UPDATE … WHERE id IN per chunk, each row's keys renamed in SQL.

    `row` is the representative's new row; in each member's, strings of the context and the waited-for key that
    start with `old` ("<representative id>:") start with the member's id instead, as `cohort.rename_json` does.
    `was`: their common seq before the step; a row that no longer has it fails the transaction (see above).
    """
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    own = "CAST(id AS TEXT)"
    [values] = _driver_values(session, INSTANCES, _UPDATABLE, [row])
    sets, params = [], []
    for name, value in zip(_UPDATABLE, values, strict=True):
        kind, sep, rest = (row["waiting_for"] or "").partition(":")
        if name == "context":
            sets.append(f"context = replace({mark}, {mark}, '\"' || {own} || ':')"
                        + ("::json" if is_postgres(session) else ""))
            params += [_text(row["context"]), '"' + old]
        elif name == "waiting_for" and rest.startswith(old):
            sets.append(f"waiting_for = {mark} || {own} || {mark}")
            params += [kind + sep, rest[len(old):]]
        else:
            sets.append(f"{quote(name)} = {mark}")
            params.append(value)
    sql = f"UPDATE engine_instances SET {', '.join(sets)}, trail = trail || {mark} WHERE id IN"
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        res = conn.exec_driver_sql(f"{sql} ({', '.join([mark] * len(part))}) AND seq = {mark}",
                                   (*params, row["trail"], *part, was))
        if res.rowcount is not None and 0 <= res.rowcount != len(part):
            raise LostUpdate(f"{len(part) - res.rowcount} of {len(part)} instances changed while being stepped")


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, columns: Sequence[str],
                by: str) -> None:
    """Set `columns` of each row found by its unique `by` value: one driver-level executemany, like `insert_ignore`."""
    if not rows:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(n)} = {mark}' for n in columns)} "
           f"WHERE {quote(by)} = {mark}")
    conn.exec_driver_sql(sql, _driver_values(session, table, columns, rows, extra=(by,)))


def _loads(value: Any) -> Any:
    """A JSON column's stored text as Python (orjson, or the standard parser for what orjson refuses, e.g. NaN)."""
    if not isinstance(value, str | bytes):
        return value  # PostgreSQL's driver hands json columns over already decoded
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return json.loads(value)


@lru_cache(maxsize=16)
def _row_shape(table: Table, sqlite_times: bool = False) -> tuple[Any, list[Any], tuple[int, ...], tuple[int, ...]]:
    """A table's row class, its columns with JSON (and SQLite times) read as text, and the positions of those."""
    cols = list(table.c)
    as_text = (JSON, DateTime) if sqlite_times else (JSON,)
    raw = [type_coerce(c, Text).label(c.name) if isinstance(c.type, as_text) else c for c in cols]
    return (namedtuple(f"{table.name}_row", [c.name for c in cols]), raw,  # type: ignore[misc]
            tuple(i for i, c in enumerate(cols) if isinstance(c.type, JSON)),
            tuple(i for i, c in enumerate(cols) if sqlite_times and isinstance(c.type, DateTime)))


@lru_cache(maxsize=4096)
def _sqlite_time(text: str) -> datetime:
    """A time as SQLite stores it (naive UTC, as SQLAlchemy reads it back); a batch shares a few distinct values."""
    return datetime.fromisoformat(text)


def select_rows(table: Table, session: Session | None = None) -> Select[Any]:
    """SELECT every column of an engine table, its JSON columns (and SQLite times) as text (see `fetch_rows`)."""
    return select(*_row_shape(table, session is not None and not is_postgres(session))[1])


def fetch_rows(session: Session, table: Table, stmt: Select[Any], params: dict[str, Any] | None = None,
               enough: Callable[[Any], bool] | None = None) -> list[Any]:
    """Rows of `select_rows(table, session)…` with attribute access, JSON decoded by orjson, times parsed.

    `enough(row)`, asked after each row: True stops reading there.

    The engine reads a whole batch of instances or commands at once; SQLAlchemy's JSON processing (the standard
    parser) was a tenth of the dispatcher's time, and its SQLite time parsing (a regex per value) the next cost.
    """
    shape, _, json_at, times_at = _row_shape(table, not is_postgres(session))
    out = []
    result = session.execute(stmt, params)
    for r in (result if enough is not None else result.fetchall()):
        values = list(r)
        for i in json_at:
            values[i] = None if values[i] is None else _loads(values[i])
        for i in times_at:
            if values[i] is not None:
                values[i] = _sqlite_time(values[i])
        out.append(shape._make(values))
        if enough is not None and enough(out[-1]):
            result.close()  # the rest are neither read nor decoded
            break
    return out


def lock_instances(session: Session, ids: Iterable[int]) -> list[Any]:
    """Rows of these instances, locked until commit (PostgreSQL: FOR UPDATE in id order, so no deadlock)."""
    wanted = sorted(set(ids))
    out: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        stmt = select_rows(INSTANCES, session).where(INSTANCES.c.id.in_(_LIST)).order_by(INSTANCES.c.id)
        if is_postgres(session):
            stmt = stmt.with_for_update()
        out.extend(fetch_rows(session, INSTANCES, stmt, {"ids": wanted[start:start + CHUNK]}))
    return out


def lock_instances_where(session: Session, *where: Any) -> list[Any]:
    """Rows of the instances matching `where`, locked until commit (PostgreSQL: FOR UPDATE in id order)."""
    stmt = select_rows(INSTANCES, session).where(*where).order_by(INSTANCES.c.id)
    if is_postgres(session):
        stmt = stmt.with_for_update()
    return fetch_rows(session, INSTANCES, stmt)


def any_due(session: Session, *, now: datetime) -> bool:
    """Whether some instance's wake time has come (a read, so an idle loop never takes SQLite's writer lock)."""
    return session.execute(select(INSTANCES.c.id).where(
        INSTANCES.c.status.in_(LIVE), INSTANCES.c.wake_at.is_not(None), INSTANCES.c.wake_at <= now).limit(1)
    ).first() is not None


def any_pending(session: Session, *, now: datetime) -> bool:
    """Whether some command is due (a read, like `any_due`)."""
    return session.execute(select(COMMANDS.c.id).where(
        COMMANDS.c.status == "pending", COMMANDS.c.next_attempt_at <= now).limit(1)).first() is not None


def claim_due(session: Session, *, now: datetime, limit: int, paused: Sequence[int] = ()) -> list[Any]:
    """Instances whose wake time has come, locked for this transaction (other workers skip them)."""
    stmt = (select_rows(INSTANCES, session)
            .where(INSTANCES.c.status.in_(LIVE), INSTANCES.c.wake_at.is_not(None), INSTANCES.c.wake_at <= now)
            .order_by(INSTANCES.c.wake_at).limit(limit))
    if paused:
        stmt = stmt.where(INSTANCES.c.strategy_id.not_in(list(paused)))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return fetch_rows(session, INSTANCES, stmt)

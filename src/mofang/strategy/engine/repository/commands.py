"""Queries of the command outbox: add, lease due rows, settle them with their results, cancel a strategy's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from mofang.strategy.engine.repository.queries import (
    CHUNK,
    COMMANDS,
    INSTANCES,
    fetch_rows,
    insert_ignore,
    is_postgres,
    select_rows,
    update_rows,
)

_LIST = bindparam("ids", expanding=True)


def insert_commands(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Add commands to the outbox; a key already there (a step replayed after a crash) is not added twice."""
    return insert_ignore(session, COMMANDS, rows, keys=["key"]) if rows else 0


def claim_commands(session: Session, *, now: datetime, limit: int, lease_until: datetime,
                   paused: Sequence[int] = (), size: Callable[[Any], int] | None = None) -> list[Any]:
    """Due pending rows, leased to the caller until `lease_until` (a dead worker's lease runs out).

    `size(row)`: how many commands a row holds (a batch row holds a cohort's); rows are taken until they hold
    `limit`. Commands of paused strategies wait in the outbox until they resume.
    """
    stmt = (select_rows(COMMANDS, session).where(COMMANDS.c.status == "pending", COMMANDS.c.next_attempt_at <= now)
            .order_by(COMMANDS.c.next_attempt_at, COMMANDS.c.id).limit(limit))
    if paused:
        stmt = stmt.where(COMMANDS.c.instance_id.not_in(
            select(INSTANCES.c.id).where(INSTANCES.c.strategy_id.in_(list(paused)))))
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    held = [0]

    def enough(row: Any) -> bool:
        held[0] += size(row) if size is not None else 1
        return held[0] >= limit

    rows = fetch_rows(session, COMMANDS, stmt, enough=enough)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), CHUNK):  # one statement per chunk of the batch, not one per command
        session.execute(update(COMMANDS).where(COMMANDS.c.id.in_(_LIST))
                        .values(next_attempt_at=lease_until, attempts=COMMANDS.c.attempts + 1),
                        {"ids": ids[start:start + CHUNK]})
    return rows


def settle_commands(session: Session, finished: Sequence[tuple[str, str, dict[str, Any]]],
                    retried: Sequence[tuple[str, datetime, dict[str, Any], dict[str, Any] | None]], *,
                    now: datetime) -> set[str]:
    """Settle leased rows that are still pending; returns the keys this call settled.

    `finished`: `(key, status, result)`, done or failed. `retried`: `(key, due, result, payload)`, left pending
    and due again then (a retry with backoff, a send deferred by policy), with a new payload when only some of a
    batch's members are left. The keys still pending are read first (locked on PostgreSQL; SQLite's writer lock
    is already held), so a row another worker settled meanwhile is neither settled again nor fed back twice.
    """
    keys = [k for k, *_ in finished] + [k for k, *_ in retried]
    pending: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        # The status is checked here, not in SQL: with `status = 'pending'` beside the IN list, SQLite walks the
        # (status, next_attempt_at) index over EVERY pending command instead of the key's unique index — a scan
        # per batch that made a 100,000-customer entry quadratic.
        stmt = select(COMMANDS.c.key, COMMANDS.c.status).where(COMMANDS.c.key.in_(_LIST))
        if is_postgres(session):
            stmt = stmt.with_for_update()
        pending.update(k for k, status in session.execute(stmt, {"ids": keys[start:start + CHUNK]})
                       if status == "pending")
    todo = [{"key": k, "status": st, "result": r, "done_at": now} for k, st, r in finished if k in pending]
    update_rows(session, COMMANDS, todo, columns=("status", "result", "done_at"), by="key")
    for key, at, result, payload in retried:
        if key in pending:
            values: dict[str, Any] = {"next_attempt_at": at, "result": result}
            if payload is not None:
                values["payload"] = payload
            session.execute(update(COMMANDS).where(COMMANDS.c.key == key).values(**values))
    return {t["key"] for t in todo} | {k for k, *_ in retried if k in pending}


def cancel_commands(session: Session, *, strategy_id: int, result: dict[str, Any], now: datetime) -> None:
    """Fail every pending command of a strategy's instances (a batch row is the strategy's by its first member)."""
    session.execute(update(COMMANDS).where(
        COMMANDS.c.status == "pending",
        COMMANDS.c.instance_id.in_(select(INSTANCES.c.id).where(INSTANCES.c.strategy_id == strategy_id)))
        .values(status="failed", result=result, done_at=now))

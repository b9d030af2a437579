"""Queries of the contact policy: releases on a Core connection, the console's lists on a session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlglot
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.models import as_utc
from mofang.platform.storage.sql import Params, and_, col, compile_query
from mofang.strategy.contact_policy.models import (
    DoNotContact,
    OptOut,
    PolicyDecisionRow,
    PolicyRule,
    PolicySettings,
    PolicySuppression,
)

D = PolicyDecisionRow.__table__
CONSENT_CHANNELS = ("sms", "push", "inbox", "wechat", "email", "call")  # customers.consent_<channel>


# --- releases (Core; the check itself runs in hotpath.py) ------------------------------------------------------


def release(conn: Connection, key: str, at: datetime) -> tuple[str, str, str, str, datetime] | None:
    """Mark an allowed contact as not counted; its (customer, channel, purpose, line, at), or None."""
    row = conn.execute(select(D.c.customer_id, D.c.channel, D.c.purpose, D.c.business_line, D.c.at).where(
        D.c.key == key, D.c.verdict == "allow", D.c.released_at.is_(None))).first()
    if row is None:
        return None
    conn.execute(update(D).where(D.c.key == key).values(released_at=at))
    return row[0], row[1], row[2], row[3], as_utc(row[4])


# --- console (ORM session) ------------------------------------------------------------------------------------


def settings_row(session: Session) -> PolicySettings:
    """The settings row (created by the migration)."""
    row = session.get(PolicySettings, 1)
    assert row is not None, "migration 0018 seeds the settings row"
    return row


def bump(session: Session) -> None:
    """Tell every process's cache that rules or settings changed."""
    session.execute(update(PolicySettings).where(PolicySettings.id == 1)
                    .values(version=PolicySettings.version + 1))


def rules(session: Session) -> list[PolicyRule]:
    """Every rule, oldest first."""
    return list(session.scalars(select(PolicyRule).order_by(PolicyRule.id)))


def rule(session: Session, rule_id: int) -> PolicyRule | None:
    """One rule."""
    return session.get(PolicyRule, rule_id)


def dnc(session: Session, customer_id: str) -> DoNotContact | None:
    """A do-not-contact entry."""
    return session.get(DoNotContact, customer_id)


def delete_dnc(session: Session, customer_id: str) -> None:
    """Remove a do-not-contact entry."""
    session.execute(delete(DoNotContact).where(DoNotContact.customer_id == customer_id))


def opt_out(session: Session, customer_id: str, channel: str, purpose: str) -> OptOut | None:
    """An opt-out of one channel and purpose."""
    return session.scalars(select(OptOut).where(OptOut.customer_id == customer_id, OptOut.channel == channel,
                                                OptOut.purpose == purpose)).first()


def dnc_chunk(session: Session, *, before: datetime | None, customer_id: str | None, size: int
              ) -> list[DoNotContact]:
    """Do-not-contact entries newest first, older than `before`."""
    q = select(DoNotContact).order_by(DoNotContact.added_at.desc(), DoNotContact.customer_id).limit(size)
    if customer_id:
        q = q.where(DoNotContact.customer_id == customer_id)
    if before is not None:
        q = q.where(DoNotContact.added_at < before)
    return list(session.scalars(q))


def opt_out_chunk(session: Session, *, before_id: int | None, customer_id: str | None, size: int) -> list[OptOut]:
    """Opt-outs newest first, with ids below `before_id`."""
    q = select(OptOut).order_by(OptOut.id.desc()).limit(size)
    if customer_id:
        q = q.where(OptOut.customer_id == customer_id)
    if before_id is not None:
        q = q.where(OptOut.id < before_id)
    return list(session.scalars(q))


def suppression_chunk(session: Session, *, before_id: int | None, customer_id: str | None, strategy_id: int | None,
                      size: int) -> list[PolicySuppression]:
    """Suppressions and deferrals newest first, with ids below `before_id`."""
    q = select(PolicySuppression).order_by(PolicySuppression.id.desc()).limit(size)
    if customer_id:
        q = q.where(PolicySuppression.customer_id == customer_id)
    if strategy_id is not None:
        q = q.where(PolicySuppression.strategy_id == strategy_id)
    if before_id is not None:
        q = q.where(PolicySuppression.id < before_id)
    return list(session.scalars(q))


# --- customers (event store), for data scope and masked names -------------------------------------------------


def _rows(store: EventStore, query: exp.Expression, params: Params) -> list[tuple[Any, ...]]:
    sql, values = compile_query(query, params)
    with store.read() as cur:
        return cur.execute(sql, values).fetchall()


def customers_in_scope(store: EventStore, *, scope: Scope, ids: Sequence[str]) -> dict[str, str | None]:
    """customer id → name of those ids that exist and lie inside the scope."""
    if not ids:
        return {}
    params = Params()
    where = and_(exp.In(this=col("customer_id"), expressions=[params(i) for i in ids]), scope.predicate(params))
    query = sqlglot.select(col("customer_id"), col("name")).from_("customers").where(where)
    return {r[0]: r[1] for r in _rows(store, query, params)}


def customer_consents(store: EventStore, *, scope: Scope, customer_id: str) -> dict[str, bool] | None:
    """The consent flags of one customer in scope (None: absent or out of scope)."""
    params = Params()
    query = sqlglot.select(*(col(f"consent_{c}") for c in CONSENT_CHANNELS)).from_("customers").where(and_(
        exp.EQ(this=col("customer_id"), expression=params(customer_id)), scope.predicate(params)))
    rows = _rows(store, query, params)
    if not rows:
        return None
    return {c: bool(v) for c, v in zip(CONSENT_CHANNELS, rows[0], strict=True)}


def purge(session: Session, *, decisions_before: datetime, suppressions_before: datetime) -> tuple[int, int]:
    """Delete decisions (and suppression records) older than the given instants; how many of each."""
    d = session.execute(delete(PolicyDecisionRow).where(PolicyDecisionRow.at < decisions_before))
    s = session.execute(delete(PolicySuppression).where(PolicySuppression.at < suppressions_before))
    return d.rowcount or 0, s.rowcount or 0  # type: ignore[attr-defined]

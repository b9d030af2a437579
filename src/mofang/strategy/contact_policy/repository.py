"""Queries of the contact policy: the hot path on a Core connection, the console's lists on a session."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlglot
from sqlalchemy import JSON, Boolean, Connection, DateTime, Integer, String, bindparam, delete, select, text, update
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.models import as_utc
from mofang.platform.storage.sql import Params, and_, col, compile_query
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision
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


# --- hot path (Core, one connection per check) ----------------------------------------------------------------
# Statements are built once: building SQLAlchemy expressions per call cost more than running them on SQLite.

_TS = DateTime(timezone=True)
_RULES = text("SELECT id, name, definition FROM policy_rules WHERE enabled = :on ORDER BY id").bindparams(
    bindparam("on", type_=Boolean())).columns(id=Integer(), name=String(), definition=JSON())
# Reads run on the raw driver cursor (`:name` placeholders, rewritten for psycopg): a SQLAlchemy result object
# costs more than the SQLite query behind it, and these run on every send.
_SETTINGS = "SELECT version, control_percent, control_salt FROM policy_settings WHERE id = 1"
_DECISION = 'SELECT verdict, reason, until, rule_id, customer_id FROM policy_decisions WHERE "key" = :key'
_GATES = ("SELECT 'dnc', '', '' FROM policy_dnc WHERE customer_id = :c "
          "UNION ALL SELECT 'opt', channel, purpose FROM policy_opt_outs WHERE customer_id = :c")
_CONTACTS = ("SELECT at, channel, purpose, business_line FROM policy_decisions WHERE customer_id = :c "
             "AND at >= :since AND verdict = 'allow' AND released_at IS NULL")
_PYFORMAT: dict[str, str] = {}


def _raw(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """Rows of a read on the connection's driver cursor, in the connection's transaction."""
    if conn.dialect.paramstyle == "pyformat":
        sql = _PYFORMAT.get(sql) or _PYFORMAT.setdefault(sql, re.sub(r":(\w+)", r"%(\1)s", sql))
    cur = conn.connection.cursor()
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _ts_param(conn: Connection, at: datetime) -> Any:
    """An instant as the driver compares it with stored values (SQLite: SQLAlchemy's text form, in UTC)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if conn.dialect.name == "sqlite" else at


def _ts_value(value: Any) -> datetime | None:
    """A stored instant read back by the driver, as an aware UTC datetime."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


_FIELDS = ("customer_id", "channel", "purpose", "business_line", "priority", "strategy_id", "campaign_id",
           "verdict", "reason", "rule_id", "until", "at")
_INSERT = text(f"INSERT INTO policy_decisions (\"key\", {', '.join(_FIELDS)}) "
               f"VALUES (:key, {', '.join(':' + f for f in _FIELDS)})").bindparams(
    bindparam("until", type_=_TS), bindparam("at", type_=_TS))
_REPLACE = text(f"UPDATE policy_decisions SET {', '.join(f'{f} = :{f}' for f in _FIELDS)} WHERE \"key\" = :key"
                ).bindparams(bindparam("until", type_=_TS), bindparam("at", type_=_TS))
_SUPPRESS = text("INSERT INTO policy_suppressions (\"key\", customer_id, channel, purpose, strategy_id, campaign_id, "
                 "verdict, reason, rule_id, until, at) VALUES (:key, :customer_id, :channel, :purpose, :strategy_id, "
                 ":campaign_id, :verdict, :reason, :rule_id, :until, :at)").bindparams(
    bindparam("until", type_=_TS), bindparam("at", type_=_TS))


def settings(conn: Connection) -> tuple[int, float, str]:
    """(version, control percent, control salt)."""
    row = _raw(conn, _SETTINGS, {})[0]
    return int(row[0]), float(row[1]), str(row[2])


def enabled_rules(conn: Connection) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, name, definition) of the enabled rules, oldest first."""
    return [(int(r[0]), str(r[1]), dict(r[2])) for r in conn.execute(_RULES, {"on": True})]


def decision(conn: Connection, key: str) -> tuple[PolicyDecision, str] | None:
    """The decision stored for a send key and the customer it was for."""
    rows = _raw(conn, _DECISION, {"key": key})
    if not rows:
        return None
    row = rows[0]
    return PolicyDecision(row[0], row[1], _ts_value(row[2]), row[3]), row[4]


def gate_rows(conn: Connection, customer_id: str) -> tuple[bool, frozenset[tuple[str, str]]]:
    """Whether the customer is on the do-not-contact list, and their opt-outs (channel, purpose)."""
    rows = _raw(conn, _GATES, {"c": customer_id})
    return any(r[0] == "dnc" for r in rows), frozenset((r[1], r[2]) for r in rows if r[0] == "opt")


def contacts(conn: Connection, customer_id: str, since: datetime) -> list[tuple[datetime, str, str, str]]:
    """The customer's counted contacts since an instant: (at, channel, purpose, business line)."""
    rows = _raw(conn, _CONTACTS, {"c": customer_id, "since": _ts_param(conn, since)})
    return [(_ts_value(r[0]), r[1], r[2], r[3]) for r in rows]  # type: ignore[misc]


def save_decision(conn: Connection, request: ContactRequest, d: PolicyDecision, at: datetime, *,
                  replace: bool) -> None:
    """Store the decision of a key (replacing a deferral that has come due), and a refusal's record."""
    values = {"key": request.key, "customer_id": request.customer_id, "channel": request.channel,
              "purpose": request.purpose, "business_line": request.business_line, "priority": request.priority,
              "strategy_id": request.strategy_id, "campaign_id": request.campaign_id, "verdict": d.verdict,
              "reason": d.reason, "rule_id": d.rule_id, "until": d.until, "at": at}
    conn.execute(_REPLACE if replace else _INSERT, values)
    if d.verdict != "allow":
        conn.execute(_SUPPRESS, {**values, "reason": d.reason or ""})


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

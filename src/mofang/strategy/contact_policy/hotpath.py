"""The check's statements, run on a pooled driver connection (SQLite by default, psycopg in scale-out).

A check runs a few indexed statements; on SQLite, SQLAlchemy's execution and result machinery around each one
cost more than the statement itself, so the hot path talks to the driver cursor with prepared SQL text and
bound parameters only (`:name` placeholders, rewritten once for psycopg's `%(name)s`).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from mofang.platform.storage.models import as_utc
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision


class Raw:
    """A driver connection with its dialect's placeholder style and integrity error."""

    __slots__ = ("conn", "integrity_error", "postgres", "pyformat", "sqlite")

    def __init__(self, conn: Any, dialect: Any) -> None:
        self.conn = conn
        self.pyformat = dialect.paramstyle == "pyformat"
        self.sqlite = dialect.name == "sqlite"
        self.postgres = dialect.name == "postgresql"
        self.integrity_error: type[Exception] = dialect.loaded_dbapi.IntegrityError

    @classmethod
    def of(cls, conn: Connection) -> Raw:
        """The driver connection under a SQLAlchemy connection, in that connection's transaction."""
        return cls(conn.connection, conn.dialect)

    def _sql(self, sql: str) -> str:
        if not self.pyformat:
            return sql
        return _PYFORMAT.get(sql) or _PYFORMAT.setdefault(sql, re.sub(r":(\w+)", r"%(\1)s", sql))

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """Rows of a read."""
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def run(self, sql: str, params: dict[str, Any]) -> None:
        """Run a write (committed by the caller)."""
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), params)
        finally:
            cur.close()

    def ts(self, at: datetime | None) -> Any:
        """An instant as the driver compares and stores it (SQLite: SQLAlchemy's text form of the UTC time)."""
        if at is None or not self.sqlite:
            return at
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def connect(engine: Engine) -> Iterator[Raw]:
    """A pooled driver connection for one check (rolled back on return unless committed)."""
    conn = engine.raw_connection()
    try:
        yield Raw(conn, engine.dialect)
    finally:
        conn.close()


_PYFORMAT: dict[str, str] = {}


def hold_customer(db: Raw, customer_id: str) -> None:
    """Begin the check's transaction holding the customer against every other process until commit or rollback.

    SQLite: BEGIN IMMEDIATE takes the database's one write lock before anything is read, so no other process can
    commit a contact between this check's read of the log and its insert. PostgreSQL: a transaction-scoped
    advisory lock on the customer (a hash: a collision only makes two customers wait for each other).
    """
    if db.sqlite:
        db.run("BEGIN IMMEDIATE", {})
    elif db.postgres:
        db.rows("SELECT pg_advisory_xact_lock(:k)", {"k": zlib.crc32(customer_id.encode())})


def hold_customers(db: Raw, customer_ids: Sequence[str]) -> None:
    """`hold_customer` for many customers in one transaction (PostgreSQL: their locks taken in one order)."""
    if not db.postgres:
        hold_customer(db, customer_ids[0])  # SQLite's one write lock holds every customer
        return
    for key in sorted({zlib.crc32(c.encode()) for c in customer_ids}):
        db.rows("SELECT pg_advisory_xact_lock(:k)", {"k": key})


def _ts_value(value: Any) -> datetime | None:
    """A stored instant read back by the driver, as an aware UTC datetime."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


# One read answers everything a check needs before the caps: the settings (their version tells whether the
# cached rules are current), the key's stored decision, the do-not-contact entry and the opt-out of this send.
_START = ("SELECT s.version, s.control_percent, s.control_salt, "
          "d.verdict, d.reason, d.until, d.rule_id, d.customer_id, "
          "EXISTS (SELECT 1 FROM policy_dnc WHERE customer_id = :c), "
          "EXISTS (SELECT 1 FROM policy_opt_outs WHERE customer_id = :c AND channel = :ch AND purpose = :p) "
          'FROM policy_settings s LEFT JOIN policy_decisions d ON d."key" = :key WHERE s.id = 1')
_SETTINGS = "SELECT version, control_percent, control_salt FROM policy_settings WHERE id = 1"
_RULES = "SELECT id, name, definition FROM policy_rules WHERE enabled = :on ORDER BY id"
_DECISION = 'SELECT verdict, reason, until, rule_id, customer_id FROM policy_decisions WHERE "key" = :key'
_GATES = ("SELECT 'dnc', '', '' FROM policy_dnc WHERE customer_id = :c "
          "UNION ALL SELECT 'opt', channel, purpose FROM policy_opt_outs WHERE customer_id = :c")
_CONTACTS = ("SELECT at, channel, purpose, business_line FROM policy_decisions WHERE customer_id = :c "
             "AND at >= :since AND verdict = 'allow' AND released_at IS NULL")
_FIELDS = ("customer_id", "channel", "purpose", "business_line", "priority", "strategy_id", "campaign_id",
           "verdict", "reason", "rule_id", "until", "at")
_INSERT = (f"INSERT INTO policy_decisions (\"key\", {', '.join(_FIELDS)}) "
           f"VALUES (:key, {', '.join(':' + f for f in _FIELDS)})")
_REPLACE = f"UPDATE policy_decisions SET {', '.join(f'{f} = :{f}' for f in _FIELDS)} WHERE \"key\" = :key"
_SUPPRESS = ("INSERT INTO policy_suppressions (\"key\", customer_id, channel, purpose, strategy_id, campaign_id, "
             "verdict, reason, rule_id, until, at) VALUES (:key, :customer_id, :channel, :purpose, :strategy_id, "
             ":campaign_id, :verdict, :reason, :rule_id, :until, :at)")


class Start:
    """What one read tells a check: settings version, control group, the stored decision, the gates."""

    __slots__ = ("do_not_contact", "opted_out", "percent", "salt", "stored", "version")

    def __init__(self, row: Any) -> None:
        self.version, self.percent, self.salt = int(row[0]), float(row[1]), str(row[2])
        self.stored = None if row[3] is None else PolicyDecision(row[3], row[4], _ts_value(row[5]), row[6])
        self.do_not_contact, self.opted_out = bool(row[8]), bool(row[9])


def start(db: Raw, request: ContactRequest) -> Start:
    """The settings, the key's stored decision and the gates of this send, in one statement."""
    return Start(db.rows(_START, {"key": request.key, "c": request.customer_id, "ch": request.channel,
                                  "p": request.purpose})[0])


def settings(db: Raw) -> tuple[int, float, str]:
    """(version, control percent, control salt)."""
    row = db.rows(_SETTINGS, {})[0]
    return int(row[0]), float(row[1]), str(row[2])


def enabled_rules(db: Raw) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, name, definition) of the enabled rules, oldest first (SQLite hands JSON back as text)."""
    return [(int(r[0]), str(r[1]), json.loads(r[2]) if isinstance(r[2], str | bytes) else dict(r[2]))
            for r in db.rows(_RULES, {"on": True})]


def decision(db: Raw, key: str) -> tuple[PolicyDecision, str] | None:
    """The decision stored for a send key and the customer it was for."""
    rows = db.rows(_DECISION, {"key": key})
    if not rows:
        return None
    row = rows[0]
    return PolicyDecision(row[0], row[1], _ts_value(row[2]), row[3]), row[4]


def gate_rows(db: Raw, customer_id: str) -> tuple[bool, frozenset[tuple[str, str]]]:
    """Whether the customer is on the do-not-contact list, and their opt-outs (channel, purpose)."""
    rows = db.rows(_GATES, {"c": customer_id})
    return any(r[0] == "dnc" for r in rows), frozenset((r[1], r[2]) for r in rows if r[0] == "opt")


def contacts(db: Raw, customer_id: str, since: datetime) -> list[tuple[datetime, str, str, str]]:
    """The customer's counted contacts since an instant: (at, channel, purpose, business line)."""
    rows = db.rows(_CONTACTS, {"c": customer_id, "since": db.ts(since)})
    return [(_ts_value(r[0]), r[1], r[2], r[3]) for r in rows]  # type: ignore[misc]


def save_decision(db: Raw, request: ContactRequest, d: PolicyDecision, at: datetime, *, replace: bool) -> None:
    """Store the decision of a key (replacing a deferral that has come due), and a refusal's record."""
    values = {"key": request.key, "customer_id": request.customer_id, "channel": request.channel,
              "purpose": request.purpose, "business_line": request.business_line, "priority": request.priority,
              "strategy_id": request.strategy_id, "campaign_id": request.campaign_id, "verdict": d.verdict,
              "reason": d.reason, "rule_id": d.rule_id, "until": db.ts(d.until), "at": db.ts(at)}
    db.run(_REPLACE if replace else _INSERT, values)
    if d.verdict != "allow":
        db.run(_SUPPRESS, {**values, "reason": d.reason or ""})

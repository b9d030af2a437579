"""Event store: events, customers and holding/AUM facts in DuckDB, one writer inside the process.

Readers take their own cursor (DuckDB MVCC gives them a consistent snapshot); every write goes
through `EventStore.write()`, which serialises writers with a lock because DuckDB allows one
writing process and conflicting concurrent transactions would abort.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

SCHEMA_VERSION = 1

# Column order matters: bulk loaders (demo generator, importer) build Arrow tables in this order.
DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    # Customers: one row each; PII columns are stored encrypted (*_enc) with a masked copy for display.
    """CREATE TABLE IF NOT EXISTS customers (
        customer_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        gender VARCHAR,               -- 'M' | 'F'
        birth_date DATE,
        province VARCHAR,
        city VARCHAR,
        occupation VARCHAR,
        income_band VARCHAR,
        risk_level VARCHAR,           -- KYC C1..C5
        open_date DATE,
        acquisition_channel VARCHAR,
        org_code VARCHAR NOT NULL,    -- managing branch (leaf org code)
        rm_id VARCHAR,
        tier VARCHAR,                 -- 大众 / 潜力 / 财富 / 私行 by AUM
        aum DOUBLE,                   -- latest AUM in CNY
        consent_sms BOOLEAN, consent_push BOOLEAN, consent_inbox BOOLEAN,
        consent_wechat BOOLEAN, consent_email BOOLEAN, consent_call BOOLEAN,
        phone_enc VARCHAR, phone_masked VARCHAR, phone_last4 VARCHAR,
        id_enc VARCHAR, id_masked VARCHAR,
        email_enc VARCHAR, email_masked VARCHAR,
        updated_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS relationship_managers (
        rm_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, org_code VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS products (
        product_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        product_type VARCHAR NOT NULL,  -- 活期 定期 大额存单 理财 基金 保险 贵金属 消费贷 经营贷 房贷 信用卡
        risk_level VARCHAR,             -- R1..R5
        rate DOUBLE,                    -- deposit rate / expected yield / loan rate, percent per year
        term_days INTEGER,
        is_liability BOOLEAN            -- loans and cards: balances owed by the customer, not AUM
    )""",
    """CREATE TABLE IF NOT EXISTS holdings (
        customer_id VARCHAR NOT NULL,
        product_id VARCHAR NOT NULL,
        balance DOUBLE NOT NULL,
        opened_at DATE,
        PRIMARY KEY (customer_id, product_id)
    )""",
    """CREATE TABLE IF NOT EXISTS aum_daily (
        customer_id VARCHAR NOT NULL, date DATE NOT NULL, aum DOUBLE NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS transactions (
        txn_id VARCHAR NOT NULL,
        customer_id VARCHAR NOT NULL,
        ts TIMESTAMP NOT NULL,
        txn_type VARCHAR NOT NULL,    -- salary transfer_in transfer_out card_spend loan_repayment purchase redemption
        direction VARCHAR NOT NULL,   -- in | out
        amount DOUBLE NOT NULL,
        category VARCHAR,
        channel VARCHAR,
        description VARCHAR
    )""",
    # Events: Segment-shaped. customer_id is the stitched identity (userId, or the userId later
    # linked to the anonymousId); properties/context are JSON text.
    """CREATE TABLE IF NOT EXISTS events (
        message_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL,        -- track identify page screen group alias
        event VARCHAR NOT NULL,       -- event name; page/screen name for page/screen
        customer_id VARCHAR,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        ts TIMESTAMP NOT NULL,        -- client timestamp (UTC)
        received_at TIMESTAMP NOT NULL,
        channel VARCHAR,              -- app h5 wechat branch server
        properties JSON,
        context JSON
    )""",
    """CREATE TABLE IF NOT EXISTS identities (
        anonymous_id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, linked_at TIMESTAMP NOT NULL
    )""",
    # No index on purpose: the ingestor keeps an in-memory index of `h` (tracking/seen.py). A primary key
    # here made every DuckDB checkpoint rewrite an ART over all retained messageIds (GBs at 20M ids).
    """CREATE TABLE IF NOT EXISTS ingest_dedupe (
        h UBIGINT NOT NULL, message_id VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL
    )""",
)
# messageId prefix of the events made from loaded transactions (`txn:<txn_id>`): `transactions` is their dedupe
# record, not `ingest_dedupe` (integration's loads write them, ingestion drops an API event reusing one).
TXN_EVENT_PREFIX = "txn:"
# Stores made before the hash column: the table is rebuilt once, without its primary key.
_DEDUPE_V1 = ("""CREATE TABLE ingest_dedupe_v2 AS
                 SELECT hash(message_id) AS h, message_id, received_at FROM ingest_dedupe""",
              "DROP TABLE ingest_dedupe",
              "ALTER TABLE ingest_dedupe_v2 RENAME TO ingest_dedupe")


def _thread_ids() -> set[int]:
    """Native ids of this process's threads (empty where /proc is not available)."""
    try:
        return {int(t) for t in os.listdir("/proc/self/task")}
    except OSError:
        return set()


def _renice(tid: int, niceness: int) -> None:
    """Raise one thread's nice value (Linux applies setpriority to a single thread); best effort."""
    # Not Linux, or the thread is gone: priorities are an optimisation only.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), niceness))


class EventStore:
    """The process's DuckDB database: one connection, cursors for readers, a lock for writers."""

    def __init__(self, path: Path, *, read_only: bool = False, memory_limit: str | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        before = _thread_ids()
        # The limit is the database instance's (every cursor shares it), so it is set once, when it opens.
        self._conn = duckdb.connect(str(path), read_only=read_only,
                                    config={"memory_limit": memory_limit} if memory_limit else {})
        # DuckDB starts its worker threads on connect; remembered so their CPU priority can be set.
        self._worker_ids = _thread_ids() - before
        self._write_lock = threading.RLock()
        if not read_only:
            self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create tables that do not exist yet."""
        with self.write() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'ingest_dedupe'")
            columns = {name for (name,) in cur.fetchall()}
            if columns and "h" not in columns:
                for stmt in _DEDUPE_V1:
                    cur.execute(stmt)
            for stmt in DDL:
                cur.execute(stmt)
            cur.execute(
                "INSERT INTO store_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION)],
            )

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one reader (thread-safe, consistent snapshot per query)."""
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single writer, inside one transaction: all of it lands or none of it."""
        with self._write_lock:
            cur = self._conn.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read query with bound parameters and return rows as dicts."""
        with self.read() as cur:
            res = cur.execute(sql, params or [])
            cols = [d[0] for d in res.description]
            return [dict(zip(cols, row, strict=True)) for row in res.fetchall()]

    def scalar(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """Run a read query returning one value."""
        with self.read() as cur:
            row = cur.execute(sql, params or []).fetchone()
            return row[0] if row else None

    def checkpoint(self) -> None:
        """Fold DuckDB's WAL into the database file."""
        with self._write_lock:
            self._conn.execute("CHECKPOINT")

    def lower_worker_priority(self, niceness: int) -> None:
        """Run DuckDB's worker threads at a lower CPU priority (Linux; a no-op elsewhere)."""
        if niceness <= 0:
            return
        for tid in self._worker_ids:
            _renice(tid, niceness)

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

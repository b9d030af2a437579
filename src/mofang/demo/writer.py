"""Bulk loading into the event store: plain Arrow columns in, DuckDB builds ids, strings and JSON."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from mofang.demo import catalogue as cat
from mofang.demo.ledger import TXN_CHANNELS, TXN_TYPES, categories, descriptions
from mofang.demo.products import PRODUCTS

# Customer ids are 'C' + eight digits of (index + 1) (the generator refuses banks of 10^8 customers).
_CID = "'C' || lpad(CAST(customer + 1 AS VARCHAR), 8, '0')"
MAX_CUSTOMERS = 99_999_999


def _anon_hash(seed: int, col: str) -> str:
    """SQL for the hash behind a demo session's anonymous id (computed once per row, then formatted)."""
    return f"md5('seed-{seed}-anon-' || {col})"


def _uuid(h: str) -> str:
    """SQL formatting 32 hex digits as a UUID."""
    return (f"substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-' || substr({h}, 13, 4) || '-' || "
            f"substr({h}, 17, 4) || '-' || substr({h}, 21, 12)")


@dataclass(frozen=True)
class Lookups:
    """The string tables the SQL indexes into (bound as list parameters)."""

    props: list[str]
    contexts: list[str]

    @property
    def product_ids(self) -> list[str]:
        """Product ids by index."""
        return [p.product_id for p in PRODUCTS]


def _ts(values: np.ndarray) -> pa.Array:
    """Microseconds since the epoch as an Arrow timestamp (naive, UTC by convention)."""
    return pa.array(values.astype("datetime64[us]"), pa.timestamp("us"))


def insert_events(cur: duckdb.DuckDBPyConnection, ev: dict[str, np.ndarray], *, first_n: int, seed: int,
                  lookups: Lookups) -> int:
    """Append one batch of events; message ids are seed-<seed>-<n> counting from `first_n`."""
    n = ev["event"].size
    table = pa.table({
        "n": np.arange(first_n, first_n + n, dtype=np.int64), "type": ev["type"].astype(np.int8),
        "event": ev["event"].astype(np.int8), "customer": ev["customer"].astype(np.int32),
        "logged": ev["logged"], "anon_session": ev["anon_session"].astype(np.int64), "ts": _ts(ev["ts"]),
        "received": _ts(ev["received"]), "channel": ev["channel"].astype(np.int8),
        "props": ev["props"].astype(np.int32), "product": np.maximum(ev["product"], 0).astype(np.int16),
        "amount": ev["amount"], "context": ev["context"].astype(np.int16),
    })
    cur.register("demo_events", table)
    try:
        # Ids and hashes are computed once in the inner query; JSON lists are cast once, not per row.
        cur.execute(f"""
            INSERT INTO events SELECT
                'seed-{seed}-' || n, $types[type + 1], $names[event + 1], cid,
                CASE WHEN logged THEN cid END,
                CASE WHEN h IS NOT NULL THEN {_uuid('h')} END,
                ts, received, $channels[channel + 1],
                CASE WHEN props >= 0 THEN (CAST($props AS JSON[]))[props + 1]
                     WHEN event = {cat.E_QUOTA} THEN json_object('product_id', $pids[product + 1], 'quota', amount)
                     ELSE json_object('product_id', $pids[product + 1], 'amount', amount) END,
                (CAST($contexts AS JSON[]))[context + 1]
            FROM (SELECT *, {_CID} AS cid,
                         CASE WHEN anon_session >= 0 THEN {_anon_hash(seed, 'anon_session')} END AS h
                  FROM demo_events)""", {
            "types": list(cat.TYPES), "names": list(cat.EVENT_NAMES), "channels": list(cat.CHANNELS),
            "props": lookups.props, "pids": lookups.product_ids, "contexts": lookups.contexts,
        })
    finally:
        cur.unregister("demo_events")
    return n


def insert_identities(cur: duckdb.DuckDBPyConnection, links: dict[str, np.ndarray], *, seed: int) -> int:
    """Link anonymous visits to the customers who logged in during them."""
    n = links["anon_session"].size
    if n == 0:
        return 0
    table = pa.table({"anon_session": links["anon_session"].astype(np.int64),
                      "customer": links["customer"].astype(np.int32), "ts": _ts(links["ts"])})
    cur.register("demo_links", table)
    try:
        cur.execute(f"INSERT INTO identities SELECT {_uuid('h')}, {_CID}, ts FROM "
                    f"(SELECT *, {_anon_hash(seed, 'anon_session')} AS h FROM demo_links)")
    finally:
        cur.unregister("demo_links")
    return n


def insert_transactions(cur: duckdb.DuckDBPyConnection, tx: dict[str, np.ndarray], *, first_n: int,
                        seed: int) -> int:
    """Append one batch of transactions; ids are TX-<seed>-<n>."""
    n = tx["txn_type"].size
    table = pa.table({
        "n": np.arange(first_n, first_n + n, dtype=np.int64), "customer": tx["customer"].astype(np.int32),
        "ts": _ts(tx["ts"]), "txn_type": tx["txn_type"], "amount": tx["amount"], "category": tx["category"],
        "channel": tx["channel"], "description": tx["description"],
    })
    cur.register("demo_txns", table)
    try:
        cur.execute(f"""
            INSERT INTO transactions SELECT
                'TX-{seed}-' || n, {_CID}, ts, $types[txn_type + 1],
                CASE WHEN txn_type IN (0, 1, 6) THEN 'in' ELSE 'out' END,
                amount, $cats[category + 1], $channels[channel + 1], $descs[description + 1]
            FROM demo_txns""", {
            "types": list(TXN_TYPES), "cats": categories(), "channels": list(TXN_CHANNELS),
            "descs": descriptions(),
        })
    finally:
        cur.unregister("demo_txns")
    return n


def insert_aum_daily(cur: duckdb.DuckDBPyConnection, customer: np.ndarray, day: np.ndarray, aum: np.ndarray) -> int:
    """Append daily AUM rows (customer index, datetime64[D], CNY)."""
    table = pa.table({"customer": customer.astype(np.int32), "date": pa.array(day.astype("datetime64[D]")),
                      "aum": aum})
    cur.register("demo_aum", table)
    try:
        cur.execute(f"INSERT INTO aum_daily SELECT {_CID}, date, aum FROM demo_aum")
    finally:
        cur.unregister("demo_aum")
    return customer.size


def insert_holdings(cur: duckdb.DuckDBPyConnection, customer: np.ndarray, product: np.ndarray,
                    balance: np.ndarray, opened: np.ndarray) -> int:
    """Append current balances."""
    table = pa.table({"customer": customer.astype(np.int32), "product": product.astype(np.int16),
                      "balance": balance, "opened": pa.array(opened.astype("datetime64[D]"))})
    cur.register("demo_holdings", table)
    try:
        cur.execute(f"INSERT INTO holdings SELECT {_CID}, $pids[product + 1], balance, opened FROM demo_holdings",
                    {"pids": [p.product_id for p in PRODUCTS]})
    finally:
        cur.unregister("demo_holdings")
    return customer.size


def insert_table(cur: duckdb.DuckDBPyConnection, name: str, table: pa.Table, *, replace: bool = False) -> int:
    """Append an Arrow table whose columns are already in the DDL's order."""
    view = f"demo_{name}"
    cur.register(view, table)
    try:
        verb = "INSERT OR REPLACE INTO" if replace else "INSERT INTO"
        cur.execute(f"{verb} {name} SELECT * FROM {view}")
    finally:
        cur.unregister(view)
    return table.num_rows


def mark(cur: duckdb.DuckDBPyConnection, status: str) -> None:
    """Record how far the generator got (so a crashed run can be cleaned up)."""
    cur.execute("INSERT OR REPLACE INTO store_meta VALUES ('demo.status', ?)", [status])


def status(cur: duckdb.DuckDBPyConnection) -> str | None:
    """The generator's last recorded status."""
    row = cur.execute("SELECT value FROM store_meta WHERE key = 'demo.status'").fetchone()
    return row[0] if row else None


def clear_partial(cur: duckdb.DuckDBPyConnection) -> None:
    """Remove what an interrupted run wrote (customers are written last, so none of them exist)."""
    cur.execute("DELETE FROM events WHERE message_id LIKE 'seed-%'")
    cur.execute("DELETE FROM transactions WHERE txn_id LIKE 'TX-%'")
    for table, column in (("identities", "user_id"), ("aum_daily", "customer_id"), ("holdings", "customer_id")):
        cur.execute(f"DELETE FROM {table} WHERE regexp_full_match({column}, 'C[0-9]{{8,}}')")

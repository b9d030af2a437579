"""Transactions become behaviour events (后端日志自动埋点): a mapping of type/direction/category to event names,
applied to the transactions a load adds, stored through ingestion's insert and messageId dedupe.

The event of transaction X has messageId `txn:X`, so a re-load never stores it twice; it is emitted in the load's
own merge transaction (all or nothing with the rows) and only for transactions new to the table: a corrected
transaction keeps the event first emitted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from mofang.integration.contracts import DEFAULT_EVENT_RULES, EventRule, Mapping
from mofang.platform.context import Platform
from mofang.tracking import repository as events_repo

MESSAGE_PREFIX = "txn:"
CHUNK_ROWS = 500_000  # events handed to ingestion per insert


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _col(name: str, columns: Collection[str]) -> str:
    """A staged column, or NULL when the file had none (optional fields)."""
    return f's."{name}"' if name in columns else "CAST(NULL AS VARCHAR)"


def event_name_sql(rules: Sequence[EventRule], columns: Collection[str]) -> str:
    """A CASE naming each staged transaction's event (NULL when no rule matches)."""
    whens = []
    for r in rules:
        conds = [f"{_col(c, columns)} = {_lit(v)}" for c, v in (("txn_type", r.txn_type), ("direction", r.direction),
                                                     ("category", r.category)) if v is not None]
        whens.append(f"WHEN {' AND '.join(conds) or 'true'} THEN {_lit(r.event)}")
    return f"CASE {' '.join(whens)} END" if whens else "NULL"


def emit(cur: duckdb.DuckDBPyConnection, *, stage: str, columns: Collection[str], rules: Sequence[EventRule],
         received_us: int, chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """Store the events of the staged transactions not yet in `transactions` (call before the merge);
    returns the hashes of the messageIds stored."""
    if not rules:
        return np.empty(0, dtype=np.uint64)
    name = event_name_sql(rules, columns)
    channel, category = _col("channel", columns), _col("category", columns)
    pending = f"{stage}_events"
    # Built by DuckDB in one pass (spilling to disk if need be), then handed to ingestion a chunk at a time:
    # a file of tens of millions of transactions never sits in Python's memory.
    cur.execute(f"""
        CREATE TABLE "{pending}" AS SELECT * FROM (
            SELECT s._row, {_lit(MESSAGE_PREFIX)} || s.txn_id AS message_id, 'track' AS type, {name} AS event,
                   s.customer_id AS user_id, CAST(NULL AS VARCHAR) AS anonymous_id, epoch_us(s.ts) AS ts_us,
                   CAST({int(received_us)} AS BIGINT) AS received_us, 'server' AS channel,
                   CAST(json_object('amount', s.amount, 'currency', 'CNY', 'channel', {channel},
                                    'category', {category}, 'txn_type', s.txn_type, 'direction', s.direction,
                                    'txn_id', s.txn_id) AS VARCHAR) AS properties,
                   '{{"library":{{"name":"mofang-integration"}}}}' AS context,
                   CAST(NULL AS VARCHAR) AS link_from
            FROM "{stage}" s
            WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.txn_id = s.txn_id))
        WHERE event IS NOT NULL""").fetchall()
    try:
        ((lo, hi),) = cur.execute(f'SELECT min(_row), max(_row) FROM "{pending}"').fetchall()
        stored = [np.empty(0, dtype=np.uint64)]
        for start in range(lo, hi + 1, chunk_rows) if lo is not None else ():
            batch = cur.sql(f"""SELECT * EXCLUDE (_row) FROM "{pending}"
                                WHERE _row >= {start} AND _row < {start + chunk_rows}
                                ORDER BY ts_us, message_id""").to_arrow_table()
            if batch.num_rows:
                batch = batch.cast(events_repo.SCHEMA).append_column(
                    "seq", pa.array(np.arange(batch.num_rows, dtype=np.int64)))
                stored.append(events_repo.insert(cur, batch).hashes)
    finally:
        cur.execute(f'DROP TABLE IF EXISTS "{pending}"')
    return np.concatenate(stored)


def remember(platform: Platform, hashes: np.ndarray) -> None:
    """Tell a running ingestor the messageIds just committed, so an API event with one of them is a duplicate."""
    ingestor: Any = platform.extras.get("ingestor")
    if ingestor is not None and hashes.size:
        ingestor.seen.add(hashes)


def rules_of(mapping: Mapping) -> tuple[EventRule, ...]:
    """The source's rules, or the default ones when its mapping names none."""
    return DEFAULT_EVENT_RULES if mapping.events is None else tuple(mapping.events)

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

from mofang.integration.contracts import DEFAULT_EVENT_RULES, EventRule, Mapping
from mofang.platform.context import Platform

MESSAGE_PREFIX = "txn:"


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
         received_us: int, chunk_rows: int | None = None) -> np.ndarray:
    """Store the events of the staged transactions not yet in `transactions` (call before the merge);
    returns the hashes of the messageIds stored.

    Set-based, as ingestion's insert would store them: an event's messageId already in `ingest_dedupe` is not
    stored again. Transaction events are `track`s with a userId and no anonymousId, so they teach no identity
    links and need no backfill: the rows go straight from the stage into `events` and `ingest_dedupe`.
    `chunk_rows`: events inserted that many staged rows at a time (by row number) instead of in one statement.
    """
    if not rules:
        return np.empty(0, dtype=np.uint64)
    name = event_name_sql(rules, columns)
    channel, category = _col("channel", columns), _col("category", columns)
    received = f"make_timestamp(CAST({int(received_us)} AS BIGINT))"
    # The staged transactions already in the table, found by a join built on the stage (the smaller side: a
    # daily file against years of transactions), not an anti-join building on the whole table.
    known = f'SELECT k._row FROM "{stage}" k JOIN transactions t ON t.txn_id = k.txn_id'
    # Read twice, once per target table, rather than materialised: the events' JSON is written once only.
    # Nothing between the two statements changes `transactions` or `ingest_dedupe`, so both see the same rows.
    new = f"""
        SELECT * FROM (
            SELECT {_lit(MESSAGE_PREFIX)} || s.txn_id AS message_id, {name} AS event, s.customer_id AS user_id,
                   s._row, s.ts, s.amount, s.txn_type, s.direction, s.txn_id, {channel} AS channel,
                   {category} AS category
            FROM "{stage}" s WHERE s._row NOT IN ({known})) e
        WHERE event IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ingest_dedupe d WHERE d.h = hash(e.message_id)
                          AND d.message_id = e.message_id)"""
    lo, hi = cur.execute(f'SELECT min(_row), max(_row) FROM "{stage}"').fetchall()[0]
    step = chunk_rows or (hi - lo + 1 if lo is not None else 1)
    for first in range(lo or 0, (hi or -1) + 1, step):
        cur.execute(f"""INSERT INTO events
                        SELECT message_id, 'track', event, user_id, user_id, NULL, ts, {received}, 'server',
                               -- built as JSON: a text column would be parsed again on its way into `events`
                               json_object('amount', amount, 'currency', 'CNY', 'channel', channel,
                                           'category', category, 'txn_type', txn_type, 'direction', direction,
                                           'txn_id', txn_id),
                               '{{"library":{{"name":"mofang-integration"}}}}'
                        FROM ({new}) WHERE _row BETWEEN {int(first)} AND {int(first + step - 1)}""")
    hashes = cur.execute(f"INSERT INTO ingest_dedupe SELECT hash(message_id), message_id, {received} FROM ({new}) "
                         "RETURNING h").fetchnumpy()["h"]
    return np.asarray(hashes, dtype=np.uint64)


def remember(platform: Platform, hashes: np.ndarray) -> None:
    """Tell a running ingestor the messageIds just committed, so an API event with one of them is a duplicate."""
    ingestor: Any = platform.extras.get("ingestor")
    if ingestor is not None and hashes.size:
        ingestor.seen.add(hashes)


def rules_of(mapping: Mapping) -> tuple[EventRule, ...]:
    """The source's rules, or the default ones when its mapping names none."""
    return DEFAULT_EVENT_RULES if mapping.events is None else tuple(mapping.events)

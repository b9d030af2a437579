"""Transactions become behaviour events (后端日志自动埋点): a mapping of type/direction/category to event names,
applied to the transactions a load adds.

The event of transaction X has messageId `txn:X`; it is emitted in the load's own merge transaction (all or nothing
with the rows) and only for transactions new to the table, so a re-load never stores it twice and a corrected
transaction keeps the event first emitted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import duckdb

from mofang.integration.contracts import DEFAULT_EVENT_RULES, EventRule, Mapping
from mofang.platform.storage.eventstore import TXN_EVENT_PREFIX

MESSAGE_PREFIX = TXN_EVENT_PREFIX


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
         received_us: int, chunk_rows: int | None = None) -> int:
    """Store the events of the staged transactions not yet in `transactions` (call before the merge, in its
    transaction); returns how many were stored.

    Exactly once without ingestion's messageId dedupe table: an event is made only for a transaction entering
    `transactions` (whose `txn_id` is unique), in the transaction that inserts it, and loads never remove
    transactions; so the table says which events exist. Ingestion keeps the rest of the promise: an API event with
    the messageId of a loaded transaction is a duplicate (tracking's repository checks `transactions`), and one
    stored before the transaction is loaded is in `ingest_dedupe`, looked up here among the `txn:` ids only.
    Transaction events are `track`s with a userId and no anonymousId, so they teach no identity links and need no
    backfill. `chunk_rows`: events inserted that many staged rows at a time (by row number).
    """
    if not rules:
        return 0
    name = event_name_sql(rules, columns)
    channel, category = _col("channel", columns), _col("category", columns)
    received = f"make_timestamp(CAST({int(received_us)} AS BIGINT))"
    # The staged transactions already in the table, found by a join built on the stage (the smaller side: a
    # daily file against years of transactions), not an anti-join building on the whole table.
    known = f'SELECT k._row FROM "{stage}" k JOIN transactions t ON t.txn_id = k.txn_id'
    # messageIds of this kind that an API client sent first (almost always none: the scan keeps only them).
    sent = f"SELECT message_id FROM ingest_dedupe WHERE starts_with(message_id, {_lit(MESSAGE_PREFIX)})"
    new = f"""
        SELECT * FROM (
            SELECT {_lit(MESSAGE_PREFIX)} || s.txn_id AS message_id, {name} AS event, s.customer_id AS user_id,
                   s._row, s.ts, s.amount, s.txn_type, s.direction, s.txn_id, {channel} AS channel,
                   {category} AS category
            FROM "{stage}" s WHERE s._row NOT IN ({known})) e
        WHERE event IS NOT NULL AND message_id NOT IN ({sent})"""
    lo, hi = cur.execute(f'SELECT min(_row), max(_row) FROM "{stage}"').fetchall()[0]
    step = chunk_rows or (hi - lo + 1 if lo is not None else 1)
    stored = 0
    for first in range(lo or 0, (hi or -1) + 1, step):
        stored += cur.execute(f"""
            INSERT INTO events
            SELECT message_id, 'track', event, user_id, user_id, NULL, ts, {received}, 'server',
                   -- built as JSON: a text column would be parsed again on its way into `events`
                   json_object('amount', amount, 'currency', 'CNY', 'channel', channel, 'category', category,
                               'txn_type', txn_type, 'direction', direction, 'txn_id', txn_id),
                   '{{"library":{{"name":"mofang-integration"}}}}'
            FROM ({new}) WHERE _row BETWEEN {int(first)} AND {int(first + step - 1)}""").fetchall()[0][0]
    return int(stored)


def rules_of(mapping: Mapping) -> tuple[EventRule, ...]:
    """The source's rules, or the default ones when its mapping names none."""
    return DEFAULT_EVENT_RULES if mapping.events is None else tuple(mapping.events)

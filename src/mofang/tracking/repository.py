"""DuckDB writes of ingestion: one Arrow table per batch, dedupe by messageId, the flushed WAL position.

A batch arrives as an Arrow table of Record columns plus `seq` (its order). Everything after that
is SQL: dedupe inside the batch (first by seq) and against `ingest_dedupe`, identity links, the
insert, the backfill. No per-event Python work, so the flusher holds the GIL only briefly.
"""

from __future__ import annotations

import contextlib
import io
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from mofang.platform.storage.eventstore import TXN_EVENT_PREFIX, EventStore
from mofang.tracking import identity
from mofang.tracking.contracts import Record
from mofang.tracking.seen import SeenIndex

POSITION_KEY = "ingest_wal_position"
BATCH_VIEW = "mofang_batch"
FRESH_VIEW = "mofang_batch_fresh"  # the batch's events whose messageIds were not stored before
CANDIDATE_VIEW = "mofang_batch_candidates"  # the batch's messageIds whose hashes the SeenIndex knows
TXN_VIEW = "mofang_batch_txn_ids"  # the transaction ids named by the batch's `txn:` messageIds
BUS_VIEW = "mofang_bus_batch"  # stored events whose bus messages are being built

SCHEMA = pa.schema([
    ("message_id", pa.string()),
    ("type", pa.string()),
    ("event", pa.string()),
    ("user_id", pa.string()),
    ("anonymous_id", pa.string()),
    ("ts_us", pa.int64()),
    ("received_us", pa.int64()),
    ("channel", pa.string()),
    ("properties", pa.string()),
    ("context", pa.string()),
    ("link_from", pa.string()),
])
_JSON_PARSE = pa_json.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
# A line is at most a 32 KB event with its JSON escaped once more; blocks must hold whole lines.
_JSON_READ = pa_json.ReadOptions(block_size=8 << 20, use_threads=False)


def _with_seq(table: pa.Table) -> pa.Table:
    return table.append_column("seq", pa.array(np.arange(table.num_rows, dtype=np.int64)))


def lines_table(payload: bytes) -> pa.Table:
    """WAL payloads (JSON lines of Records) as an Arrow batch; parsed in C++ without the GIL."""
    return _with_seq(pa_json.read_json(io.BytesIO(payload), read_options=_JSON_READ,
                                       parse_options=_JSON_PARSE))


def records_table(records: list[Record]) -> pa.Table:
    """Records as an Arrow batch."""
    return _with_seq(pa.Table.from_pylist(records, schema=SCHEMA))  # type: ignore[arg-type]


class Stored(NamedTuple):
    """What a batch insert did: events stored, the hashes of their messageIds (for the `SeenIndex`), and
    with an outbox batch id, the stored events as a batch (for `bus_messages`, after the commit)."""

    count: int
    hashes: np.ndarray
    bus: pa.Table | None = None


def insert(cur: duckdb.DuckDBPyConnection, batch: pa.Table, orphans: identity.OrphanIndex | None = None,
           seen: SeenIndex | None = None, *, outbox_batch: int | None = None) -> Stored:
    """Store the events of a batch not seen before (by messageId), in the caller's transaction.

    Links are stored first so that anonymous events of the same batch resolve at insert; then
    earlier anonymous events of newly linked ids are backfilled (guided by `orphans` when given,
    by a scan of `events` otherwise). `seen` narrows the dedupe check to the batch's hash hits;
    without it every messageId is checked against `ingest_dedupe` (a scan: fine for imports).
    With `outbox_batch`, the stored events are also noted in `bus_outbox` under that id (so that they reach
    the bus even if the process dies right after the commit) and returned.
    """
    if batch.num_rows == 0:
        return Stored(0, np.empty(0, dtype=np.uint64))
    cur.register(BATCH_VIEW, batch)
    try:
        identity.record_links(cur, BATCH_VIEW)
        hashes = cur.sql(f"SELECT hash(message_id) AS h FROM {BATCH_VIEW} ORDER BY seq").fetchnumpy()["h"]
        hashes = np.asarray(hashes, dtype=np.uint64)
        maybe = seen.candidates(hashes) if seen is not None else np.ones(batch.num_rows, dtype=bool)
        fresh_mask = np.ones(batch.num_rows, dtype=bool)
        if maybe.any():
            # Only hash hits are looked up; a hit whose messageId differs is a new event after all.
            cur.register(CANDIDATE_VIEW, pa.table({"h": hashes[maybe],
                                                   "message_id": batch["message_id"].filter(pa.array(maybe))}))
            known = cur.sql(f"""SELECT DISTINCT d.message_id FROM ingest_dedupe d
                                WHERE d.h IN (SELECT h FROM {CANDIDATE_VIEW})
                                  AND d.message_id IN (SELECT message_id FROM {CANDIDATE_VIEW})""").to_arrow_table()
            fresh_mask = ~pc.is_in(batch["message_id"], value_set=known["message_id"]).to_numpy(zero_copy_only=False)
        fresh_mask &= ~_of_loaded_transactions(cur, batch["message_id"])
        fresh = batch.filter(pa.array(fresh_mask))
        cur.register(FRESH_VIEW, fresh)
        # Repeats inside one batch are rare (a client retrying within a flush interval); deduping them
        # costs a window over the batch, so it is paid only when there are some.
        repeats = fresh.num_rows and pc.count_distinct(fresh["message_id"]).as_py() < fresh.num_rows
        source = (f"(SELECT * FROM {FRESH_VIEW} QUALIFY row_number() OVER (PARTITION BY message_id ORDER BY seq) = 1)"
                  if repeats else FRESH_VIEW)
        cur.execute(
            f"""INSERT INTO events
                SELECT b.message_id, b.type, b.event, coalesce(b.user_id, i.user_id), b.user_id,
                       b.anonymous_id, make_timestamp(b.ts_us), make_timestamp(b.received_us), b.channel,
                       b.properties, b.context
                FROM {source} b
                LEFT JOIN identities i ON b.user_id IS NULL AND i.anonymous_id = b.anonymous_id"""
        )
        row = cur.fetchone()
        cur.execute(f"""INSERT INTO ingest_dedupe
                        SELECT hash(message_id), message_id, make_timestamp(received_us) FROM {source}""")
        cur.fetchall()
        bus = None
        if outbox_batch is not None:
            cur.execute(f"""INSERT INTO bus_outbox SELECT ?, message_id, make_timestamp(received_us) FROM {source}""",
                        [outbox_batch])
            cur.fetchall()
            bus = fresh if not repeats else cur.sql(f"SELECT * FROM {source}").to_arrow_table()
        identity.backfill(cur, BATCH_VIEW, orphans)
        if orphans is not None:
            orphans.add(identity.orphans_of(cur, BATCH_VIEW))
    finally:
        for view in (BATCH_VIEW, CANDIDATE_VIEW, FRESH_VIEW):
            with contextlib.suppress(duckdb.Error):
                cur.unregister(view)
    return Stored(int(row[0]) if row else 0, hashes[fresh_mask], bus)


# -- the bus outbox: stored events not yet known to be on the bus ---------------------------------------

OUTBOX_DDL = """CREATE TABLE IF NOT EXISTS bus_outbox (
    batch BIGINT NOT NULL, message_id VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL
)"""


def _bus_json(customer: str, ts: str) -> str:
    """SQL building the bus message of one event (the shape the strategy engine reads), as JSON text."""
    return f"""json_object('customer_id', {customer}, 'user_id', b.user_id, 'anonymous_id', b.anonymous_id,
                           'event', b.event, 'ts', strftime({ts}, '%Y-%m-%dT%H:%M:%S.%f') || '+00:00',
                           'properties', b.properties::JSON, 'message_id', b.message_id)::VARCHAR"""


def ensure_outbox(store: EventStore) -> int:
    """Create the outbox table if needed; returns the highest batch id it holds (0 when empty)."""
    with store.write() as cur:
        cur.execute(OUTBOX_DDL)
        row = cur.execute("SELECT coalesce(max(batch), 0) FROM bus_outbox").fetchone()
    return int(row[0]) if row else 0


def bus_messages(store: EventStore, stored: pa.Table) -> pa.Table:
    """The bus messages of just-stored events (columns event, message_id, payload), in their batch order.

    Outside the store transaction, on a reader's cursor: the JSON is built by DuckDB's threads while the flusher
    goes on. The customer is the one the event is attributed to now (links committed since can only add one).
    """
    with store.read() as cur:
        cur.register(BUS_VIEW, stored)
        try:
            return cur.sql(f"""SELECT b.event, b.message_id, {_bus_json('coalesce(b.user_id, i.user_id)',
                                                                      'make_timestamp(b.ts_us)')} AS payload
                               FROM {BUS_VIEW} b
                               LEFT JOIN identities i ON b.user_id IS NULL AND i.anonymous_id = b.anonymous_id
                               ORDER BY b.seq""").to_arrow_table()
        finally:
            cur.unregister(BUS_VIEW)


def outbox_batches(store: EventStore) -> list[int]:
    """The outbox batches still waiting for the bus, oldest first."""
    with store.read() as cur:
        return [int(b) for (b,) in cur.execute("SELECT DISTINCT batch FROM bus_outbox ORDER BY batch").fetchall()]


def outbox_messages(store: EventStore, *, batch: int) -> pa.Table:
    """The bus messages of one outbox batch, rebuilt from the stored events (columns event, message_id, payload)."""
    with store.read() as cur:
        return cur.sql(
            f"""SELECT b.event, b.message_id, {_bus_json('b.customer_id', 'b.ts')} AS payload
                FROM events b JOIN (SELECT message_id, received_at FROM bus_outbox WHERE batch = ?) o
                  ON b.message_id = o.message_id AND b.received_at = o.received_at
                ORDER BY b.received_at""", params=[batch]).to_arrow_table()


def _of_loaded_transactions(cur: duckdb.DuckDBPyConnection, message_ids: pa.ChunkedArray) -> np.ndarray:
    """Which messageIds are those of loaded transactions' events (`txn:<txn_id>`, stored by integration's loads
    without an `ingest_dedupe` row: the transaction is the record); a mask, all false for a batch without any."""
    ours = pc.starts_with(message_ids, TXN_EVENT_PREFIX)
    if not pc.any(ours).as_py():
        return np.zeros(len(message_ids), dtype=bool)
    ids = pc.utf8_slice_codeunits(message_ids.filter(ours), len(TXN_EVENT_PREFIX))
    cur.register(TXN_VIEW, pa.table({"txn_id": ids}))
    try:  # a semi-join built on the batch's few ids
        loaded = cur.sql(f"SELECT txn_id FROM transactions WHERE txn_id IN (SELECT txn_id FROM {TXN_VIEW})"
                         ).to_arrow_table()["txn_id"]
    finally:
        cur.unregister(TXN_VIEW)
    return pc.is_in(message_ids, value_set=pc.binary_join_element_wise(TXN_EVENT_PREFIX, loaded, "")
                    ).to_numpy(zero_copy_only=False)


def clear_outbox(cur: duckdb.DuckDBPyConnection, *, upto: int) -> None:
    """Forget outbox batches up to this id (their events are on the bus), in the caller's transaction."""
    cur.execute("DELETE FROM bus_outbox WHERE batch <= ?", [upto])
    cur.fetchall()


def dedupe_hashes(store: EventStore) -> np.ndarray:
    """The hashes of every retained messageId, to build the `SeenIndex` from."""
    with store.read() as cur:
        return np.asarray(cur.sql("SELECT h FROM ingest_dedupe").fetchnumpy()["h"], dtype=np.uint64)


def save_position(cur: duckdb.DuckDBPyConnection, position: tuple[int, int]) -> None:
    """Record how far the WAL has been flushed, in the same transaction as the rows."""
    cur.execute(
        "INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [POSITION_KEY, f"{position[0]}:{position[1]}"],
    )


def load_position(store: EventStore) -> tuple[int, int]:
    """How far the WAL has been flushed ((0, 0) before the first flush)."""
    value = store.scalar("SELECT value FROM store_meta WHERE key = ?", [POSITION_KEY])
    if not value:
        return (0, 0)
    seg, _, off = str(value).partition(":")
    return (int(seg), int(off))


def purge_dedupe(store: EventStore, *, before_us: int) -> int:
    """Forget messageIds first received before this time (µs since the epoch); returns how many."""
    with store.write() as cur:
        cur.execute("DELETE FROM ingest_dedupe WHERE received_at < make_timestamp(?::BIGINT)", [before_us])
        row = cur.fetchone()
    return int(row[0]) if row else 0


def count_events(store: EventStore) -> int:
    """How many events are stored."""
    return int(store.scalar("SELECT count(*) FROM events") or 0)

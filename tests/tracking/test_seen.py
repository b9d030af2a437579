"""Dedupe through the in-memory hash index: hash hits are confirmed, old stores are migrated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mofang.platform.context import Platform
from mofang.platform.storage.eventstore import EventStore
from mofang.tracking import logic, repository
from mofang.tracking.seen import SeenIndex


def _batch(ids: list[str]) -> object:
    now = logic.now_us()
    records = [logic.normalise({"type": "track", "event": "e", "userId": "C1", "messageId": m}, received_us=now)
               for m in ids]
    return repository.records_table(records)  # type: ignore[arg-type]


def _hash(platform: Platform, message_id: str) -> int:
    return int(platform.store.scalar("SELECT hash(?::VARCHAR)", [message_id]))


def test_a_hash_hit_that_is_not_a_repeat_is_stored(platform: Platform) -> None:
    # The index claims "m-new" was seen (as a colliding hash would); the table says otherwise.
    seen = SeenIndex(np.array([_hash(platform, "m-new")], dtype=np.uint64))
    with platform.store.write() as cur:
        assert repository.insert(cur, _batch(["m-new", "m-other"]), None, seen).count == 2
    with platform.store.write() as cur:
        again = repository.insert(cur, _batch(["m-new", "m-other", "m-third"]), None,
                                  SeenIndex(repository.dedupe_hashes(platform.store)))
    assert again.count == 1
    assert platform.store.scalar("SELECT count(*) FROM events") == 3


def test_a_store_from_before_the_hash_column_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE ingest_dedupe (message_id VARCHAR PRIMARY KEY, received_at TIMESTAMP NOT NULL)")
    con.execute("INSERT INTO ingest_dedupe VALUES ('old-1', now()::TIMESTAMP), ('old-2', now()::TIMESTAMP)")
    con.close()
    store = EventStore(path)
    try:
        store.ensure_schema()
        store.ensure_schema()  # a second start changes nothing
        rows = store.query("SELECT message_id, h = hash(message_id) AS ok FROM ingest_dedupe ORDER BY 1")
        assert rows == [{"message_id": "old-1", "ok": True}, {"message_id": "old-2", "ok": True}]
        with store.write() as cur:
            assert repository.insert(cur, _batch(["old-1", "new-1"]), None,
                                     SeenIndex(repository.dedupe_hashes(store))).count == 1
    finally:
        store.close()


@given(st.lists(st.integers(0, 2**64 - 1), max_size=200), st.lists(st.integers(0, 2**64 - 1), max_size=50),
       st.lists(st.integers(0, 2**64 - 1), max_size=50))
def test_the_index_knows_exactly_what_was_added(first: list[int], later: list[int], probe: list[int]) -> None:
    seen = SeenIndex(np.array(first, dtype=np.uint64))
    seen.add(np.array(later, dtype=np.uint64))
    known = set(first) | set(later)
    hits = seen.candidates(np.array(probe + first + later, dtype=np.uint64))
    assert hits.tolist() == [v in known for v in probe + first + later]


def test_recent_hashes_are_merged_without_loss(monkeypatch: object) -> None:
    import mofang.tracking.seen as seen_module

    monkeypatch.setattr(seen_module, "_MERGE_MIN", 4)  # type: ignore[attr-defined]
    seen = SeenIndex(np.array([10, 20], dtype=np.uint64))
    for start in range(0, 40, 3):
        seen.add(np.arange(100 + start, 103 + start, dtype=np.uint64))
    assert len(seen) == 2 + 14 * 3
    probe = np.array([10, 20, 100, 141, 142, 99, 143], dtype=np.uint64)
    assert seen.candidates(probe).tolist() == [True, True, True, True, False, False, False]


def test_hashes_added_from_two_threads_are_all_remembered(monkeypatch) -> None:
    # The flusher and a transactions load add at the same time; a merge must not drop the other's chunk.
    import threading

    from mofang.tracking import seen as seen_mod

    monkeypatch.setattr(seen_mod, "_MERGE_MIN", 1)
    index = SeenIndex()
    chunks = {b: [np.arange(b + i * 20_000, b + (i + 1) * 20_000, dtype=np.uint64) for i in range(40)]
              for b in (10**9, 2 * 10**9)}
    threads = [threading.Thread(target=lambda cs=cs: [index.add(c) for c in cs]) for cs in chunks.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = np.concatenate([c for cs in chunks.values() for c in cs])
    assert index.candidates(every).all()

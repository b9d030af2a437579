"""The write-ahead log: frames, torn tails, replay exactly once, dedupe across restarts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from ingest_helpers import Sender, track

from mofang.app import create_app
from mofang.platform.context import Platform
from mofang.tracking import logic, repository, wal
from mofang.tracking.contracts import Record
from mofang.tracking.service import WAL_DIR, Ingestor


def records(*ids: str, anon: str | None = None) -> list[Record]:
    now = logic.now_us()
    out = [logic.normalise({"type": "track", "event": "e", "messageId": i, "userId": None if anon else "C1",
                            "anonymousId": anon}, received_us=now) for i in ids]
    assert all(isinstance(r, dict) for r in out)
    return out  # type: ignore[return-value]


def ids(payload: bytes) -> list[str]:
    return [orjson.loads(line)["message_id"] for line in payload.split(b"\n")]


def write_frames(directory: Path, segment: int, *frames: list[Record]) -> None:
    """Append frames the way the server does, fsynced, then close (as if the process died here)."""
    writer = wal.WalWriter(directory, first_segment=segment, on_durable=lambda _pos, _payloads, _n: None)
    for frame in frames:
        writer.append(logic.encode_payload(frame), len(frame)).result(timeout=5)
    writer.close()


def test_frames_round_trip_and_a_torn_tail_is_cut(tmp_path: Path) -> None:
    write_frames(tmp_path, 1, records("a", "b"), records("c"))
    path = wal.segment_path(tmp_path, 1)
    good_size = path.stat().st_size
    with path.open("ab") as fh:  # a crash in the middle of writing a third frame
        fh.write(wal.encode_frame(logic.encode_payload(records("d")))[:-7])
    got = list(wal.scan(tmp_path, (0, 0)))
    assert [ids(payload) for _, payload in got] == [["a", "b"], ["c"]]
    assert got[-1][0] == (1, good_size)
    assert path.stat().st_size == good_size
    assert ids(next(iter(wal.scan(tmp_path, got[0][0])))[1]) == ["c"]


def test_a_corrupt_frame_ends_replay(tmp_path: Path) -> None:
    write_frames(tmp_path, 1, records("a"), records("b"))
    path = wal.segment_path(tmp_path, 1)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # flip a bit in the last frame's payload: its CRC no longer matches
    path.write_bytes(bytes(data))
    assert [ids(payload) for _, payload in wal.scan(tmp_path, (0, 0))] == [["a"]]


def test_unflushed_wal_is_replayed_once_on_start(platform: Platform) -> None:
    wal_dir = platform.settings.data_dir / WAL_DIR
    write_frames(wal_dir, 1, records("r1", "r2"), records("r3", anon="dev"))
    first = Ingestor(platform)
    first.start()  # replay is synchronous, before the server takes requests
    assert repository.count_events(platform.store) == 3
    assert wal.segments(wal_dir) == [2]  # the replayed segment is gone; appends go to a fresh one
    first.stop()
    position = repository.load_position(platform.store)
    assert position[0] == 1 and position[1] > 0
    # Even with the dedupe table emptied, a second start replays nothing: the position says so.
    with platform.store.write() as cur:
        cur.execute("DELETE FROM ingest_dedupe")
    write_frames(wal_dir, 3, records("r4"))
    ingestor = Ingestor(platform)
    ingestor.start()
    ingestor.stop()
    assert sorted(r["message_id"] for r in platform.store.query("SELECT message_id FROM events")) == [
        "r1", "r2", "r3", "r4",
    ]


def test_flush_records_the_position_and_deletes_flushed_segments(
    platform: Platform, send: Sender, stored: Any
) -> None:
    assert send.batch([track(messageId="p1")]).status_code == 200
    stored()
    ingestor = platform.extras["ingestor"]
    status = ingestor.status()
    assert status["flushed_position"] == status["durable_position"]
    assert repository.load_position(platform.store) == tuple(status["flushed_position"])


def test_clean_stop_flushes_and_leaves_an_empty_log(platform: Platform, settings: Any,
                                                     write_key: str) -> None:
    slow = settings.model_copy(update={"ingest_flush_interval_ms": 600_000})  # only stop() flushes
    with TestClient(create_app(slow, platform=platform)) as client:
        res = Sender(client, write_key).batch([track(messageId=f"s{i}") for i in range(5)])
        assert res.status_code == 200
        assert repository.count_events(platform.store) == 0
    assert repository.count_events(platform.store) == 5
    assert wal.segments(platform.settings.data_dir / WAL_DIR) == []


def test_same_message_id_after_restart_is_still_a_duplicate(platform: Platform, settings: Any,
                                                             write_key: str) -> None:
    for _ in range(2):
        with TestClient(create_app(settings, platform=platform)) as client:
            assert Sender(client, write_key).batch([track(messageId="again")]).status_code == 200
    assert repository.count_events(platform.store) == 1


def test_without_background_events_are_stored_inline(platform: Platform, settings: Any,
                                                     write_key: str) -> None:
    offline = settings.model_copy(update={"start_background": False})
    platform.settings = offline
    with TestClient(create_app(offline, platform=platform)) as client:
        assert Sender(client, write_key).batch([track(messageId="i1")]).status_code == 200
        assert repository.count_events(platform.store) == 1
        assert platform.extras["ingestor"].status()["mode"] == "inline"
    assert not (platform.settings.data_dir / WAL_DIR).exists() or not wal.segments(
        platform.settings.data_dir / WAL_DIR)


@pytest.mark.parametrize(("days", "kept"), [(30, {"d6", "d8"}), (7, {"d6"}), (3, {"d6"})])
def test_dedupe_memory_lasts_at_least_seven_days(platform: Platform, settings: Any, days: int,
                                                  kept: set[str]) -> None:
    now = logic.now_us()
    day = 86_400 * 1_000_000
    with platform.store.write() as cur:
        for mid, age in (("d6", 6), ("d8", 8)):
            cur.execute("INSERT INTO ingest_dedupe VALUES (hash(?), ?, make_timestamp(?::BIGINT))",
                        [mid, mid, now - age * day])
    platform.settings = settings.model_copy(update={"ingest_dedupe_days": days, "start_background": False})
    Ingestor(platform).start()  # purges on start
    assert {r["message_id"] for r in platform.store.query("SELECT message_id FROM ingest_dedupe")} == kept

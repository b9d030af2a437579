"""An event `/v1/batch` acknowledged reaches a bus consumer in another process, even across `kill -9` of the server."""

from __future__ import annotations

import base64
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import orjson
import pytest
from test_durability import cli, free_port, serve

from mofang.platform.bus import BusMessage
from mofang.platform.bus.embedded import EmbeddedBus

pytestmark = pytest.mark.slow


def post(base: str, key: str, events: list[dict[str, object]]) -> None:
    res = httpx.post(f"{base}/v1/batch", content=orjson.dumps({"batch": events}), headers={
        "Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
        "Content-Type": "application/json"}, timeout=30)
    assert res.status_code == 200, res.text


def test_acknowledged_events_reach_a_consumer_process_across_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = cli("key", "add", "--data-dir", str(data_dir), "--name", "t").split()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sent = [f"k{i}" for i in range(600)]
    got: set[str] = set()
    lock = threading.Lock()

    def handle(messages: Sequence[BusMessage]) -> None:
        with lock:
            got.update(orjson.loads(m.data)["message_id"] for m in messages)

    # The consumer is another process sharing the data dir's queue file, in a group of its own (the server's
    # engine is group "engine"); it joins before anything is sent, as a group sees what comes after it joins.
    bus = EmbeddedBus(data_dir / "bus.sqlite", poll_interval=0.02)
    try:
        bus.subscribe("events.>", "probe", handle)
        server = serve(data_dir, port, MOFANG_INGEST_FLUSH_INTERVAL_MS="50")
        try:
            for start in range(0, 600, 100):  # killed while batches are between WAL, store and bus
                post(base, key, [{"type": "track", "event": "基金.申购", "userId": f"C{i % 9}", "messageId": m}
                                 for i, m in enumerate(sent[start:start + 100], start)])
                time.sleep(0.03)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
        server = serve(data_dir, port)
        try:
            deadline = time.monotonic() + 20
            while len(got) < 600 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert got == set(sent), f"{600 - len(got)} acknowledged events never reached the bus"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
    finally:
        bus.close()

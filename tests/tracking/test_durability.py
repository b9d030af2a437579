"""Once a client got 200, its events survive `kill -9` of `mofang serve` and are queryable soon after."""

from __future__ import annotations

import base64
import gzip
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from mofang.platform.storage.eventstore import EventStore

pytestmark = pytest.mark.slow


def cli(*args: str, stdin: str | None = None) -> str:
    """Run the `mofang` command line and return what it printed."""
    done = subprocess.run([sys.executable, "-m", "mofang.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def parse_workers_of(server_pid: int) -> list[int]:
    """Live parse-worker processes started by the server with this pid (they carry it on their command line)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"mofang.tracking.parsers" in args and str(server_pid).encode() in args:
            found.append(int(cmdline.parent.name))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data_dir: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """Start `mofang serve` and wait until it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mofang.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90  # a start on a loaded box (migrations, parse workers) can take long
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("mofang serve did not start in 90 s")


def test_acknowledged_events_survive_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = cli("key", "add", "--data-dir", str(data_dir), "--name", "t").split()[-1]
    cli("user", "add", "--username", "ops", "--role", "admin", "--org", "HQ", "--data-dir", str(data_dir),
        "--password-stdin", stdin="Durable@Pass2026\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # A flush interval of ten minutes: whatever is in DuckDB after the kill came from the WAL.
    server = serve(data_dir, port, MOFANG_INGEST_FLUSH_INTERVAL_MS="600000")
    try:
        events = [{"type": "track", "event": "Transfer", "userId": f"C{i % 7}", "messageId": f"k{i}",
                   "properties": {"amount": i}} for i in range(300)]
        res = httpx.post(f"{base}/v1/batch", content=gzip.compress(orjson.dumps({"batch": events})), headers={
            "Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
            "Content-Encoding": "gzip", "Content-Type": "application/json",
        })
        assert res.status_code == 200 and res.json()["accepted"] == 300
        assert parse_workers_of(server.pid), "the server should parse batches in worker processes"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    # The parse workers notice their server is gone (their input closes) and exit with it.
    deadline = time.monotonic() + 5
    while parse_workers_of(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert parse_workers_of(server.pid) == [], "parse workers outlived their killed server"

    server = serve(data_dir, port)
    up_at = time.monotonic()
    try:
        token = httpx.post(f"{base}/api/auth/login", json={"username": "ops", "password": "Durable@Pass2026"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        while True:
            total = httpx.get(f"{base}/api/tracking/status", headers=headers).json()["events_total"]
            if total == 300 or time.monotonic() - up_at > 5:
                break
            time.sleep(0.1)
        # Replay runs before the server answers at all, so the events are there from its first answer
        # (the process's own boot, about 2 s on an idle machine, is not ingestion's to promise).
        assert total == 300, f"only {total} of 300 acknowledged events are queryable 5 s after the restart"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)

    store = EventStore(data_dir / "events.duckdb", read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM events") == 300
        assert store.scalar("SELECT count(DISTINCT message_id) FROM events") == 300
        assert store.scalar("SELECT sum(CAST(properties->>'amount' AS INTEGER)) FROM events") == sum(range(300))
    finally:
        store.close()

"""User and key administration from the command line while `mofang serve` runs on the same data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

SRC = str(Path(__file__).resolve().parents[2] / "src")


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `mofang` with this checkout's sources; the result keeps stdout, stderr and the exit code."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "mofang.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, check=False, env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A running `mofang serve` on a fresh data dir: (data dir, base URL)."""
    data_dir = tmp_path / "data"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SRC, "MOFANG_SCHEDULER": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mofang.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server exited"
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "mofang serve did not start in 60 s"
            time.sleep(0.1)
        yield data_dir, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_user_and_key_added_beside_a_running_server_work_at_once(server: tuple[Path, str]) -> None:
    data_dir, base = server
    done = run_cli("user", "add", "--username", "ops", "--role", "admin", "--org", "HQ",
                   "--data-dir", str(data_dir), "--password-stdin", stdin="a-long-pass-1\n")
    assert done.returncode == 0, done.stderr
    assert "created user ops" in done.stdout
    login = httpx.post(f"{base}/api/auth/login", json={"username": "ops", "password": "a-long-pass-1"})
    assert login.status_code == 200, login.text

    done = run_cli("key", "add", "--name", "mobile app", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    key = done.stdout.split()[-1]
    sent = httpx.post(f"{base}/v1/track", auth=(key, ""),
                      json={"userId": "C1", "event": "login", "messageId": "cli-admin-1"})
    assert sent.status_code == 200, sent.text


@pytest.mark.parametrize(("args", "stdin", "says"), [
    (("user", "add", "--username", "ops", "--role", "boss", "--org", "HQ"), "a-long-pass-1\n", "unknown role 'boss'"),
    (("user", "add", "--username", "ops", "--role", "admin", "--org", "NOPE"), "a-long-pass-1\n",
     "unknown org code 'NOPE'"),
    (("user", "add", "--username", "ops", "--role", "admin", "--org", "HQ"), "short\n", "password"),
])
def test_admin_errors_are_one_readable_line_beside_a_running_server(
    server: tuple[Path, str], args: tuple[str, ...], stdin: str, says: str,
) -> None:
    data_dir, _base = server
    done = run_cli(*args, "--data-dir", str(data_dir), "--password-stdin", stdin=stdin)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and says in lines[0]
    assert "Traceback" not in done.stderr


def test_taken_username_is_one_line(server: tuple[Path, str]) -> None:
    data_dir, _base = server
    args = ("user", "add", "--username", "ops", "--role", "admin", "--org", "HQ", "--data-dir", str(data_dir),
            "--password-stdin")
    assert run_cli(*args, stdin="a-long-pass-1\n").returncode == 0
    again = run_cli(*args, stdin="a-long-pass-1\n")
    assert again.returncode != 0
    assert again.stderr.strip() == "error: username 'ops' is taken"


def test_event_store_busy_is_one_line_not_a_traceback(server: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, _base = server
    events = tmp_path / "events.jsonl"
    events.write_text('{"userId": "C1", "event": "login", "messageId": "m1", "timestamp": "2026-01-01T00:00:00Z"}\n')
    done = run_cli("import", "events", str(events), "--data-dir", str(data_dir))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "in use by another process" in lines[0]

"""Helpers of the bus tests: connections onto one shared bus, member processes, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import mofang
from mofang.platform.bus.contracts import Bus
from mofang.platform.bus.embedded import EmbeddedBus
from mofang.platform.bus.jetstream import JetStreamBus

MEMBER = Path(__file__).with_name("bus_member.py")
SRC = str(Path(mofang.__file__).resolve().parents[1])


def nats_url_or_skip() -> str:
    """The NATS server of the tests; skip (fail in CI) when none is configured."""
    url = os.environ.get("MOFANG_TEST_NATS_URL")
    if not url:
        if os.environ.get("MOFANG_TEST_REQUIRE_ALL"):
            pytest.fail("MOFANG_TEST_NATS_URL is required in CI")
        pytest.skip("NATS tests skipped: set MOFANG_TEST_NATS_URL (a JetStream server) to run them")
    return url


class BusFarm:
    """Opens bus connections onto one shared store (a queue file, or a NATS namespace), like separate processes."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.ack_wait = 1.0  # short, so that crash tests see redelivery quickly
        if kind == "nats":
            ns = f"t{uuid.uuid4().hex[:12]}"
            sep = "&" if "?" in nats_url_or_skip() else "?"
            self.target = f"{nats_url_or_skip()}{sep}namespace={ns}"
        else:
            self.target = str(tmp_path / "bus.sqlite")
        self.opened: list[Bus] = []
        self.procs: list[subprocess.Popen[str]] = []

    def open(self) -> Bus:
        """A new connection (a member in another process would hold its own)."""
        bus: Bus
        if self.kind == "nats":
            bus = JetStreamBus(self.target, ack_wait=self.ack_wait)
        else:
            bus = EmbeddedBus(Path(self.target), ack_wait=self.ack_wait, poll_interval=0.02)
        self.opened.append(bus)
        return bus

    def spawn(self, subject: str, group: str, out: Path, mode: str) -> subprocess.Popen[str]:
        """A member in a process of its own (see bus_member.py); waits until it has subscribed."""
        proc = subprocess.Popen([sys.executable, str(MEMBER), self.target, subject, group, str(out), mode,
                                 str(self.ack_wait)], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": SRC})
        self.procs.append(proc)
        if mode != "publish":
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        streams: set[str] = set()
        for bus in self.opened:
            if isinstance(bus, JetStreamBus):
                streams |= bus._streams
            bus.close()
        if streams:  # after every member stopped fetching
            cleaner = JetStreamBus(self.target)
            cleaner._streams = streams
            cleaner.delete_streams()
            cleaner.close()


def wait_until(check: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll until `check()` holds; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)

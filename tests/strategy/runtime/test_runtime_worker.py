"""`mofang worker`: starts beside the data dir, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.tasks import EngineWorker
from strategy.runtime.kit import Clock, effects_of, send_delay_exit

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_the_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "mofang.cli", "worker", "--data-dir", str(tmp_path / "d"),
                             "--poll", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        assert "engine worker" in proc.stdout.readline()
        time.sleep(1.5)  # the loops are running
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "engine worker stopped" in out
    assert "Traceback" not in err
    assert (tmp_path / "d" / "mofang.sqlite").exists()  # migrated, so it can run beside `mofang serve`


def test_the_background_loops_move_journeys_on(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in", customers=[("c1", {}, "a")])
    worker = EngineWorker(platform, poll=0.05)
    worker.start()
    try:
        _until(lambda: len(effects_of(platform)) == 1)
        clock.advance(60)
        _until(lambda: _statuses(platform) == ["done"])
    finally:
        worker.stop()


def _statuses(platform: Platform) -> list[str]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineInstance.status)))


def _until(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the loops did not get there"
        time.sleep(0.05)

"""The crash test of the issue: the engine SIGKILLed at random points, again and again, loses and repeats nothing.

A child process runs a 10,000-customer strategy (segment entry → push → wait for login → sms / timeout → delay →
exit) on a clock 100x faster than the wall; the test kills it at random moments at least 100 times and restarts
it, then lets it finish. Effects are recorded by idempotency key (as the reach centre dedupes), so a repeated
effect would show as a second key for the same customer and node, and a lost step as an unfinished journey or an
effect its path does not explain.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.strategy.engine import activate
from mofang.strategy.engine.batches import units
from mofang.strategy.engine.repository import EngineCommand, EngineCount, EngineInstance, trail_of
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.service.runtime import EXTRA
from mofang.strategy.engine.tasks import open_worker_platform
from strategy.runtime.crash_child import BASE, STRATEGY, crash_graph
from strategy.runtime.kit import EFFECTS, RecordingEffects

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CUSTOMERS = 10_000
KILLS = 100
SPEED = 100.0


class Zygote:
    """The child that forks engine processes (imports paid once), so 100 restarts take seconds, not minutes."""

    def __init__(self, data_dir: Path, url: str | None, n: int) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}
        args = [sys.executable, str(HERE / "crash_child.py"), str(data_dir), str(time.time()), str(SPEED), str(n)]
        self.proc = subprocess.Popen([*args, *([url] if url else [])], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        assert self._ask(None) == "ready"

    def _ask(self, command: str | None) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def spawn(self) -> int:
        """Start one engine process; its pid."""
        return int(self._ask("spawn"))

    def wait(self, pid: int) -> int:
        """Its exit code once it ends."""
        return int(self._ask(f"wait {pid}"))

    def close(self) -> None:
        """End the zygote."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def prepare(data_dir: Path, url: str | None) -> Platform:
    """Publish the strategy in a fresh data dir."""
    platform = open_worker_platform(Settings(data_dir=data_dir, metadata_url=url, start_background=False))
    RecordingEffects(platform)
    platform.extras[EXTRA] = Runtime(clock=lambda: BASE)  # the children's clock starts there
    activate(platform=platform, strategy_id=STRATEGY, version=1, graph=crash_graph(), org_code="HQ")
    return platform


def verify(platform: Platform, n: int) -> dict[str, int]:
    """Every journey finished, and every effect is exactly the one its path asked for."""
    with platform.metadata.session() as s:
        inst = list(s.execute(select(EngineInstance.id, EngineInstance.customer_id, EngineInstance.status,
                                     EngineInstance.node, EngineInstance.trail)))
        effects = list(s.execute(select(EFFECTS.c.key, EFFECTS.c.customer_id, EFFECTS.c.node, EFFECTS.c.calls)))
        counts = list(s.execute(select(EngineCount.node, EngineCount.metric, EngineCount.label, EngineCount.n)))
        cmds = list(s.scalars(select(EngineCommand)))
    steps = [(i.id, node, metric, label) for i in inst for _, node, metric, label, _ in trail_of(i.trail)]
    assert len(inst) == n and len({i.customer_id for i in inst}) == n  # everyone entered, once
    assert {i.status for i in inst} == {"done"}
    assert all(i.node in ("won", "lost") for i in inst)
    per_node = Counter((e.customer_id, e.node) for e in effects)
    assert max(per_node.values()) == 1  # 0 duplicate effects: one key per customer and send node
    did = {i for i, node, metric, label in steps if node == "w" and metric == "passed" and label == "did"}
    by_id = {i.id: i for i in inst}
    want = {(by_id[i].customer_id, "push") for i in by_id} | {(by_id[i].customer_id, "sms") for i in did}
    assert set(per_node) == want  # 0 lost steps: every effect the paths call for happened, and no other
    assert all(by_id[i].node == "won" for i in did) and len(did) > 0
    entered = Counter(i for i, node, metric, _ in steps if node == "in" and metric == "entered")
    assert len(entered) == n and max(entered.values()) == 1
    # Every command done, and each member's command of the outbox rows is exactly one effect (same key).
    own = [u.key for c in cmds for u in units(c)]
    assert {c.status for c in cmds} == {"done"} and len(own) == len(set(own)) == len(effects)
    assert set(own) == {e.key for e in effects}
    summed: Counter[tuple[str, str, str]] = Counter()
    for node, metric, label, k in counts:
        summed[(node, metric, label)] += k
    assert summed == Counter((node, metric, label) for _, node, metric, label in steps)  # counters exactly right
    return {"effects": len(effects), "retried": sum(1 for e in effects if e.calls > 1), "did": len(did)}


def kill_and_restart(data_dir: Path, url: str | None, n: int, kills: int, workers: int = 1) -> None:
    """Run `workers` engine processes, SIGKILL one at a random moment `kills` times, then let all finish."""
    rng = random.Random(7)
    zygote = Zygote(data_dir, url, n)
    try:
        pids = [zygote.spawn() for _ in range(workers)]
        for _ in range(kills):
            time.sleep(rng.uniform(0.01, 0.1))  # short: the faster runtime finishes 10,000 journeys in seconds
            victim = rng.randrange(workers)
            os.kill(pids[victim], signal.SIGKILL)
            assert zygote.wait(pids[victim]) == -signal.SIGKILL
            pids[victim] = zygote.spawn()
        assert [zygote.wait(pid) for pid in pids] == [0] * workers  # each ran until every journey was done
    finally:
        zygote.close()


@pytest.mark.slow
def test_the_engine_killed_100_times_loses_and_repeats_nothing(tmp_path: Path) -> None:
    platform = prepare(tmp_path / "data", None)
    try:
        kill_and_restart(tmp_path / "data", None, CUSTOMERS, KILLS)
        verify(platform, CUSTOMERS)
    finally:
        platform.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_on_postgresql_one_killed_lose_and_repeat_nothing(tmp_path: Path,
                                                                         _fresh_pg_database: str) -> None:
    platform = prepare(tmp_path / "data", _fresh_pg_database)
    try:
        kill_and_restart(tmp_path / "data", _fresh_pg_database, 3_000, kills=5, workers=3)
        verify(platform, 3_000)
    finally:
        platform.close()

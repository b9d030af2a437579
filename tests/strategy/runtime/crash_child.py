"""The engine processes the crash tests kill: each runs one strategy over N customers until every journey is done.

    python crash_child.py DATA_DIR T0 SPEED N [METADATA_URL]

starts a zygote that imports everything once, prints "ready", then reads commands on stdin: `spawn` forks an
engine process and prints its pid (so that a restart costs no import time on a busy machine); `wait PID` reaps it
and prints its exit code (0: it saw every journey done). Time runs SPEED times faster than the wall clock from T0
(so it keeps running across restarts). Customers with an even number log in while they wait, the others time out.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from mofang.platform.context import Platform
from mofang.platform.crypto import PiiCipher
from mofang.platform.settings import Settings
from mofang.platform.storage.metadata import Metadata
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.logic import advance
from mofang.strategy.engine.repository import EngineCommand, EngineInstance
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.service.runtime import EXTRA
from strategy.runtime.kit import DictFacts, RecordingEffects, graph_of

BASE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
STRATEGY = 11


def crash_graph():  # type: ignore[no-untyped-def]
    """segment → push → wait for login (10 min) → did: sms → exit / timeout: delay 1 s → exit.

    The wait is 6 s of wall time: long enough for a worker on a loaded box to see its customers log in.
    """
    return graph_of([
        {"id": "in", "type": "segment_entry", "segment_id": 1},
        {"id": "push", "type": "send", "channel": "push", "template_id": 1},
        {"id": "w", "type": "wait_event", "event": "login", "within_seconds": 600},
        {"id": "sms", "type": "send", "channel": "sms", "template_id": 2},
        {"id": "cool", "type": "delay", "seconds": 1},
        {"id": "won", "type": "exit"},
        {"id": "lost", "type": "exit"},
    ], [("in", "push"), ("push", "w"), ("w", "sms", "did"), ("w", "cool", "timeout"), ("sms", "won"),
        ("cool", "lost")])


def run(data_dir: Path, t0: float, speed: float, n: int, url: str | None) -> None:
    """One engine process: entries, dispatch, timers and the customers' logins until every journey is done."""
    settings = Settings(data_dir=data_dir, metadata_url=url, start_background=False, scheduler=False)
    # The zygote's parent migrated the database: a restart goes straight to work, where the kills should land.
    platform = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()),
                        store=None,  # type: ignore[arg-type]
                        cipher=PiiCipher(settings.secrets_dir()), token_key=b"")

    def clock() -> datetime:
        return BASE + timedelta(seconds=(time.time() - t0) * speed)

    rt = Runtime(advance=advance, effects=RecordingEffects(platform), facts=DictFacts(default_org="HQ"),
                 clock=clock, batch=250, lease_seconds=30, run_lease_seconds=30)
    platform.extras[EXTRA] = rt
    ids = [f"c{i:05d}" for i in range(n)]

    def members(**_: object) -> Iterator[list[str]]:
        for start in range(0, len(ids), 2_000):
            yield ids[start:start + 2_000]

    while True:
        busy = engine.run_entries(platform=platform, rt=rt, members=members)
        busy += engine.dispatch(platform=platform, rt=rt)
        busy += engine.tick_timers(platform=platform, rt=rt)
        with platform.metadata.session() as s:
            waiting = list(s.scalars(select(EngineInstance.customer_id).where(
                EngineInstance.waiting_for == "event:login", EngineInstance.status != "done").limit(500)))
            left = s.scalar(select(func.count()).select_from(EngineInstance).where(EngineInstance.status != "done"))
            total = s.scalar(select(func.count()).select_from(EngineInstance))
            left += s.scalar(select(func.count()).select_from(EngineCommand).where(
                EngineCommand.status == "pending")) or 0
        logins = [{"customer_id": c, "event": "login", "ts": clock().isoformat(), "properties": {},
                   "message_id": f"login-{c}"} for c in waiting if int(c[1:]) % 2 == 0]
        if logins:
            engine.handle_events(platform=platform, events=logins)
            busy += len(logins)
        if total == n and left == 0:
            return
        if not busy:
            time.sleep(0.02)


def zygote() -> None:
    """Fork engine processes on demand (see the module docstring)."""
    data_dir, t0, speed, n = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    url = sys.argv[5] if len(sys.argv) > 5 else None
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "spawn":
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    run(data_dir, t0, speed, n, url)
                    code = 0
                finally:
                    os._exit(code)
            print(pid, flush=True)
        elif cmd == "wait":
            _, status = os.waitpid(int(arg), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    zygote()

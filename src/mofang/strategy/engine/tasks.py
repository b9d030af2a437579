"""Engine loops: timers, the outbox dispatcher, segment entry runs and the bus consumer, as threads.

They run inside `mofang serve` (when `engine_workers_embedded`, the default) and in `mofang worker` processes
beside it. Every loop is safe to run in many processes at once: timers are claimed with row locks (SKIP LOCKED on
PostgreSQL), commands with leases, entry runs with a unique claim, events through a queue group.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.strategy.engine import service

log = logging.getLogger("mofang.engine")
EXTRA = "engine_worker"


class EngineWorker:
    """Background loops of one process; each repeats at once while it finds work, else sleeps `poll` seconds."""

    def __init__(self, platform: Platform, *, timers: bool = True, dispatch: bool = True, entries: bool = False,
                 bus: bool = False, poll: float = 0.5) -> None:
        self.platform = platform
        self.rt = service.get_runtime(platform)
        self.poll = poll
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loops: list[tuple[str, Callable[[], int]]] = []
        if timers:
            self._loops.append(("timers", lambda: service.tick_timers(platform=platform, rt=self.rt)))
        if dispatch:
            self._loops.append(("dispatch", lambda: service.dispatch(platform=platform, rt=self.rt)))
        if entries:
            self._loops.append(("entries", lambda: service.run_entries(platform=platform, rt=self.rt)))
        self._bus_wanted = bus
        self._subscription: Any = None

    def start(self) -> None:
        """Start the loops (and the bus subscription, when a bus exists)."""
        self._stop.clear()
        for name, fn in self._loops:
            t = threading.Thread(target=self._run, args=(name, fn), name=f"mofang-engine-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        if self._bus_wanted:
            self._subscribe()

    def _subscribe(self) -> None:
        """Every ingested event (receipts of the reach centre included) to triggers, waits, goals and result splits."""
        from mofang.platform.bus import subscribe_until_up

        # The platform's own bus: in one process a publish wakes this consumer at once (no polling delay).
        self._subscription = subscribe_until_up(self.platform, "events.>", "engine", self._on_messages, batch=256)

    def _on_messages(self, messages: Sequence[Any]) -> None:
        import orjson

        events = []
        for m in messages:
            try:
                events.append(orjson.loads(m.data))
            except orjson.JSONDecodeError:  # a malformed message can never succeed: acked and dropped
                log.warning("engine dropped an undecodable bus message %s", getattr(m, "id", "?"))
        service.handle_events(platform=self.platform, events=events)

    def _run(self, name: str, fn: Callable[[], int]) -> None:
        while not self._stop.is_set():
            try:
                busy = fn() > 0
            except Exception:  # a transient database error must not end the loop
                log.exception("engine %s loop failed", name)
                busy = False
            if not busy:
                self._stop.wait(self.poll)

    def stop(self) -> None:
        """Stop the loops; a batch in progress finishes (or rolls back) first."""
        self._stop.set()
        if self._subscription is not None:
            self._subscription.stop()
            self._subscription = None
        for t in self._threads:
            t.join(timeout=30)
        self._threads.clear()


def start_embedded(platform: Platform) -> EngineWorker:
    """The engine inside `mofang serve`: segment entry runs always (they read the event store this process owns);
    timers, dispatch and events too unless `engine_workers_embedded` is off (then `mofang worker`s do them)."""
    worker = platform.extras.get(EXTRA)
    if worker is None:
        full = platform.settings.engine_workers_embedded
        worker = EngineWorker(platform, timers=full, dispatch=full, entries=True, bus=full)
        platform.extras[EXTRA] = worker
        worker.start()
    return worker


def stop_embedded(platform: Platform) -> None:
    """Stop the engine threads of `mofang serve`."""
    worker = platform.extras.pop(EXTRA, None)
    if worker is not None:
        worker.stop()


class _NoEventStore:
    """A worker never opens the event store (DuckDB allows one writer: the server)."""

    def read(self) -> Any:
        raise RuntimeError("an engine worker has no event store; segment entries run in `mofang serve`")

    write = read

    def close(self) -> None:
        """Nothing to close."""


def open_worker_platform(settings: Settings) -> Platform:
    """A platform with the metadata database and keys only."""
    from mofang.platform.context import open_metadata
    from mofang.platform.crypto import PiiCipher, signing_key

    return Platform(settings=settings, metadata=open_metadata(settings), store=_NoEventStore(),  # type: ignore[arg-type]
                    cipher=PiiCipher(settings.secrets_dir()), token_key=signing_key(settings.secrets_dir()))


def run_worker(data_dir: Path, *, poll: float = 0.5, settings: Settings | None = None) -> None:
    """Run timers, dispatch and the bus consumer until SIGTERM / SIGINT, then stop cleanly."""
    settings = settings or Settings(data_dir=data_dir)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # before opening: a stop while migrating still ends cleanly
        signal.signal(sig, lambda *_: done.set())
    platform = open_worker_platform(settings)
    worker = EngineWorker(platform, timers=True, dispatch=True, entries=False, bus=True, poll=poll)
    worker.start()
    log.info("engine worker %s started", worker.rt.worker_id)
    try:
        done.wait()
    finally:
        worker.stop()
        bus = platform.extras.pop("bus", None)
        if bus is not None:
            bus.close()
        platform.metadata.dispose()

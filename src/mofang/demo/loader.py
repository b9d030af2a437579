"""A background loader: chunks are written to DuckDB on one thread while the next is generated."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from mofang.platform.storage.eventstore import EventStore

Job = Callable[[duckdb.DuckDBPyConnection], None]


class Clock:
    """Busy seconds per table (generation on the main thread, loading on the loader; they overlap)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def add(self, table: str, seconds: float) -> None:
        """Charge seconds to a table."""
        with self._lock:
            self.seconds[table] += seconds

    @contextmanager
    def on(self, table: str) -> Iterator[None]:
        """Charge the time spent inside the block to a table."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(table, time.perf_counter() - start)


class Loader:
    """Runs write jobs in order, each in its own transaction, on a single background thread.

    DuckDB releases the GIL while it inserts, so numpy generation and loading use both cores. The
    queue is short, which bounds memory to a couple of chunks in flight.
    """

    def __init__(self, store: EventStore, clock: Clock, depth: int = 2) -> None:
        self._store = store
        self._clock = clock
        self._jobs: queue.Queue[tuple[str, Job] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="demo-loader", daemon=True)
        self._thread.start()

    def submit(self, table: str, job: Job) -> None:
        """Queue a write (blocks while the queue is full); re-raises a failure of an earlier write."""
        if self._error is not None:
            raise self._error
        self._jobs.put((table, job))

    def close(self) -> None:
        """Wait for every queued write; re-raise the first failure."""
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            if self._error is not None:
                continue  # after a failure, drain without writing so the producer never blocks
            table, job = item
            start = time.perf_counter()
            try:
                with self._store.write() as cur:
                    job(cur)
            except BaseException as exc:  # handed to the producer on its next submit or close
                self._error = exc
            self._clock.add(table, time.perf_counter() - start)

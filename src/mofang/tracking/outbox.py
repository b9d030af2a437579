"""Stored events onto the bus: a transactional outbox in DuckDB and a publisher thread.

The flusher's transaction that stores a batch also notes its events in `bus_outbox` under a batch id (the
published-position marker). After the commit the batch's bus messages go to this publisher, which publishes
them (durable when `publish_messages` returns) and moves `published_upto` on; the flusher's next transaction
clears the outbox up to there. A crash in between leaves the batch in the outbox, and `start` republishes
it from the stored events: at least once, the consumer dedupes by message id (NATS also by Nats-Msg-Id).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

import pyarrow as pa
import pyarrow.compute as pc

from mofang.platform.bus import Bus, BusMessage, bus_of, event_subject
from mofang.platform.context import Platform
from mofang.tracking import repository

log = logging.getLogger("mofang.tracking")

MAX_QUEUED_EVENTS = 500_000  # beyond this a batch waits in the outbox only and is reloaded from the store
RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)


def messages_of(table: pa.Table) -> list[BusMessage]:
    """Bus messages from the (event, message_id, payload) columns the repository builds."""
    payloads = pc.cast(table["payload"], pa.binary()).to_pylist()
    return [BusMessage(event_subject(e), p, m) for e, m, p in
            zip(table["event"].to_pylist(), table["message_id"].to_pylist(), payloads, strict=True)]


class EventPublisher:
    """Publishes what the ingestor stored, in store order, never dropping a batch (retried until the bus takes it)."""

    def __init__(self, platform: Platform, *, background: bool, bus: Bus | None = None) -> None:
        self.platform = platform
        self.bus = bus if bus is not None else bus_of(platform)
        self.background = background
        self._cond = threading.Condition()
        self._queue: deque[tuple[int, pa.Table | None]] = deque()
        self._queued_events = 0
        self._last_id = 0
        self._unpublished: set[int] = set()  # batch ids handed out whose messages are not on the bus yet
        self.cleared_upto = 0  # the outbox holds no batch up to this id
        self.published_events = 0
        self.last_error: str | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Republish what a crash left in the outbox (before any new batch), then start the thread."""
        self._last_id = repository.ensure_outbox(self.platform.store)
        left = repository.outbox_batches(self.platform.store)
        for batch in left:
            self._queue.append((batch, None))
            self._unpublished.add(batch)
        if left:
            log.info("ingestion: %d stored batches were not known to be on the bus; republishing", len(left))
        if self.background:
            self._thread = threading.Thread(target=self._run, name="mofang-ingest-publisher", daemon=True)
            self._thread.start()
        else:
            self._drain()

    def reserve(self) -> int:
        """A new outbox batch id, above every id used before (also across restarts), unpublished until submitted
        and published (or abandoned)."""
        with self._cond:
            self._last_id = max(self._last_id + 1, time.time_ns())
            self._unpublished.add(self._last_id)
            return self._last_id

    def abandon(self, batch: int) -> None:
        """The transaction that reserved this id rolled back: it has no outbox rows."""
        with self._cond:
            self._unpublished.discard(batch)

    def clearable(self) -> int | None:
        """The outbox id a store transaction may clear up to (None: nothing new): every batch up to it is on
        the bus, whatever order concurrent transactions committed and submitted in."""
        with self._cond:
            upto = min(self._unpublished) - 1 if self._unpublished else self._last_id
        return upto if upto > self.cleared_upto else None

    def cleared(self, upto: int) -> None:
        """The store transaction that cleared up to `upto` committed."""
        self.cleared_upto = max(self.cleared_upto, upto)

    def submit(self, batch: int, table: pa.Table | None) -> None:
        """Queue a committed batch's messages (inline mode: publish now)."""
        with self._cond:
            if table is not None and self._queued_events + table.num_rows > MAX_QUEUED_EVENTS:
                table = None  # kept in the outbox; reloaded from the store when its turn comes
            self._queue.append((batch, table))
            self._queued_events += table.num_rows if table is not None else 0
            self._cond.notify_all()
        if not self.background:
            self._drain()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait(1.0)
                if not self._queue and self._stopping:
                    return
            self._drain()
            if self._stopping:
                return  # what could not be published stays in the outbox for the next start

    def _drain(self) -> None:
        """Publish queued batches in order; a failure is retried (the batch stays first in line)."""
        attempt = 0
        while True:
            with self._cond:
                if not self._queue:
                    return
                batch, table = self._queue[0]
            try:
                messages = messages_of(repository.bus_messages(self.platform.store, table) if table is not None
                                       else repository.outbox_messages(self.platform.store, batch=batch))
                if messages:
                    self.bus.publish_messages(messages)
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("ingestion: publishing %d stored events to the bus failed; retrying",
                              table.num_rows if table is not None else -1)
                if not self.background or self._stopping:
                    return  # the outbox keeps it; the next submit or start tries again
                time.sleep(RETRY_S[min(attempt, len(RETRY_S) - 1)])
                attempt += 1
                continue
            attempt = 0
            with self._cond:
                self._queue.popleft()
                self._queued_events -= table.num_rows if table is not None else 0
                self._unpublished.discard(batch)
                self.published_events += len(messages)
                self.last_error = None
                self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything submitted is on the bus; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Publish what is queued (bounded by `timeout`), stop, and clear the outbox of what was published."""
        if self.background:
            self.wait_idle(timeout)
        else:
            self._drain()  # one more try; what the bus still refuses stays in the outbox
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        upto = self.clearable()
        if upto is not None:
            with self.platform.store.write() as cur:
                repository.clear_outbox(cur, upto=upto)
            self.cleared(upto)

    def status(self) -> dict[str, object]:
        """Counters for the ingestion status endpoint."""
        with self._cond:
            return {"published_events": self.published_events, "queued_batches": len(self._queue),
                    "last_error": self.last_error}

"""Impressions and clicks on their way to ingestion: queued by the decision, handed over in the background.

Two hand-overs drain the one queue. On the server's event loop (the fast decision path) a task sends a batch every
`FLUSH_SECONDS` through the parse workers, the path a /v1 body takes, so the validation of the events runs in another
process and not under the GIL the decisions need. Decisions made on other threads (the full route, the in-process
service, tests) start a thread that prepares small chunks in this process. Both keep what ingestion refused for the
next round (bounded), and `drain` hands everything over when the server stops.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mofang.platform.context import Platform
from mofang.reach.placement.contracts import PlacementRule

log = logging.getLogger("mofang.reach.placement")
FLUSH_SECONDS = 0.25
MAX_PENDING = 100_000
LOOP_CHUNK = 1000  # events per parse-worker request (≈ 0.5 MB of JSON)
THREAD_CHUNK = 100  # events prepared in this process at a time: the GIL is let go between chunks
# messageIds: random per process, counted within it (unique without a uuid4 per event, which cost 10% of a decision)
_PREFIX = f"placement-{uuid.uuid4().hex}-"
_SEQ = itertools.count(1)


class Outbox:
    """The queued placement events of one platform and the tasks that hand them to ingestion."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.pending: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)  # notified when a hand-over from the loop has finished
        self.in_flight = 0  # batches the loop has taken and not yet handed over
        self.thread: threading.Thread | None = None
        self.task: asyncio.Task[None] | None = None

    def add(self, name: str, rule: PlacementRule, customer_id: str, at: datetime) -> None:
        """Queue one event (dropped beyond MAX_PENDING: ingestion has been down for minutes)."""
        props = {"placement_id": rule.id, "slot": rule.slot, "template_id": rule.template_id, "channel": "placement",
                 "strategy_id": rule.strategy_id, "campaign_id": rule.campaign_id}
        message = {"type": "track", "event": name, "userId": customer_id,
                   "messageId": f"{_PREFIX}{next(_SEQ)}", "timestamp": at.isoformat(),
                   "properties": {k: v for k, v in props.items() if v is not None},
                   "context": {"library": {"name": "mofang-reach"}}}
        with self.lock:
            if len(self.pending) < MAX_PENDING:
                self.pending.append(message)

    def _take(self) -> list[dict[str, Any]]:
        with self.lock:
            batch, self.pending = self.pending, []
        return batch

    def _keep(self, batch: Sequence[dict[str, Any]]) -> None:
        """Put back what ingestion did not take, ahead of newer events (bounded)."""
        with self.lock:
            self.pending[:0] = list(batch)[: max(0, MAX_PENDING - len(self.pending))]

    # -- from the event loop -----------------------------------------------------------------------

    def flush_on_loop(self) -> None:
        """Make sure a task on the running loop hands the queue over (call from a coroutine or loop callback)."""
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._loop_flusher())

    async def _loop_flusher(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            with self.lock:
                batch, self.pending = self.pending, []
                if not batch:
                    return
                self.in_flight += 1
            try:
                await self._hand_over_async(batch)
            finally:
                with self.lock:
                    self.in_flight -= 1
                    self.idle.notify_all()

    async def _hand_over_async(self, batch: list[dict[str, Any]]) -> None:
        from mofang.tracking import ingest_server_events_async
        from mofang.tracking.parsers import ParserUnavailable
        from mofang.tracking.service import Overloaded

        for start in range(0, len(batch), LOOP_CHUNK):
            try:
                await ingest_server_events_async(self.platform, batch[start:start + LOOP_CHUNK])
            except (Overloaded, ParserUnavailable, OSError, TimeoutError, ValueError) as exc:
                log.debug("placement events wait for ingestion: %s", type(exc).__name__)
                self._keep(batch[start:])
                return

    # -- from other threads ------------------------------------------------------------------------

    def flush_in_thread(self) -> None:
        """Make sure a background thread hands the queue over (for decisions made off the event loop)."""
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._thread_flusher, daemon=True, name="placement-events")
                self.thread.start()

    def _thread_flusher(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            batch = self._take()
            if not batch:
                return
            self.hand_over(batch)

    def hand_over(self, batch: Sequence[dict[str, Any]]) -> int:
        """Ingest `batch` from this thread, a small chunk at a time; how many went (the rest is kept)."""
        from mofang.tracking import ingest_server_events
        from mofang.tracking.service import Overloaded

        done = 0
        for start in range(0, len(batch), THREAD_CHUNK):
            try:
                done += ingest_server_events(self.platform, batch[start:start + THREAD_CHUNK])
            except (Overloaded, OSError, TimeoutError, ValueError) as exc:
                log.debug("placement events wait for ingestion: %s", type(exc).__name__)
                self._keep(batch[start:])
                break
            time.sleep(0)  # let the request threads have the GIL between chunks
        return done

    def drain(self, timeout: float = 10.0) -> int:
        """Hand everything queued over now, after the loop's hand-over in flight (from a thread, not the loop)."""
        with self.lock:
            self.idle.wait_for(lambda: self.in_flight == 0, timeout)
        return self.hand_over(self._take())

    async def close(self) -> None:
        """Before the server stops ingestion: hand over what is queued and wait for hand-overs in flight."""
        await self._hand_over_async(self._take())
        if self.task is not None and not self.task.done():
            await asyncio.wait([self.task], timeout=10)
        thread = self.thread
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, 10)
        await self._hand_over_async(self._take())

"""Ingestion orchestration: write-key checks, the WAL, the background flusher, replay on start.

The path of an accepted event: a parse worker validates (`parsers`) → `Ingestor.submit` → WAL writer thread (group
fsync) → 200 → flusher thread moves it into DuckDB every `ingest_flush_interval_ms`, in one
transaction that also records the WAL position flushed, so replay after a crash is exactly-once.
With `start_background` off (CLI imports) there are no threads: `submit` writes to DuckDB inline.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mofang.platform.context import Platform
from mofang.tracking import identity, pii, repository, wal
from mofang.tracking.keys import key_cache
from mofang.tracking.logic import now_us
from mofang.tracking.outbox import EventPublisher
from mofang.tracking.seen import SeenIndex

log = logging.getLogger("mofang.tracking")

WAL_DIR = "ingest-wal"
MAX_FLUSH_RECORDS = 100_000  # per DuckDB transaction; a backlog is moved in several
MAX_PENDING_RECORDS = 500_000  # beyond this the API answers 503 until the flusher catches up
PURGE_EVERY_S = 3600.0
# The WAL writer needs the GIL back three times per group commit while the event loop is busy
# validating other requests; at Python's default 5 ms switch interval that alone added ~15 ms to
# every acknowledgement (measured), at 0.5 ms it adds ~2 ms.
GIL_SWITCH_INTERVAL_S = 0.0005
_DAY_US = 86_400 * 1_000_000


class Overloaded(RuntimeError):
    """Ingestion is behind or stopping: the client should retry shortly (503)."""


@dataclass
class FlushStats:
    """What the flusher has done, for the status endpoint."""

    flushed_events: int = 0
    stored_events: int = 0
    flushes: int = 0
    last_flush_at: float | None = None
    last_flush_ms: float | None = None
    last_error: str | None = None


class Ingestor:
    """Owns the WAL writer and the flusher thread of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.settings = platform.settings
        self.background = platform.settings.start_background
        self.wal_dir = platform.settings.data_dir / WAL_DIR
        self.stats = FlushStats()
        self._cond = threading.Condition()
        # Durable but not yet in DuckDB: (WAL position reached, JSON-lines payloads, record count).
        self._pending: deque[tuple[wal.Position, list[bytes], int]] = deque()
        self._pending_count = 0
        self._durable: wal.Position = (0, 0)
        self._flushed: wal.Position = (0, 0)
        self._flush_wanted = False
        self._stopping = False
        self._writer: wal.WalWriter | None = None
        self._flusher: threading.Thread | None = None
        self._next_purge = 0.0
        self.orphans: identity.OrphanIndex | None = None
        self.seen = SeenIndex()  # loaded from the store in start()
        self.publisher: EventPublisher | None = None  # stored events onto the bus (outbox.py)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Started and not stopping."""
        return not self._stopping

    def start(self) -> None:
        """Replay what the WAL holds beyond the flushed position, then start the writer and flusher."""
        if self.background:
            self.orphans = identity.OrphanIndex()
            self.orphans.load(self.platform.store)
        self._purge_dedupe()
        self._load_seen()  # after the purge, before replay: replayed events are deduped against it
        self.publisher = EventPublisher(self.platform, background=self.background)
        self.publisher.start()  # before replay: what a crash left unpublished goes out first
        self._flushed = self._durable = self._replay()
        if not self.background:
            return
        last = max([self._flushed[0], *wal.segments(self.wal_dir)])
        # A fresh segment each start: never append behind a tail that replay had to cut.
        self._writer = wal.WalWriter(self.wal_dir, first_segment=last + 1, on_durable=self._on_durable)
        self._flusher = threading.Thread(target=self._run_flusher, name="mofang-ingest-flusher", daemon=True)
        self._flusher.start()

    def stop(self) -> None:
        """Refuse new events, write and flush everything accepted, then stop the threads."""
        with self._cond:
            self._stopping = True
        if self._writer is not None:
            self._writer.close()
        with self._cond:
            self._cond.notify_all()
        if self._flusher is not None:
            self._flusher.join()
        if self._writer is not None and self._flushed >= self._durable:
            wal.remove_before(self.wal_dir, self._writer.segment + 1)
        if self.publisher is not None:
            self.publisher.stop()

    def _replay(self) -> wal.Position:
        """Move WAL frames not yet in DuckDB into it; returns the position now flushed."""
        position = repository.load_position(self.platform.store)
        chunk: list[bytes] = []
        in_chunk = replayed = stored = 0
        chunk_end = position
        for end, payload in wal.scan(self.wal_dir, position):
            chunk.append(payload)
            in_chunk += wal.count_lines(payload)
            chunk_end = end
            if in_chunk >= MAX_FLUSH_RECORDS:
                stored += self._store(chunk, chunk_end)
                replayed += in_chunk
                chunk, in_chunk = [], 0
        if chunk:
            stored += self._store(chunk, chunk_end)
            replayed += in_chunk
        if replayed:
            log.info("ingestion: replayed %d events from the WAL (%d new)", replayed, stored)
        # Everything valid in the log is in the store now.
        wal.remove_before(self.wal_dir, max([chunk_end[0], *wal.segments(self.wal_dir)]) + 1)
        return chunk_end

    def _store(self, payloads: list[bytes], position: wal.Position | None) -> int:
        """One transaction: new events, links, backfill and (with a WAL) the position reached."""
        batch = repository.lines_table(b"\n".join(payloads))
        publisher = self.publisher
        outbox = clear = None
        try:
            with self.platform.store.write() as cur:
                if publisher is not None:  # inside the write lock: ids follow commit order
                    outbox, clear = publisher.reserve(), publisher.clearable()
                stored = repository.insert(cur, batch, self.orphans, self.seen, outbox_batch=outbox)
                if position is not None:
                    repository.save_position(cur, position)
                if clear is not None:
                    repository.clear_outbox(cur, upto=clear)
        except BaseException:
            if publisher is not None and outbox is not None:
                publisher.abandon(outbox)
            raise
        # Only now, committed: a failed flush must not leave its messageIds looking stored.
        self.seen.add(stored.hashes)
        if publisher is not None and outbox is not None:
            publisher.cleared(clear or 0)
            if stored.count:
                publisher.submit(outbox, stored.bus)
            else:
                publisher.abandon(outbox)
        return stored.count

    # -- the request side ------------------------------------------------------------------------

    def submit(self, payload: bytes, count: int) -> Future[wal.Position]:
        """Make a payload of `count` records durable; the future resolves then (raises Overloaded when refused)."""
        if not self.background:
            fut: Future[wal.Position] = Future()
            self._store([payload], None)
            fut.set_result(self._durable)
            return fut
        if self._stopping or self._writer is None:
            raise Overloaded("ingestion is stopping; retry shortly")
        if self._pending_count > MAX_PENDING_RECORDS:
            raise Overloaded("ingestion is behind; retry shortly")
        try:
            return self._writer.append(payload, count)
        except wal.WalClosed as exc:
            raise Overloaded(str(exc)) from exc

    def _on_durable(self, position: wal.Position, payloads: list[bytes], count: int) -> None:
        """Called by the WAL writer after each fsync: hand the payloads to the flusher."""
        with self._cond:
            self._pending.append((position, payloads, count))
            self._pending_count += count
            self._durable = position
            if self._pending_count >= MAX_FLUSH_RECORDS:
                self._cond.notify_all()

    # -- the flusher -----------------------------------------------------------------------------

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every event acknowledged so far is in DuckDB; False on timeout."""
        if not self.background or self._flusher is None:
            return True
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._durable
            self._flush_wanted = True
            self._cond.notify_all()
            while self._flushed < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._flusher.is_alive():
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def _run_flusher(self) -> None:
        # Moving events into DuckDB may lag by a flush or two; acknowledging requests may not. On a
        # small box both compete for the same cores, so DuckDB's workers yield first. Not this thread:
        # it takes the GIL, and a descheduled low-priority GIL holder would stall the event loop.
        self.platform.store.lower_worker_priority(self.settings.ingest_worker_niceness)
        interval = max(self.settings.ingest_flush_interval_ms, 1) / 1000.0
        while True:
            with self._cond:
                if not (self._stopping or self._flush_wanted or self._pending_count >= MAX_FLUSH_RECORDS):
                    self._cond.wait(interval)
                self._flush_wanted = False
                stopping = self._stopping
            while self._flush_once():
                pass
            if stopping:
                # The writer is closed before the flusher is told to stop: nothing more can arrive.
                return
            if time.monotonic() >= self._next_purge and self._purge_dedupe():
                self._load_seen()

    def _flush_once(self) -> bool:
        """Move one transaction's worth of pending records into DuckDB; True if more remain."""
        with self._cond:
            if not self._pending:
                return False
            groups = []
            count = 0
            while self._pending and count < MAX_FLUSH_RECORDS:
                groups.append(self._pending.popleft())
                count += groups[-1][2]
        position = groups[-1][0]
        payloads = [p for g in groups for p in g[1]]
        started = time.perf_counter()
        try:
            stored = self._store(payloads, position)
        except Exception as exc:  # the records stay in the WAL and in memory; try again next round
            log.exception("ingestion flush of %d events failed", count)
            if self.orphans is not None:
                self.orphans.load(self.platform.store)  # it may have forgotten ids the rollback kept orphaned
            with self._cond:
                self._pending.extendleft(reversed(groups))
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(min(1.0, self.settings.ingest_flush_interval_ms / 1000.0))
            return not self._stopping
        with self._cond:
            self._pending_count -= count
            self._flushed = position
            self.stats.flushed_events += count
            self.stats.stored_events += stored
            self.stats.flushes += 1
            self.stats.last_flush_at = time.time()
            self.stats.last_flush_ms = (time.perf_counter() - started) * 1000
            self.stats.last_error = None
            more = bool(self._pending)
            self._cond.notify_all()
        # Whole segments before the one holding the flushed position are no longer needed.
        wal.remove_before(self.wal_dir, position[0])
        return more

    def _load_seen(self) -> None:
        """Rebuild the in-memory index of stored messageIds from the dedupe table."""
        self.seen = SeenIndex(repository.dedupe_hashes(self.platform.store))

    def _purge_dedupe(self) -> int:
        """Forget messageIds older than the dedupe retention (at least 7 days is promised); returns how many."""
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        days = max(self.settings.ingest_dedupe_days, 7)
        try:
            n = repository.purge_dedupe(self.platform.store, before_us=now_us() - days * _DAY_US)
        except Exception:
            log.exception("ingestion: dedupe purge failed")
            return 0
        if n:
            log.info("ingestion: forgot %d messageIds older than %d days", n, days)
        return n

    def status(self) -> dict[str, Any]:
        """Counters for operators: backlog, positions, last flush."""
        with self._cond:
            s = self.stats
            return {
                "mode": "background" if self.background else "inline",
                "pending_events": self._pending_count,
                "durable_position": list(self._durable),
                "flushed_position": list(self._flushed),
                "flushes": s.flushes,
                "flushed_events": s.flushed_events,
                "stored_events": s.stored_events,
                "duplicates_skipped": s.flushed_events - s.stored_events,
                "last_flush_at": datetime.fromtimestamp(s.last_flush_at, UTC).isoformat()
                if s.last_flush_at else None,
                "last_flush_ms": round(s.last_flush_ms, 1) if s.last_flush_ms is not None else None,
                "last_error": s.last_error,
                "unattributed_anonymous_ids": len(self.orphans) if self.orphans is not None else None,
                "bus": self.publisher.status() if self.publisher is not None else None,
            }


def start_ingestion(platform: Platform, *, protect_stored: bool = True) -> None:
    """Replay the WAL and start the WAL writer and flusher (no threads when start_background is off).

    `protect_stored=False` leaves the one-off pass over stored events to the next start (the demo seeding runs
    ingestion briefly; on a fresh 20,000-customer bank that pass alone is over a minute, and `serve` does it).
    """
    key_cache(platform)
    current = platform.extras.get("ingestor")
    if current is not None and current.running:
        return
    ingestor = Ingestor(platform)
    ingestor.start()
    platform.extras["ingestor"] = ingestor
    if protect_stored:
        pii.protect_stored(platform)  # after replay: frames an older version logged may hold PII in clear
    if platform.settings.start_background:
        # Everything built so far (modules, routes, settings) lives as long as the process: keep it
        # out of the collector's full passes, which otherwise cost 50-300 ms on the request path.
        gc.freeze()
        platform.extras["ingest_previous_switch_interval"] = sys.getswitchinterval()
        sys.setswitchinterval(min(GIL_SWITCH_INTERVAL_S, sys.getswitchinterval()))


def stop_ingestion(platform: Platform) -> None:
    """Flush everything accepted into DuckDB and stop the threads."""
    ingestor = platform.extras.pop("ingestor", None)
    if ingestor is not None:
        ingestor.stop()
        if ingestor.background:
            gc.unfreeze()  # let what start_ingestion froze be collected again (and freed at exit)
            previous = platform.extras.pop("ingest_previous_switch_interval", None)
            if previous is not None:
                sys.setswitchinterval(previous)


def ingestor_of(platform: Platform) -> Ingestor:
    """The running ingestor (raises Overloaded when ingestion is not started)."""
    ingestor = platform.extras.get("ingestor")
    if ingestor is None:
        raise Overloaded("ingestion is not running; retry shortly")
    return ingestor


def events_total(platform: Platform) -> int:
    """How many events the store holds."""
    return repository.count_events(platform.store)

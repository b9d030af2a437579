"""The embedded bus: a SQLite queue file in the data dir, durable across crashes, shared by local processes.

One row per message (`seq` grows with every commit). A consumer group has a cursor (`next_seq`, the first
message no member has claimed) and claims: a member takes the next batch as one claim row (seq range, lease
deadline) in the same transaction that moves the cursor, runs the handler, then deletes the claim (the ack).
A handler that raises shortens the lease to a short back-off; a member that dies simply stops renewing, and
once the lease runs out another member takes the claim over. So each message goes to one member of a
group at a time, at least once, and every group sees every message.

Publishing commits with `synchronous=FULL` (durable when `publish` returns); claims and acks use NORMAL:
losing one in a power cut only means a redelivery.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from mofang.platform.bus import logic
from mofang.platform.bus.contracts import BusMessage, Handler

log = logging.getLogger("mofang.bus")

DDL = (
    """CREATE TABLE IF NOT EXISTS bus_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        id TEXT NOT NULL,
        data BLOB NOT NULL,
        published_at REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bus_groups (
        name TEXT NOT NULL, pattern TEXT NOT NULL, next_seq INTEGER NOT NULL, PRIMARY KEY (name, pattern)
    )""",
    """CREATE TABLE IF NOT EXISTS bus_claims (
        claim_id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL, pattern TEXT NOT NULL,
        lo INTEGER NOT NULL, hi INTEGER NOT NULL,
        lease_until REAL NOT NULL,
        deliveries INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS bus_claims_by_group ON bus_claims (name, pattern, lease_until)",
)
RETENTION_EVERY_S = 5.0
WATCH_S = 0.002  # how often an idle member looks for commits by other processes (data_version: no query, ~µs)
MAX_AGE_S = 7 * 86_400.0  # messages no group has consumed are dropped after this (a group gone for good)


def _connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.create_function("bus_match", 2, logic.matches, deterministic=True)
    return conn


def _where(pattern: str) -> tuple[str, list[str]]:
    """SQL condition (and parameters) selecting the subjects a pattern matches; indexes-friendly when it can be."""
    tokens = pattern.split(".")
    if "*" not in tokens and ">" not in tokens:
        return "subject = ?", [pattern]
    if "*" not in tokens:  # prefix.>: a range, '/' sorts right after '.'
        prefix = ".".join(tokens[:-1])
        return "subject > ? AND subject < ?", [prefix + ".", prefix + "/"]
    return "bus_match(?, subject)", [pattern]


class _Claim:
    def __init__(self, claim_id: int, deliveries: int, messages: list[BusMessage]) -> None:
        self.claim_id = claim_id
        self.deliveries = deliveries
        self.messages = messages


class EmbeddedBus:
    """Durable SQLite-backed bus; every process opening the same file shares its groups."""

    def __init__(self, path: Path, *, ack_wait: float = 30.0, poll_interval: float = 0.05,
                 max_age: float = MAX_AGE_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.ack_wait = ack_wait
        self.poll_interval = poll_interval
        self.max_age = max_age
        self._conn = _connect(path, synchronous="FULL")
        for stmt in DDL:
            self._conn.execute(stmt)
        self._lock = threading.Lock()
        self._wake = threading.Condition()
        self._generation = 0  # bumped by every publish in this process: a wake-up can never be missed
        self._subs: list[_EmbeddedSubscription] = []
        self._ids = itertools.count()
        self._id_prefix = os.urandom(8).hex()
        self._closed = False

    def publish(self, subject: str, payloads: Sequence[bytes], *, ids: Sequence[str] | None = None) -> None:
        """Append the payloads in one transaction; durable (fsync'd) when this returns."""
        logic.check_subject(subject)
        if ids is None:
            ids = [f"{self._id_prefix}-{next(self._ids)}" for _ in payloads]
        elif len(ids) != len(payloads):
            raise ValueError("ids and payloads differ in length")
        self._append(zip(itertools.repeat(subject), ids, payloads, strict=False))

    def publish_messages(self, messages: Sequence[BusMessage]) -> None:
        """Append messages of any subjects, in order, in one transaction."""
        for subject in {m.subject for m in messages}:
            logic.check_subject(subject)
        self._append((m.subject, m.id, m.data) for m in messages)

    def _append(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        now = time.time()
        with self._lock:
            if self._closed:
                raise RuntimeError("bus is closed")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self._conn.executemany(
                    "INSERT INTO bus_messages (subject, id, data, published_at) VALUES (?, ?, ?, ?)",
                    ((s, i, d, now) for s, i, d in rows))
                added = cur.rowcount
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        if added:
            with self._wake:
                self._generation += 1
                self._wake.notify_all()

    def subscribe(self, subject: str, group: str, handler: Handler, *, batch: int = 256) -> _EmbeddedSubscription:
        """Start a member of `group` on a thread of its own."""
        logic.check_subject(subject, pattern=True)
        if not group or batch < 1:
            raise ValueError("a subscription needs a group name and a batch of at least 1")
        sub = _EmbeddedSubscription(self, subject, group, handler, batch)
        with self._lock:
            if self._closed:
                raise RuntimeError("bus is closed")
            self._subs.append(sub)
        sub.start()
        return sub

    def close(self) -> None:
        """Stop the subscriptions (each finishes its handler call) and close the file."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.stop()
        with self._lock:
            self._conn.close()

    def backlog(self, subject: str, group: str) -> int:
        """Messages of a pattern the group has not acked yet (claimed or not), for operators and tests."""
        where, params = _where(subject)
        with contextlib.closing(_connect(self.path, synchronous="NORMAL")) as conn:
            row = conn.execute("SELECT next_seq FROM bus_groups WHERE name = ? AND pattern = ?",
                               [group, subject]).fetchone()
            next_seq = row[0] if row else 0
            claims = conn.execute("SELECT lo, hi FROM bus_claims WHERE name = ? AND pattern = ?",
                                  [group, subject]).fetchall()
            n = conn.execute(f"SELECT count(*) FROM bus_messages WHERE seq >= ? AND {where}",
                             [next_seq, *params]).fetchone()[0]
            for lo, hi in claims:
                n += conn.execute(f"SELECT count(*) FROM bus_messages WHERE seq BETWEEN ? AND ? AND {where}",
                                  [lo, hi, *params]).fetchone()[0]
        return int(n)

    # -- used by the subscriptions -----------------------------------------------------------------

    def _wait(self, timeout: float, generation: int | None = None) -> bool:
        """Wait up to `timeout` for a publish in this process (at once when one came since `generation`)."""
        with self._wake:
            if generation is not None and self._generation != generation:
                return True
            return self._wake.wait(timeout)

    def _wake_all(self) -> None:
        with self._wake:
            self._generation += 1
            self._wake.notify_all()


class _EmbeddedSubscription:
    """One group member: claim a batch, run the handler, ack (or back off), repeat."""

    def __init__(self, bus: EmbeddedBus, pattern: str, group: str, handler: Handler, batch: int) -> None:
        self.bus = bus
        self.pattern = pattern
        self.group = group
        self.handler = handler
        self.batch = batch
        self._where, self._params = _where(pattern)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"mofang-bus-{group}", daemon=True)
        self._conn: sqlite3.Connection | None = None
        self._next_retention = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the handler call in progress (its batch is acked), then stop."""
        self._stopping.set()
        self.bus._wake_all()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _run(self) -> None:
        self._conn = _connect(self.bus.path, synchronous="NORMAL")
        try:
            self._conn.execute("INSERT OR IGNORE INTO bus_groups VALUES (?, ?, 0)", [self.group, self.pattern])
            while not self._stopping.is_set():
                generation = self.bus._generation
                try:
                    claim = self._claim()
                except sqlite3.Error:
                    log.exception("bus: claiming for group %s failed; retrying", self.group)
                    claim = None
                    self._stopping.wait(1.0)
                self._retain()
                if claim is None:
                    self._idle(generation)
                    continue
                self._deliver(claim)
        finally:
            self._conn.close()

    def _idle(self, generation: int) -> None:
        """Wait for work: woken at once by a publish in this process; a commit by another process is seen within
        WATCH_S through SQLite's `data_version` (a shared-memory read, no query); expired claims every poll."""
        assert self._conn is not None
        seen = self._conn.execute("PRAGMA data_version").fetchone()[0]
        until = time.monotonic() + self.bus.poll_interval
        while not self._stopping.is_set():
            left = until - time.monotonic()
            if left <= 0 or self.bus._wait(min(WATCH_S, left), generation):
                return
            if self._conn.execute("PRAGMA data_version").fetchone()[0] != seen:
                return

    def _deliver(self, claim: _Claim) -> None:
        assert self._conn is not None
        try:
            if claim.messages:
                self.handler(claim.messages)
        except Exception:
            log.exception("bus: handler of group %s failed on %d messages (delivery %d); redelivering",
                          self.group, len(claim.messages), claim.deliveries)
            delay = logic.redelivery_delay(claim.deliveries, ack_wait=self.bus.ack_wait)
            self._write("UPDATE bus_claims SET lease_until = ? WHERE claim_id = ?",
                        [time.time() + delay, claim.claim_id])
            return
        self._write("DELETE FROM bus_claims WHERE claim_id = ?", [claim.claim_id])

    def _write(self, sql: str, params: list[object]) -> None:
        # An ack lost to a locked file would only cause a redelivery, but try hard: it is cheap.
        assert self._conn is not None
        for attempt in range(5):
            try:
                self._conn.execute(sql, params)
                return
            except sqlite3.OperationalError:
                if attempt == 4:
                    log.exception("bus: ack/nak for group %s failed; the batch will be redelivered", self.group)
                    return
                time.sleep(0.1 * (attempt + 1))

    def _due(self, now: float) -> bool:
        """Cheap read-only check: is there anything to claim (new messages or an expired claim)?"""
        assert self._conn is not None
        row = self._conn.execute(
            """SELECT (SELECT coalesce(max(seq), 0) FROM bus_messages) >= g.next_seq
                      OR EXISTS (SELECT 1 FROM bus_claims c WHERE c.name = g.name AND c.pattern = g.pattern
                                 AND c.lease_until <= ?)
               FROM bus_groups g WHERE g.name = ? AND g.pattern = ?""",
            [now, self.group, self.pattern]).fetchone()
        return bool(row and row[0])

    def _claim(self) -> _Claim | None:
        """Take over an expired claim, or claim the next batch; None when there is nothing to do."""
        conn = self._conn
        assert conn is not None
        now = time.time()
        if not self._due(now):
            return None
        lease = now + self.bus.ack_wait
        conn.execute("BEGIN IMMEDIATE")
        try:
            expired = conn.execute(
                """SELECT claim_id, lo, hi, deliveries FROM bus_claims
                   WHERE name = ? AND pattern = ? AND lease_until <= ? ORDER BY lo LIMIT 1""",
                [self.group, self.pattern, now]).fetchone()
            if expired is not None:
                claim_id, lo, hi, deliveries = expired
                conn.execute("UPDATE bus_claims SET lease_until = ?, deliveries = ? WHERE claim_id = ?",
                             [lease, deliveries + 1, claim_id])
                rows = conn.execute(
                    f"SELECT seq, subject, id, data FROM bus_messages WHERE seq BETWEEN ? AND ? AND {self._where}"
                    " ORDER BY seq", [lo, hi, *self._params]).fetchall()
                conn.execute("COMMIT")
                return _Claim(claim_id, deliveries + 1, [BusMessage(s, bytes(d), i) for _, s, i, d in rows])
            next_seq = conn.execute("SELECT next_seq FROM bus_groups WHERE name = ? AND pattern = ?",
                                    [self.group, self.pattern]).fetchone()[0]
            rows = conn.execute(
                f"SELECT seq, subject, id, data FROM bus_messages WHERE seq >= ? AND {self._where}"
                " ORDER BY seq LIMIT ?", [next_seq, *self._params, self.batch]).fetchall()
            if len(rows) == self.batch:
                new_next = rows[-1][0] + 1
            else:  # everything committed was scanned (this transaction holds the write lock)
                new_next = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM bus_messages").fetchone()[0]
            conn.execute("UPDATE bus_groups SET next_seq = ? WHERE name = ? AND pattern = ?",
                         [max(new_next, next_seq), self.group, self.pattern])
            claim = None
            if rows:
                cur = conn.execute(
                    "INSERT INTO bus_claims (name, pattern, lo, hi, lease_until, deliveries) VALUES (?, ?, ?, ?, ?, 1)",
                    [self.group, self.pattern, rows[0][0], rows[-1][0], lease])
                claim = _Claim(int(cur.lastrowid or 0), 1, [BusMessage(s, bytes(d), i) for _, s, i, d in rows])
            conn.execute("COMMIT")
            return claim
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _retain(self) -> None:
        """Now and then, delete messages every group is past (or older than the maximum age)."""
        now = time.time()
        if now < self._next_retention:
            return
        self._next_retention = now + RETENTION_EVERY_S
        conn = self._conn
        assert conn is not None
        try:
            # A message is still needed while some group's cursor or open claim has not passed it.
            floor = conn.execute(
                """SELECT min(low) FROM (
                       SELECT min(next_seq) AS low FROM bus_groups
                       UNION ALL SELECT min(lo) FROM bus_claims)""").fetchone()[0]
            # Rows are in publish order: the first one young enough bounds the too-old ones (no index needed).
            young = conn.execute("SELECT seq FROM bus_messages WHERE published_at >= ? ORDER BY seq LIMIT 1",
                                 [now - self.bus.max_age]).fetchone()
            bound = young[0] if young else conn.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM bus_messages").fetchone()[0]
            if floor is not None:
                bound = max(bound, floor)
            conn.execute("DELETE FROM bus_messages WHERE seq < ?", [bound])
        except sqlite3.OperationalError:
            log.warning("bus: retention skipped (database busy)")

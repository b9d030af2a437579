"""Identity stitching: anonymousId → userId links, and attributing anonymous events to the customer.

A link is learnt from identify (userId + anonymousId) and alias (previousId → userId): such a
Record carries the linked id in `link_from`. The first link of an anonymousId wins: a device id
later seen with another userId (a shared phone) keeps its past events where they were, and the
other person's events carry their own userId anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import duckdb

from mofang.platform.storage.eventstore import EventStore

ORPHAN_CAP = 1_000_000  # anonymous ids remembered (about 100 MB at most)


class OrphanIndex:
    """Anonymous ids whose events are not attributed yet, with when the first such event arrived.

    Why: the backfill UPDATE would otherwise scan the whole events table at every flush that learns
    a link. Knowing the earliest arrival lets DuckDB skip row groups by their received_at range
    (rows arrive in received_at order), and ids without orphan events need no UPDATE at all.
    Past the cap, entries are dropped and ids not found fall back to the full scan.
    """

    def __init__(self, cap: int = ORPHAN_CAP) -> None:
        self._first: dict[str, int] = {}
        self._cap = cap
        self.complete = True  # False once something was dropped: unknown ids may still have orphans
        self._horizon = 0  # the latest first-arrival among dropped ids
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._first)

    def load(self, store: EventStore) -> None:
        """Rebuild from the store (at start: events may have been imported meanwhile)."""
        rows = store.query(
            """SELECT anonymous_id, epoch_us(min(received_at)) AS first FROM events
               WHERE customer_id IS NULL AND user_id IS NULL AND anonymous_id IS NOT NULL
               GROUP BY anonymous_id""")
        with self._lock:
            self._first.clear()
            self.complete, self._horizon = True, 0
        self.add((r["anonymous_id"], r["first"]) for r in rows)

    def add(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Remember ids that now have unattributed events (the earliest arrival is kept)."""
        with self._lock:
            for anon, first in pairs:
                known = self._first.get(anon)
                if known is None:
                    # It may be an id dropped earlier, whose orphans go back as far as the horizon.
                    self._first[anon] = min(first, self._horizon) if not self.complete else first
                elif first < known:
                    self._first[anon] = first
            if len(self._first) > self._cap:
                # Dicts keep insertion order: drop the ids seen longest ago.
                for anon in list(self._first)[: len(self._first) - self._cap]:
                    self._horizon = max(self._horizon, self._first.pop(anon))
                self.complete = False

    def take(self, ids: Iterable[str]) -> tuple[list[str], int | None, list[str]]:
        """For newly linked ids: those with orphans (forgotten now), their earliest arrival, and
        those that must be searched the slow way because the index is incomplete."""
        found: list[str] = []
        unknown: list[str] = []
        earliest: int | None = None
        with self._lock:
            for anon in ids:
                first = self._first.pop(anon, None)
                if first is not None:
                    found.append(anon)
                    earliest = first if earliest is None else min(earliest, first)
                elif not self.complete:
                    unknown.append(anon)
        return found, earliest, unknown


def record_links(cur: duckdb.DuckDBPyConnection, batch: str) -> None:
    """Store the links a batch (registered view name) teaches; an id already linked keeps its user."""
    cur.execute(
        f"""INSERT INTO identities
            SELECT link_from, arg_min(user_id, seq), make_timestamp(min(received_us)) FROM {batch}
            WHERE link_from IS NOT NULL AND user_id IS NOT NULL
            GROUP BY link_from
            ON CONFLICT DO NOTHING"""
    )


def orphans_of(cur: duckdb.DuckDBPyConnection, batch: str) -> list[tuple[str, int]]:
    """The anonymous ids of a just-stored batch whose events stayed unattributed, with first arrival."""
    return cur.execute(
        f"""SELECT b.anonymous_id, min(b.received_us) FROM {batch} b
            WHERE b.user_id IS NULL AND b.anonymous_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.anonymous_id = b.anonymous_id)
            GROUP BY b.anonymous_id"""
    ).fetchall()


def backfill(cur: duckdb.DuckDBPyConnection, batch: str, orphans: OrphanIndex | None = None) -> int:
    """Attribute earlier anonymous-only events of the ids this batch linked to their customer."""
    if orphans is None:
        cur.execute(
            f"""UPDATE events SET customer_id = i.user_id
                FROM identities i
                WHERE events.customer_id IS NULL AND events.user_id IS NULL
                  AND events.anonymous_id = i.anonymous_id
                  AND i.anonymous_id IN (SELECT link_from FROM {batch} WHERE link_from IS NOT NULL)"""
        )
        row = cur.fetchone()
        return int(row[0]) if row else 0
    linked = [r[0] for r in cur.execute(
        f"SELECT DISTINCT link_from FROM {batch} WHERE link_from IS NOT NULL").fetchall()]
    if not linked:
        return 0
    found, since, unknown = orphans.take(linked)
    changed = 0
    for ids, since_us in ((found, since), (unknown, None)):
        if not ids:
            continue
        window = "" if since_us is None else f"AND events.received_at >= make_timestamp({int(since_us)}::BIGINT)"
        cur.execute(
            f"""UPDATE events SET customer_id = i.user_id
                FROM identities i
                WHERE events.customer_id IS NULL AND events.user_id IS NULL
                  AND events.anonymous_id = i.anonymous_id AND i.anonymous_id IN (SELECT unnest(?::VARCHAR[]))
                  {window}""",
            [ids],
        )
        row = cur.fetchone()
        changed += int(row[0]) if row else 0
    return changed


def user_of(store: EventStore, *, anonymous_id: str) -> str | None:
    """The userId an anonymousId is linked to, if known."""
    return store.scalar("SELECT user_id FROM identities WHERE anonymous_id = ?", [anonymous_id])

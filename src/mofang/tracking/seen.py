"""The in-memory index of messageIds already stored: 64-bit hashes, sorted, for the flusher's dedupe check.

A hit is only a candidate (two ids may share a hash): the repository confirms it against `ingest_dedupe`
before dropping an event. Hashes are DuckDB's `hash(message_id)`, so the index can be rebuilt from the table.
"""

from __future__ import annotations

import threading

import numpy as np

_MERGE_MIN = 1 << 20  # recent hashes are merged into the sorted array once there are this many (or a quarter)


class SeenIndex:
    """Hashes of stored messageIds: a sorted array plus recent additions merged in now and then."""

    def __init__(self, hashes: np.ndarray | None = None) -> None:
        self._sorted = np.sort(np.asarray(hashes if hashes is not None else [], dtype=np.uint64))
        self._recent: list[np.ndarray] = []
        self._recent_n = 0
        # The flusher and a data load (transactions' events) both add; a merge must not drop a chunk added meanwhile.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._sorted.size) + self._recent_n

    def candidates(self, hashes: np.ndarray) -> np.ndarray:
        """Which of these hashes may belong to a stored messageId (a boolean mask)."""
        hashes = np.asarray(hashes, dtype=np.uint64)
        hit = np.zeros(hashes.size, dtype=bool)
        if self._sorted.size:
            pos = np.searchsorted(self._sorted, hashes)
            inside = pos < self._sorted.size
            hit[inside] = self._sorted[pos[inside]] == hashes[inside]
        for chunk in self._recent:
            hit |= np.isin(hashes, chunk)
        return hit

    def add(self, hashes: np.ndarray) -> None:
        """Remember hashes of messageIds just stored (call after their transaction committed)."""
        chunk = np.asarray(hashes, dtype=np.uint64)
        if not chunk.size:
            return
        with self._lock:
            self._recent.append(chunk)
            self._recent_n += chunk.size
            if self._recent_n >= max(_MERGE_MIN, self._sorted.size // 4):
                self._sorted = np.sort(np.concatenate([self._sorted, *self._recent]))
                self._recent, self._recent_n = [], 0

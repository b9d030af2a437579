"""Write keys of ingestion: a short-lived cache of verdicts in front of the metadata database."""

from __future__ import annotations

import threading
import time

from mofang.platform.context import Platform
from mofang.platform.crypto import sha256_hex
from mofang.platform.governance import service as gov


class WriteKeyCache:
    """Recent write-key verdicts: valid ones for a minute, invalid ones for two seconds.

    The admin "revoke key" route calls `clear()`; another process revoking a key is seen within
    a minute. Keys are held hashed.
    """

    def __init__(self, *, ttl_valid: float = 60.0, ttl_invalid: float = 2.0, max_entries: int = 10_000) -> None:
        self._ttl = {True: ttl_valid, False: ttl_invalid}
        self._max = max_entries
        self._entries: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bool | None:
        """The cached verdict, or None when unknown or stale."""
        hit = self._entries.get(sha256_hex(key))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, key: str, valid: bool) -> None:
        """Remember a verdict."""
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[sha256_hex(key)] = (valid, time.monotonic() + self._ttl[valid])

    def clear(self) -> None:
        """Forget everything (a key was revoked)."""
        with self._lock:
            self._entries.clear()


def key_cache(platform: Platform) -> WriteKeyCache:
    """The platform's write-key cache (created on first use)."""
    cache = platform.extras.get("write_key_cache")
    if cache is None:
        cache = platform.extras.setdefault("write_key_cache", WriteKeyCache())
    return cache


def write_key_cached(platform: Platform, key: str) -> bool | None:
    """The verdict on a write key if it is cached (no I/O)."""
    return key_cache(platform).get(key) if key else False


def write_key_ok(platform: Platform, key: str) -> bool:
    """Whether a write key is valid (cached; asks the metadata database on a miss)."""
    verdict = write_key_cached(platform, key)
    if verdict is None:
        with platform.metadata.session() as session:
            verdict = gov.write_key_valid(session=session, key=key)
        key_cache(platform).put(key, verdict)
    return verdict

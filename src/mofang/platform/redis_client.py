"""The platform's Redis connection (`MOFANG_REDIS_URL`), shared by the counters that must hold across processes."""

from __future__ import annotations

import threading
from typing import Any

from mofang.platform.context import Platform

_EXTRA = "redis_client"
_lock = threading.Lock()


def redis_of(platform: Platform) -> Any | None:
    """One client per platform (redis-py pools its connections), or None when no Redis is configured."""
    url = platform.settings.redis_url
    if not url:
        return None
    client = platform.extras.get(_EXTRA)
    if client is None:
        with _lock:
            client = platform.extras.get(_EXTRA)
            if client is None:
                import redis  # only scale-out installations need it

                client = platform.extras[_EXTRA] = redis.Redis.from_url(url)
    return client


def redis_key(platform: Platform, *parts: object) -> str:
    """A key under the installation's prefix (several installations, or tests, may share one Redis)."""
    return platform.settings.redis_key_prefix + ":".join(str(p) for p in parts)

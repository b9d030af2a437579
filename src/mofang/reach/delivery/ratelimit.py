"""Per-channel token buckets: in-process, or in Redis so that every worker shares one rate per channel."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from mofang.reach.delivery.logic import bucket_take

# Atomic take on a Redis hash {tokens, last}: the same arithmetic as `logic.bucket_take`, in one round trip.
_LUA = """
local rate = tonumber(ARGV[1]); local burst = tonumber(ARGV[2]); local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1]) or burst; local last = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class Limiter(Protocol):
    """Takes one token of a channel's bucket: 0 when taken, else the seconds until one is there."""

    def take(self, key: str, *, rate: float, burst: int) -> float:
        """Seconds to wait (0: go)."""
        ...


class LocalLimiter:
    """Buckets of this process only (the embedded default)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, *, rate: float, burst: int) -> float:
        """Seconds to wait (0: go)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens, wait = bucket_take(tokens, last, now, rate=rate, burst=burst)
            self._buckets[key] = (tokens, now)
        return wait


class RedisLimiter:
    """Buckets in Redis, shared by every API process and worker (`MOFANG_REDIS_URL`)."""

    def __init__(self, url: str, *, prefix: str = "mofang:reach:bucket:") -> None:
        import redis

        self._client: Any = redis.Redis.from_url(url)
        self._script = self._client.register_script(_LUA)
        self._prefix = prefix

    def take(self, key: str, *, rate: float, burst: int) -> float:
        """Seconds to wait (0: go); Redis's clock is not used, so workers' clocks should agree (NTP)."""
        return float(self._script(keys=[self._prefix + key], args=[rate, burst, time.time()]))

"""Per-channel rate limits: the in-process bucket, and the Redis bucket shared by every worker."""

from __future__ import annotations

import os
import uuid

import pytest

from mofang.reach.delivery.ratelimit import LocalLimiter, RedisLimiter


def test_local_bucket_allows_the_burst_then_asks_to_wait() -> None:
    limiter = LocalLimiter()
    assert [limiter.take("sms", rate=1.0, burst=3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert 0.9 < limiter.take("sms", rate=1.0, burst=3) <= 1.0
    assert limiter.take("push", rate=1.0, burst=3) == 0.0  # channels have buckets of their own


def test_redis_bucket_is_shared_between_limiters() -> None:
    url = os.environ.get("MOFANG_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
    prefix = f"test:{uuid.uuid4().hex}:"
    a, b = RedisLimiter(url, prefix=prefix), RedisLimiter(url, prefix=prefix)
    # Two workers share one bucket of 4: together they get 4 at once, then must wait.
    got = [a.take("sms", rate=0.5, burst=4), b.take("sms", rate=0.5, burst=4),
           a.take("sms", rate=0.5, burst=4), b.take("sms", rate=0.5, burst=4)]
    assert got == [0.0] * 4
    assert b.take("sms", rate=0.5, burst=4) > 1.0

"""The Redis counters: seeded from the persisted log when Redis has none, given back on release, read by the dry run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.strategy.contact_policy import release, service
from mofang.strategy.contact_policy.contracts import CapRule, CheckWrite
from strategy.contact_policy.helpers import HQ, Send, check_a_batch, sh

pytestmark = pytest.mark.usefixtures("no_quiet")


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    url = os.environ.get("MOFANG_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
    prefix = f"test:{uuid.uuid4().hex}:"
    yield Settings(data_dir=tmp_path / "data", redis_url=url, redis_key_prefix=prefix, start_background=True,
                   scheduler=False)
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)


def _forget(platform: Platform, customer_id: str) -> None:
    """What Redis losing its data (or the hash expiring) looks like."""
    counters = service.state(platform).redis
    assert counters is not None
    counters.client.delete(f"{platform.settings.redis_key_prefix}policy:c:{customer_id}")


def test_counters_survive_redis_losing_them(platform: Platform, send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=2, channel="sms"))
    add_rule(CapRule(window="week", limit=3))
    at = sh(2026, 3, 20, 10)
    assert [send(at).verdict, send(at).verdict] == ["allow", "allow"]
    _forget(platform, "c1")
    assert send(at).reason == "cap_day_channel"  # seeded from the decisions in the metadata database
    assert send(at, channel="push").verdict == "allow"
    _forget(platform, "c1")
    assert send(sh(2026, 3, 21, 10), channel="push").reason == "cap_week_all"


def test_release_and_dry_run_read_redis(platform: Platform, send: Send, add_rule: Callable[..., int]) -> None:
    from factories import add_customers

    add_customers(platform, {"c1": {"name": "张三", "org_code": "GD-SZ-001"}})
    add_rule(CapRule(window="day", limit=1, channel="sms"))
    at = sh(2026, 3, 20, 10)
    assert send(at, key="bounced").verdict == "allow"
    dry = service.dry_run(platform=platform, who=HQ, data=CheckWrite(customer_id="c1", channel="sms"), now=at)
    assert (dry.verdict, dry.reason, [u.used for u in dry.usage]) == ("suppress", "cap_day_channel", [1])
    assert send(at).verdict == "suppress"
    assert release(platform=platform, key="bounced") is True
    assert send(at, key="again").verdict == "allow"
    assert send(at, key="again").verdict == "allow"  # the same key is not counted twice
    assert send(at).verdict == "suppress"


def test_a_batch_with_redis_counters_is_checked_send_by_send(platform: Platform,
                                                             add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=2, channel="sms"))
    check_a_batch(platform, sh(2026, 3, 20, 10))

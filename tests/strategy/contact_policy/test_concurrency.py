"""16 strategies sending to the same 1,000 customers at once: no customer ever exceeds a cap.

Embedded: 16 threads in one process (per-customer locks, counts in the metadata database), and 3 worker processes
sharing one SQLite file (its write lock held from reading the log to the commit). Scale-out: 3 worker processes
sharing Redis counters (one Lua script per check) and one metadata database.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import postgres_url
from mofang.platform.context import Platform, open_platform
from mofang.platform.settings import Settings
from mofang.strategy.contact_policy import admin
from mofang.strategy.contact_policy import check as policy_check
from mofang.strategy.contact_policy.contracts import CapRule, ContactRequest, RuleWrite
from mofang.strategy.contact_policy.models import PolicyDecisionRow, PolicyRule
from strategy.contact_policy.helpers import ALL_CONSENTS, HQ, sh

CUSTOMERS = [f"C{i:04d}" for i in range(1000)]
STRATEGIES = 16
CHANNELS = ("sms", "push", "wechat", "email")
LINES = ("retail", "loan", "card", "wealth")
AT = sh(2026, 3, 20, 10)
CAPS = {"sms_day": CapRule(window="day", limit=2, channel="sms"),
        "all_day": CapRule(window="day", limit=3, reserve=1, reserve_priority=3),
        "loan_week": CapRule(window="week", limit=1, business_line="loan")}


def _setup_rules(platform: Platform) -> None:
    with platform.metadata.session() as session:
        for r in admin.repo.rules(session):
            session.delete(r)  # no quiet hours: 10:00 is outside them anyway, but the test is about caps only
        session.flush()
        for name, cap in CAPS.items():
            admin.create_rule(session=session, who=HQ, data=RuleWrite(name=name, rule=cap))


def _strategy(platform: Platform, s: int) -> None:
    """Strategy s sends once to every customer (its own channel, business line and priority)."""
    for c in CUSTOMERS:
        policy_check(platform=platform, now=AT, request=ContactRequest(
            key=f"s{s}:{c}", customer_id=c, channel=CHANNELS[s % 4], purpose="marketing",  # type: ignore[arg-type]
            business_line=LINES[(s // 4) % 4], priority=s, strategy_id=s + 1, consents=ALL_CONSENTS))


def _assert_within_caps(platform: Platform) -> None:
    with platform.metadata.session() as session:
        rows = session.execute(select(PolicyDecisionRow.customer_id, PolicyDecisionRow.channel,
                                      PolicyDecisionRow.business_line, PolicyDecisionRow.verdict)).all()
    assert len(rows) == STRATEGIES * len(CUSTOMERS)  # every send got exactly one decision
    allowed = [r for r in rows if r.verdict == "allow"]
    total, sms, loan = Counter(), Counter(), Counter()
    for r in allowed:
        total[r.customer_id] += 1
        sms[r.customer_id] += r.channel == "sms"
        loan[r.customer_id] += r.business_line == "loan"
    assert max(sms.values()) <= 2 and max(loan.values()) <= 1, "a customer got more than a cap allows"
    # Four strategies have priority ≤ 3, so the reserved third contact is always taken: exactly 3 each.
    assert set(total.values()) == {3} and len(total) == len(CUSTOMERS)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sixteen_strategies_embedded(platform: Platform) -> None:
    _setup_rules(platform)
    with ThreadPoolExecutor(STRATEGIES) as pool:
        list(pool.map(lambda s: _strategy(platform, s), range(STRATEGIES)))
    _assert_within_caps(platform)


def _worker(data_dir: str, metadata_url: str, redis_url: str | None, prefix: str, strategies: list[int],
            start: Any = None) -> None:
    """One worker process: its own platform (event store apart), the shared metadata database and Redis if any;
    with a barrier, the workers start sending together (so their checks of one customer really overlap)."""
    settings = Settings(data_dir=Path(data_dir), metadata_url=metadata_url, redis_url=redis_url,
                        redis_key_prefix=prefix, start_background=False, scheduler=False)
    platform = open_platform(settings)
    try:
        if start is not None:
            start.wait(120)
        with ThreadPoolExecutor(len(strategies)) as pool:
            list(pool.map(lambda s: _strategy(platform, s), strategies))
    finally:
        platform.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sixteen_strategies_on_three_workers_sharing_sqlite_without_redis(tmp_path: Path) -> None:
    """Embedded metadata shared by worker processes (`mofang worker` beside `mofang serve`), no Redis: the
    database's write lock, taken before the log is read, keeps every cap across processes."""
    metadata_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    settings = Settings(data_dir=tmp_path / "main", metadata_url=metadata_url, start_background=False,
                        scheduler=False)
    platform = open_platform(settings)
    try:
        _setup_rules(platform)
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Barrier(3)
        procs = [ctx.Process(target=_worker, args=(str(tmp_path / f"w{w}"), metadata_url, None, "mofang:",
                                                   list(range(w, STRATEGIES, 3)), start)) for w in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(240)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        _assert_within_caps(platform)
    finally:
        platform.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sixteen_strategies_on_three_workers_with_redis(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    redis_url = os.environ.get("MOFANG_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
    metadata_url = (request.getfixturevalue("_fresh_pg_database") if postgres_url()
                    else f"sqlite:///{tmp_path / 'shared.sqlite'}")
    prefix = f"test:{uuid.uuid4().hex}:"
    settings = Settings(data_dir=tmp_path / "main", metadata_url=metadata_url, redis_url=redis_url,
                        redis_key_prefix=prefix, start_background=False, scheduler=False)
    platform = open_platform(settings)  # migrates once, before the workers start
    try:
        _setup_rules(platform)
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_worker, args=(str(tmp_path / f"w{w}"), metadata_url, redis_url, prefix,
                                                   list(range(w, STRATEGIES, 3)))) for w in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(240)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        _assert_within_caps(platform)
        with platform.metadata.session() as session:
            assert len(admin.repo.rules(session)) == len(CAPS)
            assert session.scalar(select(PolicyRule.id).limit(1)) is not None
    finally:
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        platform.close()

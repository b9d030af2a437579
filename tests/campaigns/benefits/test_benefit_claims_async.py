"""Claims awaited on the event loop (the bank's claim route): exact across processes on Redis, retries answer the same,
the branch looked up when it picks the pool and written into the ledger when it does not; embedded too."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from benefit_fixtures import T0, benefit, who

from mofang.campaigns.benefits import claims_async, redis_stock, service
from mofang.campaigns.benefits.contracts import AllocationCreate
from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.platform.storage.metadata import Metadata

REDIS = os.environ.get("MOFANG_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS, reason="Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")


def _profiles(plat: Platform, orgs: dict[str, str]) -> None:
    with plat.metadata.session() as s:
        s.execute(CustomerProfile.__table__.insert(), [
            {"customer_id": c, "org_code": o, "attributes": {}, "tags": {}, "segments": [], "consents": {},
             "row_hash": ""} for c, o in orgs.items()])


async def _claim_all(plat: Platform, bid: int, asks: list[tuple[str, str]]) -> list[tuple[str, str, dict[str, Any]]]:
    async def one(customer: str, key: str) -> tuple[str, str, dict[str, Any]]:
        r = await service.issue_benefit_async(platform=plat, benefit_id=bid, customer_id=customer,
                                              idempotency_key=key, now=T0)
        return customer, key, r.model_dump()

    return list(await asyncio.gather(*[one(c, k) for c, k in asks]))


def _worker(args: tuple[str, str, str, int, list[tuple[str, str]], int]) -> list[tuple[str, str, dict[str, Any]]]:
    """A server process: its own loop, client and batches; the shared metadata database and Redis."""
    data_dir, metadata_url, prefix, bid, asks, batch = args
    settings = Settings(data_dir=Path(data_dir), metadata_url=metadata_url, redis_url=REDIS, start_background=False,
                        scheduler=False, claims_batch_size=batch)
    plat = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()), store=None,  # type: ignore[arg-type]
                    cipher=None, token_key=b"")  # type: ignore[arg-type]
    plat.extras["redis_prefix"] = prefix

    async def main() -> list[tuple[str, str, dict[str, Any]]]:
        try:
            return await _claim_all(plat, bid, asks)
        finally:
            await claims_async.close(plat)

    out = asyncio.run(main())
    redis_stock.stop(plat)
    plat.metadata.dispose()
    return out


def _crashing_worker(args: tuple[str, str, str, int, list[tuple[str, str]], int], out: Any) -> None:
    """Claims answered, then the process dies at once: no drain, no stop, no clean-up."""
    redis_stock.DRAIN_SECONDS = 3600  # its drainer never runs: everything answered is only in Redis
    data_dir, metadata_url, prefix, bid, asks, _ = args
    settings = Settings(data_dir=Path(data_dir), metadata_url=metadata_url, redis_url=REDIS, start_background=False,
                        scheduler=False)
    plat = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()), store=None,  # type: ignore[arg-type]
                    cipher=None, token_key=b"")  # type: ignore[arg-type]
    plat.extras["redis_prefix"] = prefix
    out.put(asyncio.run(_claim_all(plat, bid, asks)))
    out.close()
    out.join_thread()
    os._exit(0)


@pytest.fixture
def redis_platform(platform: Platform) -> Platform:
    platform.settings.redis_url = REDIS
    platform.extras["redis_prefix"] = f"test:{uuid.uuid4().hex[:10]}:"
    return platform


@needs_redis
@pytest.mark.timeout(300)
def test_concurrent_awaits_in_two_processes_issue_exactly_the_stock(redis_platform: Platform) -> None:
    plat = redis_platform
    stock, limit = 700, 2
    bid, _ = benefit(plat, stock=stock, budget_fen=10**9, limit=limit)
    asks = [(f"cust{i % 1200}", f"k{i}") for i in range(2_400)] + [(f"cust{i}", f"x{i}") for i in range(200)]
    _profiles(plat, {f"cust{i}": "GD-SZ-001" for i in range(0, 1200, 2)})  # the others: unknown, head office's
    shares = [asks[0::2], asks[1::2]]
    prefix, url, data = plat.extras["redis_prefix"], plat.settings.resolved_metadata_url(), str(plat.settings.data_dir)
    with mp.get_context("spawn").Pool(2) as pool:
        jobs = [(data, url, prefix, bid, s, b) for s, b in zip(shares, (64, 7), strict=True)]
        first = [r for part in pool.map(_worker, jobs) for r in part]
    issued = [r for r in first if r[2]["status"] == "issued"]
    assert len(issued) == stock
    assert max(Counter(c for c, _, _ in issued).values()) <= limit
    assert len({r[2]["grant_id"] for r in issued}) == stock
    # Retries, awaited in the other process this time and all at once, answer what the first call answered.
    with mp.get_context("spawn").Pool(2) as pool:
        again = [r for part in pool.map(_worker, [(data, url, prefix, bid, s[::3], 256) for s in reversed(shares)])
                 for r in part]
    by_key = {k: r for _, k, r in first}
    assert len(again) > 800 and all(by_key[k] == r for _, k, r in again)
    # The ledger holds every answer once, with the customer's branch although the claims were decided without it.
    redis_stock.drain(plat)
    (rec,) = service.reconciliation(platform=plat, who=who(), benefit_id=bid)
    assert (rec.issued, rec.stock_remaining, sum(rec.refused.values())) == (stock, 0, len(first) - stock)
    def orgs(customer: str) -> set[str]:
        return {r.org_code for r in service.ledger(platform=plat, who=who(), customer_id=customer).items}

    assert (orgs("cust2"), orgs("cust3")) == ({"GD-SZ-001"}, {"HQ"})
    assert service.ledger(platform=plat, who=who(), benefit_id=bid, limit=1).total == len(first)
    redis_stock.stop(plat)


@needs_redis
def test_what_a_crashed_process_answered_reaches_the_ledger_once(redis_platform: Platform) -> None:
    plat = redis_platform
    bid, _ = benefit(plat, stock=40, budget_fen=10**6)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    args = (str(plat.settings.data_dir), plat.settings.resolved_metadata_url(), plat.extras["redis_prefix"], bid,
            [(f"c{i}", f"k{i}") for i in range(100)], 0)
    proc = ctx.Process(target=_crashing_worker, args=(args, out))
    proc.start()
    answers = out.get(timeout=120)
    proc.join(60)
    granted = {r["grant_id"] for _, _, r in answers if r["status"] == "issued"}
    assert len(granted) == 40
    # The next process to start (tasks.recover) writes what the dead one answered, once however often it drains.
    assert redis_stock.drain(plat) == 100 and redis_stock.drain(plat) == 0
    rows = service.ledger(platform=plat, who=who(), benefit_id=bid, limit=500).items
    assert {r.id for r in rows if r.status == "issued"} == granted and len(rows) == 100
    redis_stock.stop(plat)


@needs_redis
def test_an_awaited_claim_draws_from_its_branch_allocation_and_a_retry_answers_the_same(
        redis_platform: Platform) -> None:
    plat = redis_platform
    bid, hq = benefit(plat, stock=5, budget_fen=10**6)
    service.allocate(platform=plat, who=who(), pool_id=hq, data=AllocationCreate(org_code="GD-SZ", stock=1,
                                                                                 budget_fen=100))
    _profiles(plat, {"sz1": "GD-SZ-001", "sz2": "GD-SZ-001"})

    async def main() -> list[Any]:
        try:
            first = await _claim_all(plat, bid, [("sz1", "a"), ("sz2", "b"), ("zj", "c")])
            return first + await _claim_all(plat, bid, [("sz1", "a"), ("sz2", "b")])
        finally:
            await claims_async.close(plat)

    got = asyncio.run(main())
    assert [(r["status"], r["reason"]) for _, _, r in got[:3]] == [
        ("issued", None), ("refused", "stock_exhausted"), ("issued", None)]  # Shenzhen's share was one
    assert got[3][2] == got[0][2] and got[4][2] == got[1][2]
    redis_stock.stop(plat)
    rows = {r.org_code: r for r in service.reconciliation(platform=plat, who=who(), benefit_id=bid)}
    assert (rows["GD-SZ"].issued, rows["GD-SZ"].refused, rows["HQ"].issued) == (1, {"stock_exhausted": 1}, 1)


@needs_redis
def test_an_unknown_benefit_answers_not_found_and_the_rest_of_the_batch_is_decided(redis_platform: Platform) -> None:
    from mofang.platform.errors import NotFound

    bid, _ = benefit(redis_platform, stock=1, budget_fen=1_000)

    async def main() -> list[Any]:
        calls = [service.issue_benefit_async(platform=redis_platform, benefit_id=b, customer_id="c", idempotency_key=k,
                                             now=T0) for b, k in ((bid, "ok"), (999_999, "nf"))]
        try:
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await claims_async.close(redis_platform)

    ok, missing = asyncio.run(main())
    assert ok.status == "issued" and isinstance(missing, NotFound) and missing.code == "benefits.not_found"
    redis_stock.stop(redis_platform)


def test_awaited_claims_embedded_are_exact_and_retries_answer_the_same(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=30, budget_fen=10**6, limit=2)
    asks = [(f"c{i % 40}", f"k{i}") for i in range(120)]

    async def main() -> tuple[list[Any], list[Any]]:
        try:
            return await _claim_all(platform, bid, asks), await _claim_all(platform, bid, asks[::7])
        finally:
            await claims_async.close(platform)

    first, again = asyncio.run(main())
    issued = [r for r in first if r[2]["status"] == "issued"]
    assert len(issued) == 30 and max(Counter(c for c, _, _ in issued).values()) <= 2
    by_key = {k: r for _, k, r in first}
    assert all(by_key[k] == r for _, k, r in again)
    (rec,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert (rec.issued, rec.stock_remaining) == (30, 0)

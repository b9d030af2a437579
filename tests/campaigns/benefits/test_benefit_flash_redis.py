"""抢券 on Redis across three worker processes: exactly the stock, never over a limit, retries answer the same."""

from __future__ import annotations

import multiprocessing as mp
import os
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from benefit_fixtures import T0, benefit, who

from mofang import campaigns
from mofang.campaigns.benefits import redis_stock, service
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.platform.storage.metadata import Metadata

REDIS = os.environ.get("MOFANG_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")


def _worker_platform(data_dir: str, metadata_url: str, prefix: str) -> Platform:
    """A worker's platform: the shared metadata database and Redis (claims read no customer facts)."""
    settings = Settings(data_dir=Path(data_dir), metadata_url=metadata_url, redis_url=REDIS, start_background=False,
                        scheduler=False)
    plat = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()), store=None,  # type: ignore[arg-type]
                    cipher=None, token_key=b"")  # type: ignore[arg-type]
    plat.extras["redis_prefix"] = prefix
    return plat


def _claims(args: tuple[str, str, str, int, list[tuple[str, str]]]) -> list[tuple[str, str, dict[str, Any]]]:
    data_dir, metadata_url, prefix, bid, asks = args
    plat = _worker_platform(data_dir, metadata_url, prefix)

    def one(ask: tuple[str, str]) -> tuple[str, str, dict[str, Any]]:
        r = campaigns.claim(platform=plat, benefit_id=bid, customer_id=ask[0], idempotency_key=ask[1],
                            org_code="GD-SZ-001", now=T0)
        return ask[0], ask[1], r.model_dump()

    with ThreadPoolExecutor(16) as pool:
        out = list(pool.map(one, asks))
    redis_stock.stop(plat)
    plat.metadata.dispose()
    return out


@pytest.fixture
def redis_platform(platform: Platform) -> Platform:
    platform.settings.redis_url = REDIS
    platform.extras["redis_prefix"] = f"test:{uuid.uuid4().hex[:10]}:"
    return platform


@pytest.mark.timeout(300)
def test_three_workers_on_redis_issue_exactly_the_stock(redis_platform: Platform) -> None:
    plat = redis_platform
    stock, limit = 1_500, 2
    bid, _ = benefit(plat, stock=stock, budget_fen=10**9, limit=limit)
    asks = [(f"cust{i % 2500}", f"k{i}") for i in range(5_000)] + [(f"cust{i}", f"x{i}") for i in range(300)]
    shares = [asks[i::3] for i in range(3)]
    prefix, url = plat.extras["redis_prefix"], plat.settings.resolved_metadata_url()
    with mp.get_context("spawn").Pool(3) as pool:
        first = [r for part in pool.map(_claims, [(str(plat.settings.data_dir), url, prefix, bid, s) for s in shares])
                 for r in part]
    issued = [r for r in first if r[2]["status"] == "issued"]
    assert len(issued) == stock
    assert max(Counter(c for c, _, _ in issued).values()) <= limit
    assert len({r[2]["grant_id"] for r in issued}) == stock
    # Retries, from other processes than the first time, answer the same.
    with mp.get_context("spawn").Pool(3) as pool:
        again = [r for part in pool.map(_claims, [(str(plat.settings.data_dir), url, prefix, bid, s[::5])
                                                  for s in reversed(shares)]) for r in part]
    by_key = {k: r for _, k, r in first}
    assert all(by_key[k] == r for _, k, r in again)
    # The ledger holds every answer once and agrees with Redis.
    redis_stock.drain(plat)
    recon = service.reconciliation(platform=plat, who=who(), benefit_id=bid)
    assert [(r.issued, r.stock_remaining, r.budget_remaining_fen) for r in recon] == \
        [(stock, 0, 10**9 - stock * 100)]
    assert sum(recon[0].refused.values()) == len(first) - stock
    page = service.ledger(platform=plat, who=who(), benefit_id=bid, limit=1)
    assert page.total == len(first)


def test_an_answer_decided_in_redis_survives_a_crash_before_the_ledger(redis_platform: Platform) -> None:
    plat = redis_platform
    bid, _ = benefit(plat, stock=3, budget_fen=1_000)
    r = campaigns.claim(platform=plat, benefit_id=bid, customer_id="c1", idempotency_key="crash-1",
                        org_code="GD-SZ-001", now=T0)
    assert r.status == "issued"
    # A new process (nothing in memory) finds the answer in the stream and writes it once, however often it drains.
    fresh = _worker_platform(str(plat.settings.data_dir), plat.settings.resolved_metadata_url(),
                             plat.extras["redis_prefix"])
    assert redis_stock.drain(fresh) + redis_stock.drain(plat) + redis_stock.drain(fresh) <= 1
    page = service.ledger(platform=plat, who=who(), benefit_id=bid)
    assert [(g.id, g.state) for g in page.items] == [(r.grant_id, "issued")]
    again = campaigns.claim(platform=fresh, benefit_id=bid, customer_id="c1", idempotency_key="crash-1",
                            org_code="GD-SZ-001", now=T0)
    assert again == r


def test_redis_on_postgres_budget_branch_shares_and_ids_after_redis(_fresh_pg_database: str, tmp_path: Path) -> None:
    from factories import ORGS
    from mofang.campaigns.benefits.contracts import AllocationCreate
    from mofang.platform.context import open_platform
    from mofang.platform.governance import service as gov

    plat = open_platform(Settings(data_dir=tmp_path / "d", metadata_url=_fresh_pg_database, redis_url=REDIS,
                                  start_background=False, scheduler=False))
    plat.extras["redis_prefix"] = f"test:{uuid.uuid4().hex[:10]}:"
    try:
        with plat.metadata.session() as session:
            gov.upsert_orgs(session=session, orgs=ORGS)
        bid, hq = benefit(plat, stock=10, budget_fen=1_000, spec={"kind": "cash", "amount_fen": 300})
        service.allocate(platform=plat, who=who(), pool_id=hq, data=AllocationCreate(
            org_code="GD-SZ", stock=5, budget_fen=600))

        def claim(c: str, org: str) -> campaigns.IssueResult:
            return campaigns.claim(platform=plat, benefit_id=bid, customer_id=c, idempotency_key=c, org_code=org,
                                   now=T0)

        # Shenzhen's share: 600 fen buys two 300-fen issues although five are in stock; head office keeps 400 fen.
        assert [claim(f"s{i}", "GD-SZ-001").reason for i in range(3)] == [None, None, "budget_exhausted"]
        assert [claim(f"h{i}", "ZJ").reason for i in range(2)] == [None, "budget_exhausted"]
        live = {p.org_code: p for p in service.list_pools(platform=plat, who=who(), benefit_id=bid)}
        assert (live["GD-SZ"].stock_remaining, live["GD-SZ"].budget_remaining_fen) == (3, 0)
        rows = {r.org_code: r for r in service.reconciliation(platform=plat, who=who(), benefit_id=bid)}
        assert (rows["GD-SZ"].issued, rows["GD-SZ"].refused, rows["HQ"].issued) == (2, {"budget_exhausted": 1}, 1)
        # Without Redis, the database's own ids carry on past the ones Redis gave out.
        last = max(g.id for g in service.ledger(platform=plat, who=who(), benefit_id=bid).items)
        plat.settings.redis_url = None
        after = campaigns.claim(platform=plat, benefit_id=bid, customer_id="late", idempotency_key="late",
                                org_code="GD-SZ-001", now=T0)
        assert after.status == "refused" and after.reason == "budget_exhausted"
        assert service.ledger(platform=plat, who=who(), customer_id="late").items[0].id > last
    finally:
        redis_stock.stop(plat)
        plat.close()


def test_a_grant_decided_in_redis_can_be_redeemed_at_once(redis_platform: Platform) -> None:
    from mofang.campaigns.benefits.contracts import RedemptionReport

    bid, _ = benefit(redis_platform, stock=2, budget_fen=1_000)
    g = campaigns.claim(platform=redis_platform, benefit_id=bid, customer_id="c1", idempotency_key="r1",
                        org_code="GD-SZ-001", now=T0)
    done = service.redeem(platform=redis_platform, report=RedemptionReport(redemption_id="pos-1", grant_id=g.grant_id),
                          now=T0)
    assert (done.status, done.grant_id) == ("redeemed", g.grant_id)
    redis_stock.stop(redis_platform)


def test_after_redis_loses_its_data_the_ledger_rebuilds_counts_and_answers(redis_platform: Platform) -> None:
    plat = redis_platform
    bid, _ = benefit(plat, stock=3, budget_fen=1_000, limit=1)
    first = campaigns.claim(platform=plat, benefit_id=bid, customer_id="c1", idempotency_key="a",
                            org_code="GD-SZ-001", now=T0)
    redis_stock.stop(plat)  # the ledger has everything; then Redis is wiped
    client = redis_stock.state(plat).client
    for key in client.scan_iter(match=plat.extras["redis_prefix"] + "*"):
        client.delete(key)
    fresh = _worker_platform(str(plat.settings.data_dir), plat.settings.resolved_metadata_url(),
                             plat.extras["redis_prefix"])
    again = campaigns.claim(platform=fresh, benefit_id=bid, customer_id="c1", idempotency_key="a",
                            org_code="GD-SZ-001", now=T0)
    second = campaigns.claim(platform=fresh, benefit_id=bid, customer_id="c1", idempotency_key="b",
                             org_code="GD-SZ-001", now=T0)
    others = [campaigns.claim(platform=fresh, benefit_id=bid, customer_id=f"o{i}", idempotency_key=f"o{i}",
                              org_code="GD-SZ-001", now=T0).status for i in range(3)]
    redis_stock.stop(fresh)
    assert again == first and second.reason == "limit_per_customer"
    assert others == ["issued", "issued", "refused"]  # 3 in stock, c1 holds one
    # Redis is wiped again under the first process, still running with its cache: it reloads the counters from
    # the ledger rather than answering "no pool".
    for key in client.scan_iter(match=plat.extras["redis_prefix"] + "*"):
        client.delete(key)
    late = campaigns.claim(platform=plat, benefit_id=bid, customer_id="o9", idempotency_key="o9",
                           org_code="GD-SZ-001", now=T0)
    assert late.reason == "stock_exhausted"
    redis_stock.stop(plat)
    (row,) = service.reconciliation(platform=plat, who=who(), benefit_id=bid)
    assert (row.issued, row.stock_remaining) == (3, 0)


def test_one_batch_decides_repeated_keys_and_customers_in_order(redis_platform: Platform) -> None:
    from mofang.campaigns.benefits import issuing, logic
    from mofang.campaigns.benefits.contracts import AllocationCreate

    plat = redis_platform
    bid, hq = benefit(plat, stock=3, budget_fen=10**12, limit=1)
    service.allocate(platform=plat, who=who(), pool_id=hq, data=AllocationCreate(org_code="GD-SZ", stock=1,
                                                                                 budget_fen=100))

    def ask(key: str, customer: str, org: str = "ZJ") -> issuing.Pending:
        return issuing.Pending(logic.Ask(key=key, benefit_id=bid, campaign_id=0, customer_id=customer,
                                          org_code=org, now=T0), "claim")

    odd = 'k|"\\/\n客户'  # separators, JSON escapes and non-ASCII survive the trip through the script
    batch = [ask(odd, "c|1"), ask(odd, "c|1"), ask("k2", "c|1"), ask("k3", "c3", "GD-SZ-001"),
             ask("k4", "c4", "GD-SZ-001"), ask("k5", "c5"), ask("k6", "c6"), ask("k7", odd), ask("k8", "c8")]
    redis_stock.run_batch(plat, batch)
    got = [(p.result.status, p.result.reason) if p.result else type(p.error).__name__ for p in batch]
    assert got == [("issued", None), ("issued", None), ("refused", "limit_per_customer"), ("issued", None),
                   ("refused", "stock_exhausted"), ("issued", None), ("refused", "stock_exhausted"),
                   ("refused", "stock_exhausted"), ("refused", "stock_exhausted")]
    assert batch[0].result == batch[1].result
    again = [ask(odd, "c|1"), ask(odd, "other"), ask("k3", "c3", "GD-SZ-001")]
    redis_stock.run_batch(plat, again)
    assert again[0].result == batch[0].result and again[2].result == batch[3].result
    assert again[1].error is not None and again[1].error.code == "benefits.key_reused"  # type: ignore[attr-defined]
    redis_stock.stop(plat)
    page = service.ledger(platform=plat, who=who(), benefit_id=bid, limit=100)
    assert sorted((g.customer_id, g.status) for g in page.items) == sorted(
        [("c|1", "issued"), ("c|1", "refused"), ("c3", "issued"), ("c4", "refused"), ("c5", "issued"),
         ("c6", "refused"), (odd, "refused"), ("c8", "refused")])
    rows = {r.org_code: r for r in service.reconciliation(platform=plat, who=who(), benefit_id=bid)}
    assert (rows["HQ"].issued, rows["HQ"].stock_remaining, rows["GD-SZ"].issued, rows["GD-SZ"].stock_remaining) == \
        (2, 0, 1, 0)


def test_an_answer_streamed_one_per_entry_before_batches_still_drains(redis_platform: Platform) -> None:
    plat = redis_platform
    bid, pool = benefit(plat, stock=3, budget_fen=1_000)
    st = redis_stock.state(plat)
    st.client.xadd(st.k("stream"), {"a": "issued||900001|100|2026-04-19T02:00:00+00:00", "k": "old-1", "c": "c1",
                                    "x": f"1|100|{pool}|GD|claim|{bid}|0", "t": T0.isoformat(), "s": "1"})
    assert redis_stock.drain(plat) == 1
    (g,) = service.ledger(platform=plat, who=who(), benefit_id=bid).items
    assert (g.id, g.customer_id, g.status, g.expires_at) == (900001, "c1", "issued", T0 + timedelta(days=30))
    redis_stock.stop(plat)

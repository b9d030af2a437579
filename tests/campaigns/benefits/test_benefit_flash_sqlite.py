"""抢券 on the embedded database: 5,000 concurrent claimers get exactly the stock, never more than their limit."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from benefit_fixtures import T0, benefit, who

from mofang import campaigns
from mofang.campaigns.benefits import service
from mofang.platform.context import Platform

CLAIMERS = 5_000


@pytest.mark.timeout(300)
def test_five_thousand_threads_issue_exactly_the_stock(platform: Platform) -> None:
    stock, limit = 1_200, 2
    bid, _ = benefit(platform, stock=stock, budget_fen=10**9, limit=limit)
    # 2,500 customers, each claiming twice with two keys and once more with a third: more asks than the limit.
    asks = [(f"cust{i % 2500}", f"k{i}") for i in range(CLAIMERS)] + [(f"cust{i}", f"extra{i}") for i in range(300)]
    start = threading.Barrier(32)

    def claim(ask: tuple[str, str]) -> tuple[str, str, campaigns.IssueResult]:
        customer, key = ask
        return customer, key, campaigns.claim(platform=platform, benefit_id=bid, customer_id=customer,
                                              idempotency_key=key, org_code="GD-SZ-001", now=T0)

    with ThreadPoolExecutor(32, initializer=start.wait) as pool:
        first = list(pool.map(claim, asks))
    issued = [r for r in first if r[2].status == "issued"]
    assert len(issued) == stock
    per_customer = Counter(c for c, _, _ in issued)
    assert max(per_customer.values()) <= limit
    assert len({r[2].grant_id for r in issued}) == stock
    refusals = Counter(r[2].reason for r in first if r[2].status == "refused")
    assert set(refusals) <= {"stock_exhausted", "limit_per_customer"}
    # Retries with the same keys, concurrently, answer exactly as the first time.
    with ThreadPoolExecutor(32) as pool:
        again = list(pool.map(claim, asks[::7]))
    assert [r[2] for r in again] == [r[2] for r in first[::7]]
    recon = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert [(r.issued, r.stock_remaining, r.budget_remaining_fen) for r in recon] == \
        [(stock, 0, 10**9 - stock * 100)]
    assert sum(recon[0].refused.values()) == len(first) - stock


def _process_claims(args: tuple[str, str, int, list[tuple[str, str]]]) -> list[tuple[str, str, dict]]:
    """One worker process claiming on the shared metadata database (the SQLite file, or PostgreSQL; no Redis)."""
    from pathlib import Path

    from mofang.platform.settings import Settings
    from mofang.platform.storage.metadata import Metadata

    data_dir, metadata_url, bid, asks = args
    settings = Settings(data_dir=Path(data_dir), metadata_url=metadata_url, start_background=False, scheduler=False)
    plat = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()), store=None,  # type: ignore[arg-type]
                    cipher=None, token_key=b"")  # type: ignore[arg-type]

    def one(ask: tuple[str, str]) -> tuple[str, str, dict]:
        r = campaigns.claim(platform=plat, benefit_id=bid, customer_id=ask[0], idempotency_key=ask[1],
                            org_code="GD-SZ-001", now=T0)
        return ask[0], ask[1], r.model_dump()

    with ThreadPoolExecutor(16) as pool:
        out = list(pool.map(one, asks))
    plat.metadata.dispose()
    return out


@pytest.mark.timeout(300)
def test_two_processes_on_one_metadata_database_stay_exact(platform: Platform) -> None:
    import multiprocessing as mp

    bid, _ = benefit(platform, stock=400, budget_fen=10**9, limit=1)
    asks = [(f"c{i % 699}", f"k{i}") for i in range(1_400)]  # a customer's asks alternate between the processes
    with mp.get_context("spawn").Pool(2) as pool:
        parts = pool.map(_process_claims, [(str(platform.settings.data_dir), platform.settings.resolved_metadata_url(),
                                            bid, asks[i::2]) for i in range(2)])
    first = [r for part in parts for r in part]
    issued = [r for r in first if r[2]["status"] == "issued"]
    assert len(issued) == 400
    assert max(Counter(c for c, _, _ in issued).values()) == 1
    (row,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert (row.issued, row.stock_remaining, sum(row.refused.values())) == (400, 0, 1_000)

"""On PostgreSQL, two processes' worth of issuers (two platforms, each its own combiner) race on one pool."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from benefit_fixtures import T0, benefit, who

from factories import ORGS
from mofang import campaigns
from mofang.campaigns.benefits import service
from mofang.platform.context import open_platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings


@pytest.mark.timeout(300)
def test_two_issuers_on_postgres_never_oversell_nor_pass_the_limit(_fresh_pg_database: str, tmp_path: Path) -> None:
    plats = [open_platform(Settings(data_dir=tmp_path / f"d{i}", metadata_url=_fresh_pg_database,
                                    start_background=False, scheduler=False)) for i in range(2)]
    try:
        with plats[0].metadata.session() as session:
            gov.upsert_orgs(session=session, orgs=ORGS)
        bid, _ = benefit(plats[0], stock=300, budget_fen=10**9, limit=2)
        asks = [(f"c{i % 400}", f"k{i}") for i in range(1_200)]

        def claim(n: int, side: int) -> tuple[str, str, campaigns.IssueResult]:
            customer, key = asks[n]
            return customer, key, campaigns.claim(platform=plats[(n + side) % 2], benefit_id=bid,
                                                  customer_id=customer, idempotency_key=key, org_code="GD-SZ-001",
                                                  now=T0)

        # A customer's claims alternate between the issuers, so their limit is raced across them.
        with ThreadPoolExecutor(24) as pool:
            first = list(pool.map(lambda n: claim(n, 0), range(len(asks))))
            again = list(pool.map(lambda n: claim(n, 1), range(len(asks))))  # each retry at the other issuer
        issued = [r for r in first if r[2].status == "issued"]
        assert len(issued) == 300
        assert max(Counter(c for c, _, _ in issued).values()) <= 2
        assert [r[2] for r in again] == [r[2] for r in first]
        (row,) = service.reconciliation(platform=plats[0], who=who(), benefit_id=bid)
        assert (row.issued, row.stock_remaining) == (300, 0)
    finally:
        for p in plats:
            p.close()

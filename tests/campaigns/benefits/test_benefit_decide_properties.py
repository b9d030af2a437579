"""Properties of deciding issues: never over stock, budget or limit, and never stopping while something is left."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.campaigns.benefits import logic

NOW = datetime(2026, 3, 20, tzinfo=UTC)
ORGS = ["GD-SZ-001", "GD-GZ-001", "ZJ-HZ-001", "GD-SZ-002"]


@settings(max_examples=200, deadline=None)
@given(
    hq=st.tuples(st.integers(0, 30), st.integers(0, 3000)),
    sz=st.none() | st.tuples(st.integers(0, 10), st.integers(0, 1000)),
    cost=st.integers(0, 300),
    limit=st.integers(1, 3),
    asks=st.lists(st.tuples(st.integers(0, 8), st.sampled_from(ORGS)), max_size=80),
)
def test_decisions_respect_stock_budget_and_limit(hq: tuple[int, int], sz: tuple[int, int] | None, cost: int,
                                                  limit: int, asks: list[tuple[int, str]]) -> None:
    pools = [logic.PoolState(id=1, org_code="HQ", stock_remaining=hq[0], budget_remaining_fen=hq[1])]
    if sz is not None:
        pools.append(logic.PoolState(id=2, org_code="GD-SZ", stock_remaining=sz[0], budget_remaining_fen=sz[1]))
    start = {p.id: (p.stock_remaining, p.budget_remaining_fen) for p in pools}
    terms = logic.Terms(status="active", valid_from=None, valid_to=None, valid_days=7, per_customer_limit=limit,
                        cost_fen=cost)
    issued: dict[str, int] = {}
    decisions = [logic.decide(logic.Ask(key=str(i), benefit_id=1, campaign_id=0, customer_id=f"c{c}", org_code=org,
                                        now=NOW), terms, pools, issued) for i, (c, org) in enumerate(asks)]
    got = [d for d in decisions if d.status == "issued"]
    by_pool = Counter(d.pool_id for d in got)
    for p in pools:
        assert by_pool[p.id] <= start[p.id][0] and by_pool[p.id] * cost <= start[p.id][1]
        assert p.stock_remaining == start[p.id][0] - by_pool[p.id] >= 0
        assert p.budget_remaining_fen == start[p.id][1] - by_pool[p.id] * cost >= 0
    assert all(n <= limit for n in Counter(d.ask.customer_id for d in got).values())
    # Shenzhen's customers draw from Shenzhen's share when there is one, everyone else from head office.
    for d in got:
        assert d.pool_id == (2 if sz is not None and d.ask.org_code.startswith("GD-SZ") else 1)
    # A refusal for stock or budget means that pool really had run out (issuing never stops early).
    for d in decisions:
        if d.reason == "stock_exhausted":
            assert next(p for p in pools if p.id == d.pool_id).stock_remaining == 0
        if d.reason == "budget_exhausted":
            assert next(p for p in pools if p.id == d.pool_id).budget_remaining_fen < cost
        if d.reason == "limit_per_customer":
            assert issued[d.ask.customer_id] == limit
    assert {d.customer_seq for d in got if d.ask.customer_id == "c0"} == set(range(1, issued.get("c0", 0) + 1))

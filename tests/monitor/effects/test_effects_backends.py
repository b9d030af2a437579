"""The effect page on SQLite and on PostgreSQL: the message log and costs, read on a second connection beside the
entries, and the AUM DiD add up to what was simulated."""

from __future__ import annotations

from pathlib import Path

import pytest
from world import NOW, add_benefits, build

from mofang.monitor.effects import service
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Scope
from mofang.platform.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Metadata on SQLite, and on a fresh PostgreSQL database when configured."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=False, scheduler=False)


def test_counts_costs_and_aum_add_up_on_both_backends(platform: Platform) -> None:
    w = build(platform, n=1200, seed=21, sms_cost_fen=6, campaign_id=9, days=20)
    add_benefits(platform, campaign_id=9, customers=list(zip(w.customer_id[:40], w.org[:40], strict=True)),
                 cost_fen=300)
    eff = service.strategy_effect(platform=platform, scope=Scope(kind="all"), strategy_ids=[1], campaign_id=9,
                                  now=NOW)
    t, c = ~w.holdout, w.holdout
    assert (eff.lift.treated.customers, eff.lift.treated.conversions) == (int(t.sum()), int(w.converted[t].sum()))
    assert (eff.lift.reference.customers, eff.lift.reference.conversions) == (int(c.sum()),
                                                                              int(w.converted[c].sum()))
    sent = next(st.count for st in eff.funnel.stages if st.stage == "sent")
    assert 0 < sent < int(t.sum())
    assert eff.costs.messages == {"sms": round(sent * 6 / 100, 2)} and eff.costs.benefits == {"cash": 120.0}
    change = w.post - w.pre
    assert eff.aum.customers_with_aum == 1200
    assert eff.aum.unadjusted.difference == pytest.approx(change[t].mean() - change[c].mean(), rel=1e-9)
    assert sum(d.treated + d.control for d in eff.daily) == 1200 and 1 < len(eff.daily) <= 20

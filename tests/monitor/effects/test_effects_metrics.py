"""campaign_roi and incremental_aum in the metric library: alert rules watch a strategy's ROI and net new AUM."""

from __future__ import annotations

from datetime import date

import pytest
from world import NOW, build

from mofang.monitor.alerts import service as alerts
from mofang.monitor.alerts.contracts import MetricCreate
from mofang.monitor.effects import service as effects
from mofang.platform.errors import Invalid
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of

HQ = Principal(user_id=1, username="hq", display_name="hq", role="admin", org_code="HQ", rm_id=None,
               permissions=permissions_of("admin"), scope=Scope(kind="all"))


def test_effect_metrics_equal_the_effect_page(platform) -> None:
    build(platform, n=1500, seed=31, aum_effect=6000.0)
    platform.extras["clock"] = lambda: NOW
    got = {}
    for key in ("campaign_roi", "incremental_aum"):
        m = alerts.create_metric(platform=platform, who=HQ, data=MetricCreate(key=key, name=key, definition={
            "source": "effect", "effect": key, "strategy_ids": [1], "days": 7}))
        got[key] = alerts.metric_value(platform=platform, who=HQ, metric_id=m.id, day=date(2026, 3, 3)).value
    page = effects.strategy_effect(platform=platform, scope=Scope(kind="all"), strategy_ids=[1],
                                   date_from=date(2026, 2, 24), date_to=date(2026, 3, 2), n_resamples=200, now=NOW)
    assert got["incremental_aum"] == pytest.approx(page.aum.incremental_aum)
    assert got["campaign_roi"] == pytest.approx(page.roi.roi)
    assert got["incremental_aum"] > 0


def test_an_effect_metric_needs_its_strategies(platform) -> None:
    with pytest.raises(Invalid) as e:
        alerts.create_metric(platform=platform, who=HQ, data=MetricCreate(key="roi", name="roi", definition={
            "source": "effect", "effect": "campaign_roi"}))
    assert e.value.field == "definition.strategy_ids"

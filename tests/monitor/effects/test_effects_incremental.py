"""The campaigns' part of MAU/AUM movement: the strategies' holdout estimates summed, with an interval, scoped."""

from __future__ import annotations

import math

import pytest
from world import NOW, build

PERIOD = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def test_incremental_part_sums_each_strategys_holdout_estimate(app_client, platform, make_user, login) -> None:
    build(platform, strategy_id=1, n=1500, seed=61, aum_effect=6000.0)
    build(platform, strategy_id=2, n=1500, seed=62, lift=0.0, aum_effect=2000.0, prefix="d")
    build(platform, strategy_id=3, n=300, seed=63, no_control=True, prefix="e")
    platform.extras["clock"] = lambda: NOW
    seen: dict[str, float] = {}
    for user, role, org in (("hq", "analyst", "HQ"), ("gz", "branch_operator", "GD-GZ")):
        h = login(make_user(user, role, org))
        part = app_client.get("/api/effects/incremental", params=PERIOD, headers=h).json()
        effs = [app_client.get(f"/api/effects/strategies/{s}", params=PERIOD, headers=h).json() for s in (1, 2)]
        assert (part["strategies"], part["without_control"]) == (2, 1)
        assert part["incremental_customers"] == pytest.approx(
            sum(e["lift"]["incremental_conversions"] for e in effs), rel=1e-9)
        assert part["incremental_aum"] == pytest.approx(sum(e["aum"]["incremental_aum"] for e in effs), rel=1e-9)
        # The interval of a sum of independent estimates: wider than each, narrower than their widths added.
        widths = [e["aum"]["incremental_upper"] - e["aum"]["incremental_lower"] for e in effs]
        width = part["aum_upper"] - part["aum_lower"]
        assert max(widths) < width < sum(widths)
        assert width == pytest.approx(math.sqrt(sum(w * w for w in widths)), rel=1e-9)
        seen[user] = part["incremental_aum"]
    assert seen["gz"] < seen["hq"]  # the branch's customers only


def test_bad_period_is_refused(app_client, platform, make_user, login) -> None:
    h = login(make_user("hq", "analyst", "HQ"))
    r = app_client.get("/api/effects/incremental", params={"date_from": "2026-03-05", "date_to": "2026-03-01"},
                       headers=h)
    assert r.status_code == 400 and r.json()["field"] == "date_to"

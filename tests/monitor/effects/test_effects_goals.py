"""Goal tracking: targets stated by owners, achieved values equal to the effect's own lift and AUM, scoped."""

from __future__ import annotations

import pytest
from world import NOW, build

from mofang.platform.governance import service as gov

PERIOD = {"period_from": "2026-03-01", "period_to": "2026-03-10"}


def _pin(platform) -> None:
    platform.extras["clock"] = lambda: NOW


def _goal(metric: str, target: float, **extra) -> dict:
    return {"strategy_ids": [1], "metric": metric, "target": target, "name": f"{metric} 目标", **PERIOD, **extra}


def test_achievement_equals_the_effects_lift_and_aum_by_day(app_client, platform, make_user, login) -> None:
    build(platform, n=3000, seed=41, days=6, lift=0.04)
    _pin(platform)
    gd = login(make_user("gd", "branch_operator", "GD"))
    for metric, target in (("conversion_lift_pct", 25.0), ("incremental_conversions", 50.0),
                           ("incremental_aum", 1e6), ("roi", 2.0)):
        r = app_client.post("/api/effects/goals", json=_goal(metric, target), headers=gd)
        assert r.status_code == 201, r.text
    r = app_client.get("/api/effects/goals", params={"strategy_ids": [1]}, headers=gd)
    assert r.status_code == 200, r.text
    goals = r.json()
    assert [g["goal"]["metric"] for g in goals] == ["conversion_lift_pct", "incremental_conversions",
                                                    "incremental_aum", "roi"]
    eff = app_client.get("/api/effects/strategies/1", params={"date_from": "2026-03-01", "date_to": "2026-03-10"},
                         headers=gd).json()
    lift_pct, conv, aum, roi = goals
    assert lift_pct["achieved"] == pytest.approx(eff["lift"]["test"]["lift"] * 100, rel=1e-12)
    assert lift_pct["lower"] == pytest.approx(eff["lift"]["test"]["lift_lower"] * 100, rel=1e-12)
    assert lift_pct["share"] == pytest.approx(lift_pct["achieved"] / 25.0)
    assert lift_pct["met"] == (lift_pct["achieved"] >= 25.0)
    assert conv["achieved"] == pytest.approx(eff["lift"]["incremental_conversions"], rel=1e-12)
    assert aum["achieved"] == pytest.approx(eff["aum"]["incremental_aum"], rel=1e-12)
    assert aum["upper"] == pytest.approx(eff["aum"]["incremental_upper"], rel=1e-12)
    assert roi["achieved"] is not None and roi["series"] == []
    # The series: one point per entry day; each equals the effect counted over entries up to that day.
    days = [p["day"] for p in conv["series"]]
    assert days == [d["day"] for d in eff["daily"]] and len(days) == 6
    for metric_row, read in ((lift_pct, lambda e: e["lift"]["test"]["lift"] * 100),
                             (conv, lambda e: e["lift"]["incremental_conversions"]),
                             (aum, lambda e: e["aum"]["incremental_aum"])):
        assert metric_row["series"][-1]["achieved"] == pytest.approx(metric_row["achieved"], rel=1e-9)
        for point in metric_row["series"][:3]:
            upto = app_client.get("/api/effects/strategies/1", params={"date_from": "2026-03-01",
                                                                        "date_to": point["day"]}, headers=gd).json()
            assert point["achieved"] == pytest.approx(read(upto), rel=1e-9)


def test_branch_sees_its_subtrees_achievement_and_changes_are_audited(app_client, platform, make_user,
                                                                      login) -> None:
    build(platform, n=2000, seed=42, days=3)
    _pin(platform)
    gd = login(make_user("gd", "branch_operator", "GD"))
    gz = login(make_user("gz", "branch_operator", "GD-GZ"))
    made = app_client.post("/api/effects/goals", json=_goal("incremental_conversions", 40.0), headers=gd).json()
    whole = app_client.get("/api/effects/goals", params={"strategy_ids": [1]}, headers=gd).json()[0]
    whole_eff = app_client.get("/api/effects/strategies/1", params={"date_from": "2026-03-01",
                                                                     "date_to": "2026-03-10"}, headers=gd).json()
    mine = app_client.get("/api/effects/goals", params={"strategy_ids": [1]}, headers=gz).json()[0]
    scoped = app_client.get("/api/effects/strategies/1", params={"date_from": "2026-03-01",
                                                                  "date_to": "2026-03-10"}, headers=gz).json()
    assert mine["achieved"] == pytest.approx(scoped["lift"]["incremental_conversions"], rel=1e-12)
    # A sub-branch may not withdraw a target its parent's strategy carries; the owner may, and both acts are audited.
    assert app_client.delete(f"/api/effects/goals/{made['id']}", headers=gz).status_code == 403
    assert app_client.delete(f"/api/effects/goals/{made['id']}", headers=gd).status_code == 204
    assert app_client.get("/api/effects/goals", params={"strategy_ids": [1]}, headers=gd).json() == []
    with platform.metadata.session() as s:
        made_log, _ = gov.list_audit(session=s, limit=10, offset=0, action="effects.goal.create")
        gone_log, _ = gov.list_audit(session=s, limit=10, offset=0, action="effects.goal.delete")
    assert [e.username for e in made_log] == ["gd"] and [e.username for e in gone_log] == ["gd"]
    # The branch's number counts only its subtree's customers: not the whole bank's.
    assert scoped["lift"]["treated"]["customers"] < whole_eff["lift"]["treated"]["customers"]
    assert mine["achieved"] != whole["achieved"]


@pytest.mark.parametrize(("body", "status", "field"), [
    (_goal("conversion_lift_pct", 30000.0), 400, "target"),
    (_goal("roi", 0.0), 400, "target"),
    (_goal("incremental_aum", 1e6, period_from="2026-03-10", period_to="2026-03-01"), 400, "period_to"),
    (_goal("incremental_aum", 1e6, period_from="2026-01-01", period_to="2027-06-01"), 400, "period_to"),
    (_goal("incremental_aum", 1e6, period_from="9999-01-01", period_to="9999-01-02"), 400, "period_from"),
    (_goal("incremental_aum", 1e6, strategy_ids=[99]), 404, "strategy_ids"),
    (_goal("incremental_aum", 1e6, strategy_ids=[]), 422, "strategy_ids"),
    (_goal("growth", 30.0), 422, "metric"),
    ({**_goal("roi", 1.0), "target": "NaN"}, 422, "target"),
    ({k: v for k, v in _goal("roi", 1.0).items() if k != "period_to"}, 422, "period_to"),
])
def test_bad_targets_are_refused_naming_the_field(app_client, platform, make_user, login, body, status,
                                                  field) -> None:
    build(platform, n=100, seed=43)
    gd = login(make_user("gd", "branch_operator", "GD"))
    r = app_client.post("/api/effects/goals", json=body, headers=gd)
    assert r.status_code == status, r.text
    got = r.json()
    named = got.get("field") or [e["loc"][-1] for e in got.get("detail", [])]
    assert field in (named if isinstance(named, list) else [named])
    assert app_client.get("/api/effects/goals", params={"strategy_ids": [1]}, headers=gd).json() == []


def test_only_owner_orgs_set_targets(app_client, platform, make_user, login) -> None:
    build(platform, n=100, seed=44)
    zj = login(make_user("zj", "branch_operator", "ZJ"))
    r = app_client.post("/api/effects/goals", json=_goal("roi", 1.0), headers=zj)
    assert r.status_code == 403 and r.json()["field"] == "strategy_ids"
    ana = login(make_user("ana", "analyst", "HQ"))
    assert app_client.post("/api/effects/goals", json=_goal("roi", 1.0), headers=ana).status_code == 403

"""Tags and data scope: a branch's tag is computed over its own subtree, run figures are counted in the viewer's
scope, and only the owner (or head office) runs a tag, never over history already recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from test_tags_api import tag_ids, values

from conftest import TODAY
from mofang.insight.tags import tasks

# A Shenzhen operator probing Guangzhou's customers (V3 20,000 and V6 100,000 in tag_bank).
PROBE = {"key": "gz_rich", "name": "广州大户", "family": "business_value",
         "rule": {"kind": "rule", "cases": [{"value": "是", "when": {"type": "group", "op": "and", "conditions": [
             {"type": "attribute", "field": "org_code", "op": "eq", "value": "GD-GZ-001"},
             {"type": "attribute", "field": "aum", "op": "gt", "value": 50_000}]}}]}}


@pytest.mark.usefixtures("tag_bank")
def test_a_branch_tag_counts_only_its_own_customers(app_client: TestClient, platform, make_user, login) -> None:
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    tag = app_client.post("/api/insight/tags", json=PROBE, headers=sz)
    assert tag.status_code == 201, tag.text
    run = app_client.post(f"/api/insight/tags/{tag.json()['id']}/run", json={}, headers=sz)
    assert run.status_code == 200, run.text
    assert run.json()["runs"][0]["customers"] == 0 and run.json()["runs"][0]["coverage"] == 0
    assert values(platform, tag.json()["id"]) == {}  # V6 matches the rule but is not Shenzhen's
    dist = app_client.get(f"/api/insight/tags/{tag.json()['id']}/distribution", headers=sz).json()
    assert dist["covered"] == 0 and dist["buckets"] == []


@pytest.mark.usefixtures("tag_bank")
def test_run_figures_of_a_head_office_tag_are_counted_in_the_viewers_scope(app_client: TestClient, platform,
                                                                           admin_headers, make_user, login) -> None:
    ids = tag_ids(app_client, admin_headers)
    tasks.run_daily(platform, TODAY)
    hq = app_client.get(f"/api/insight/tags/{ids['aum_tier']}/runs", headers=admin_headers).json()[0]
    assert hq["customers"] == 6 and hq["coverage"] == 1.0
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    for run in (app_client.get(f"/api/insight/tags/{ids['aum_tier']}/runs", headers=sz).json()[0],
                app_client.get(f"/api/insight/tags/{ids['aum_tier']}", headers=sz).json()["last_run"],
                next(t["last_run"] for t in app_client.get("/api/insight/tags", headers=sz).json()
                     if t["id"] == ids["aum_tier"])):
        assert (run["customers"], run["coverage"], run["changed"]) == (2, 1.0, 2)  # V1 and V2 only
    rm = login(make_user("rm_sz", "rm", "GD-SZ-001", rm_id="RM-NOBODY"))
    run = app_client.get(f"/api/insight/tags/{ids['aum_tier']}/runs", headers=rm).json()[0]
    assert (run["customers"], run["coverage"], run["changed"]) == (0, 0.0, 0)


@pytest.mark.usefixtures("tag_bank")
def test_only_the_owner_runs_a_tag(app_client: TestClient, platform, admin_headers, make_user, login) -> None:
    ids = tag_ids(app_client, admin_headers)
    tasks.run_daily(platform, TODAY)
    before = values(platform, ids["age_band"], TODAY)
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    for body in ({}, {"day": str(TODAY - timedelta(days=30))}):
        res = app_client.post(f"/api/insight/tags/{ids['age_band']}/run", json=body, headers=sz)
        assert res.status_code == 403 and res.json()["code"] == "tag_not_owner", res.text
    assert values(platform, ids["age_band"], TODAY) == before
    runs = app_client.get(f"/api/insight/tags/{ids['age_band']}/runs", headers=admin_headers).json()
    assert [r["trigger"] for r in runs] == ["schedule"]


@pytest.mark.usefixtures("tag_bank")
def test_a_past_day_never_rewrites_recorded_history(app_client: TestClient, platform, admin_headers) -> None:
    ids = tag_ids(app_client, admin_headers)
    earlier = TODAY - timedelta(days=14)
    tasks.run_daily(platform, earlier)
    tasks.run_daily(platform, TODAY)
    kept = values(platform, ids["txn_amount_90d"], earlier)
    for day in (earlier, earlier - timedelta(days=7), earlier + timedelta(days=0)):
        res = app_client.post(f"/api/insight/tags/{ids['txn_amount_90d']}/run", json={"day": str(day)},
                              headers=admin_headers)
        assert res.status_code == 409 and res.json()["code"] == "tag_history_kept", res.text
        assert res.json()["field"] == "day"
    assert values(platform, ids["txn_amount_90d"], earlier) == kept
    # Today may be recomputed (it replaces only today's values), and a new tag may be computed forwards.
    assert app_client.post(f"/api/insight/tags/{ids['txn_amount_90d']}/run", json={},
                           headers=admin_headers).status_code == 200
    fresh = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "logins_7d", "name": "近7天登录", "family": "preference",
        "rule": {"kind": "aggregate", "event": "login", "window": {"last_days": 7}, "filters": []}}).json()
    for day in (earlier, TODAY - timedelta(days=7), TODAY):
        res = app_client.post(f"/api/insight/tags/{fresh['id']}/run", json={"day": str(day)}, headers=admin_headers)
        assert res.status_code == 200, (day, res.text)
    res = app_client.post(f"/api/insight/tags/{fresh['id']}/run", json={"day": str(earlier)}, headers=admin_headers)
    assert res.status_code == 409
    assert isinstance(date.fromisoformat(res.json()["params"]["day"]), date)

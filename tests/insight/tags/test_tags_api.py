"""Tags through the API and the daily task: default catalogue, RFM / lifecycle / timing values with history,
distributions and flows inside scope, definitions validated and versioned, imported values."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from conftest import TODAY
from mofang.insight.catalogue import OPEN_END
from mofang.insight.models import TagDef
from mofang.insight.tags import tasks

EARLIER = date(2026, 10, 20)


def tag_ids(client: TestClient, headers: dict) -> dict[str, int]:
    res = client.get("/api/insight/tags", headers=headers)
    assert res.status_code == 200, res.text
    return {t["key"]: t["id"] for t in res.json()}


def values(platform, tag_id: int, day: date | None = None) -> dict[str, str]:
    if day is None:
        rows = platform.store.query("SELECT customer_id, value FROM tag_values WHERE tag_id = ? AND valid_to = ?",
                                    [tag_id, OPEN_END])
    else:
        rows = platform.store.query("SELECT customer_id, value FROM tag_values WHERE tag_id = ? AND valid_from <= ? "
                                    "AND valid_to > ?", [tag_id, day, day])
    return {r["customer_id"]: r["value"] for r in rows}


def test_default_catalogue_has_four_families(app_client: TestClient, admin_headers) -> None:
    cat = app_client.get("/api/insight/catalogue", headers=admin_headers).json()  # first call installs defaults
    assert {"rfm_class", "lifecycle_stage"} <= {t["key"] for t in cat["tags"]}
    assert {"age", "aum", "tier"} <= {a["key"] for a in cat["attributes"]}
    assert "product_type" in {p["key"] for e in cat["events"] if e["name"] == "product_view" for p in e["properties"]}
    tags = app_client.get("/api/insight/tags", headers=admin_headers).json()
    assert len(tags) >= 30
    families = {t["family"] for t in tags}
    assert {"business_value", "preference", "lifecycle", "timing"} <= families
    assert all(sum(t["family"] == f for t in tags) >= 5 for f in ("business_value", "preference", "lifecycle",
                                                                    "timing"))
    kinds = {t["kind"] for t in tags}
    assert {"attribute", "aggregate", "rfm", "lifecycle", "timing", "rule"} <= kinds


@pytest.mark.usefixtures("tag_bank")
def test_daily_run_computes_rfm_lifecycle_timing_for_everyone(app_client: TestClient, platform, admin_headers
                                                              ) -> None:
    ids = tag_ids(app_client, admin_headers)
    report = tasks.run_daily(platform, TODAY)
    assert all(r.status == "ok" for r in report.runs), [r.error for r in report.runs if r.error]
    assert values(platform, ids["rfm_class"]) == {
        "V1": "重要价值客户", "V2": "重要保持客户", "V3": "一般发展客户", "V4": "一般挽留客户", "V5": "一般挽留客户",
        "V6": "一般挽留客户"}
    assert values(platform, ids["lifecycle_stage"]) == {
        "V1": "成熟", "V2": "沉睡", "V3": "新客", "V4": "沉睡", "V5": "潜客", "V6": "成长"}
    assert values(platform, ids["aum_tier"]) == {"V1": "财富客户", "V2": "潜力客户", "V3": "大众客户",
                                                 "V4": "潜力客户", "V5": "大众客户", "V6": "潜力客户"}
    assert values(platform, ids["payday"]) == {"V1": "10.0", "V6": "25.0"}
    assert values(platform, ids["active_hour"]) == {"V1": "21.0", "V3": "9.0", "V4": "12.0", "V6": "8.0"}
    assert values(platform, ids["fund_views_30d"]) == {"V1": "1.0"} | {f"V{i}": "0.0" for i in range(2, 7)}
    assert values(platform, ids["salary_customer"])["V6"] == "是"
    assert values(platform, ids["last_login_date"])["V4"] == "2026-09-21"
    rfm = next(t for t in app_client.get("/api/insight/tags", headers=admin_headers).json() if t["key"] == "rfm_class")
    assert rfm["last_run"]["coverage"] == 1.0 and rfm["last_run"]["customers"] == 6
    # Running the same day again changes nothing.
    before = platform.store.scalar("SELECT count(*) FROM tag_values")
    tasks.run_daily(platform, TODAY)
    assert platform.store.scalar("SELECT count(*) FROM tag_values") == before


@pytest.mark.usefixtures("tag_bank")
def test_history_flow_and_trend_are_scoped(app_client: TestClient, platform, admin_headers, make_user, login
                                           ) -> None:
    ids = tag_ids(app_client, admin_headers)
    tasks.run_daily(platform, EARLIER)
    tasks.run_daily(platform, TODAY)
    assert values(platform, ids["lifecycle_stage"], EARLIER)["V6"] == "沉睡"
    assert values(platform, ids["lifecycle_stage"])["V6"] == "成长"
    hist = app_client.get(f"/api/insight/tags/{ids['lifecycle_stage']}/history", headers=admin_headers).json()
    assert [h["day"] for h in hist] == ["2026-10-20", "2026-11-20"] and hist[1]["counts"]["成长"] == 1

    body = {"tag": "lifecycle_stage", "start": "2026-10-20", "end": "2026-11-20"}
    flow = app_client.post("/api/insight/flows", json=body, headers=admin_headers).json()
    cells = {(c["source"], c["target"]): c["count"] for c in flow["cells"]}
    assert cells[("沉睡", "成长")] == 1 and sum(cells.values()) == 6
    assert flow["tiers"][:6] == ["潜客", "新客", "流失", "沉睡", "成熟", "成长"]
    gz = login(make_user("gz_ops", "branch_operator", "GD-GZ"))
    gz_flow = app_client.post("/api/insight/flows", json=body, headers=gz).json()
    assert sum(c["count"] for c in gz_flow["cells"]) == 2  # V3 and V6 only
    trend = app_client.get("/api/insight/flows/trend", params={"tag": "aum_tier", "days": ["2026-10-20",
                                                                                         "2026-11-20"]},
                           headers=gz).json()
    assert [sum(p["sizes"].values()) for p in trend] == [2, 2]

    cell = app_client.post("/api/insight/flows/segment", json=body | {"source": "沉睡", "target": "成长",
                                                                      "name": "唤醒成功"}, headers=gz)
    assert cell.status_code == 201, cell.text
    members = app_client.get(f"/api/insight/segments/{cell.json()['id']}/members", headers=gz).json()
    assert [m["customer_id"] for m in members["items"]] == ["V6"]
    past = {"type": "tag", "tag": "lifecycle_stage", "op": "eq", "value": "沉睡", "on_date": "2026-10-20"}
    est = app_client.post("/api/insight/segments/estimate", json={"definition": past}, headers=admin_headers)
    assert est.json()["count"] == sum(v == "沉睡" for v in values(platform, ids["lifecycle_stage"], EARLIER).values())


@pytest.mark.usefixtures("tag_bank")
def test_distribution_is_scoped(app_client: TestClient, platform, admin_headers, make_user, login) -> None:
    ids = tag_ids(app_client, admin_headers)
    tasks.run_daily(platform, TODAY)
    zj = login(make_user("zj_ops", "branch_operator", "ZJ"))
    dist = app_client.get(f"/api/insight/tags/{ids['aum_tier']}/distribution", headers=zj).json()
    assert dist["customers"] == 2 and dist["coverage"] == 1.0
    assert {b["value"]: b["count"] for b in dist["buckets"]} == {"潜力客户": 1, "大众客户": 1}
    num = app_client.get(f"/api/insight/tags/{ids['txn_amount_90d']}/distribution", headers=admin_headers).json()
    assert num["covered"] == 6 and sum(b["count"] for b in num["buckets"]) == 6 and num["buckets"][0]["low"] == 0


@pytest.mark.usefixtures("tag_bank")
def test_definitions_are_validated_versioned_and_owned(app_client: TestClient, platform, admin_headers, make_user,
                                                       login) -> None:
    ops = login(make_user("gd_ops", "branch_operator", "GD"))
    bad = {"key": "night_owl", "name": "夜猫子", "family": "timing",
           "rule": {"kind": "aggregate", "event": "teleport", "window": {"last_days": 30}}}
    res = app_client.post("/api/insight/tags", json=bad, headers=ops)
    assert res.status_code == 422 and res.json()["field"] == "rule.event"
    bad["rule"] = {"kind": "rule", "cases": [{"value": "是", "when": {"type": "attribute", "field": "shoe_size",
                                                                     "op": "gt", "value": 40}}]}
    res = app_client.post("/api/insight/tags", json=bad, headers=ops)
    assert res.status_code == 422 and res.json()["field"] == "rule.cases.0.when.field"
    good = {"key": "night_logins", "name": "夜间登录次数", "family": "preference",
            "rule": {"kind": "aggregate", "event": "login", "window": {"last_days": 30}, "filters": []}}
    created = app_client.post("/api/insight/tags", json=good, headers=ops)
    assert created.status_code == 201, created.text
    tag = created.json()
    assert tag["owner_org"] == "GD" and tag["value_type"] == "number" and tag["version"] == 1
    run = app_client.post(f"/api/insight/tags/{tag['id']}/run", json={}, headers=ops)
    # A tag owned by GD is computed over GD's subtree (V1, V2, V3, V6): ZJ's customers get no value.
    assert run.status_code == 200 and run.json()["runs"][0]["customers"] == 4
    assert values(platform, tag["id"])["V1"] == "4.0" and "V4" not in values(platform, tag["id"])
    patched = app_client.patch(f"/api/insight/tags/{tag['id']}", headers=ops, json={"rule": good["rule"] | {
        "window": {"last_days": 1}}}).json()
    assert patched["version"] == 2
    assert len(app_client.get(f"/api/insight/tags/{tag['id']}/versions", headers=ops).json()) == 2
    runs = app_client.get(f"/api/insight/tags/{tag['id']}/runs", headers=ops).json()
    assert runs[0]["status"] == "ok" and runs[0]["duration_ms"] >= 0 and runs[0]["trigger"] == "manual"
    rfm = tag_ids(app_client, ops)["rfm_class"]
    assert app_client.patch(f"/api/insight/tags/{rfm}", json={"name": "x"}, headers=ops).status_code == 403
    audit = app_client.get("/api/admin/audit", params={"action": "tag.create"}, headers=admin_headers).json()
    assert audit["total"] == 1


@pytest.mark.usefixtures("tag_bank")
def test_imported_tag_values_from_csv(app_client: TestClient, platform, admin_headers) -> None:
    body = {"key": "vip_event", "name": "参加VIP沙龙", "family": "imported",
            "rule": {"kind": "imported", "value_type": "string"}}
    tag = app_client.post("/api/insight/tags", json=body, headers=admin_headers).json()
    csv = "customer_id,value\nV1,已参加\nV2,已报名\nNOPE,已参加\nV3,\n".encode()
    res = app_client.post(f"/api/insight/tags/{tag['id']}/values", files={"file": ("v.csv", csv)},
                          headers=admin_headers)
    assert res.status_code == 200, res.text
    assert res.json()["accepted"] == 2 and res.json()["rejected"] == 2
    assert values(platform, tag["id"]) == {"V1": "已参加", "V2": "已报名"}
    tree = {"type": "tag", "tag": "vip_event", "op": "eq", "value": "已参加"}
    assert app_client.post("/api/insight/segments/estimate", json={"definition": tree},
                           headers=admin_headers).json()["count"] == 1


@pytest.mark.usefixtures("tag_bank")
def test_one_unreadable_or_failing_tag_never_stops_the_daily_run(app_client: TestClient, platform, admin_headers):
    made = {}
    for key in ("broken_rule", "steady_login"):
        res = app_client.post("/api/insight/tags", headers=admin_headers, json={
            "key": key, "name": key, "family": "timing",
            "rule": {"kind": "aggregate", "event": "login", "window": {"last_days": 30}}})
        assert res.status_code == 201, res.text
        made[key] = res.json()["id"]
    with platform.metadata.session() as s:  # a rule stored under older rules, that no longer reads
        s.get(TagDef, made["broken_rule"]).rule = {"kind": "aggregate", "event": "login", "window": "forever"}
    report = tasks.TAGS_JOB.run(platform, TODAY)
    runs = {r.tag_id: r for r in report.runs}
    assert runs[made["broken_rule"]].status == "error" and "not valid" in runs[made["broken_rule"]].error
    assert runs[made["steady_login"]].status == "ok"
    assert sum(r.status == "ok" for r in report.runs) == len(report.runs) - 1


@pytest.mark.usefixtures("tag_bank")
def test_a_tag_whose_stored_rule_no_longer_reads_is_listed_flagged_and_refuses_a_run(
        app_client: TestClient, platform, admin_headers):
    res = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "old_rule", "name": "old", "family": "timing",
        "rule": {"kind": "aggregate", "event": "login", "window": {"last_days": 30}}})
    assert res.status_code == 201, res.text
    tag_id = res.json()["id"]
    with platform.metadata.session() as s:  # saved under older rules
        s.get(TagDef, tag_id).rule = {"kind": "aggregate", "event": "login", "window": "forever"}
    listed = app_client.get("/api/insight/tags", headers=admin_headers)
    assert listed.status_code == 200
    assert next(t for t in listed.json() if t["id"] == tag_id)["rule"] is None
    assert app_client.get(f"/api/insight/tags/{tag_id}", headers=admin_headers).json()["rule"] is None
    run = app_client.post(f"/api/insight/tags/{tag_id}/run", headers=admin_headers, json={})
    assert run.status_code == 422 and run.json()["code"] == "tag_rule_unreadable", run.text

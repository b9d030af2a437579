"""Segments through the API: the branch operator's fund prospects, counts vs hand-written SQL, scope,
masking, audited export, snapshots and freezing, imported lists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import fund_prospects

MATCHES = {"S01", "S03", "S04", "S09", "S10"}

HAND_WRITTEN = """
SELECT customer_id FROM customers c
WHERE date_sub('year', c.birth_date, DATE '2026-11-20') BETWEEN 25 AND 40
  AND c.aum BETWEEN 50000 AND 500000
  AND c.customer_id IN (SELECT customer_id FROM events WHERE event = 'product_view'
        AND json_extract_string(properties, '$.product_type') = '基金'
        AND ts >= TIMESTAMP '2026-10-22' AND ts < TIMESTAMP '2026-11-21'
        GROUP BY customer_id HAVING count(*) >= 3)
  AND c.customer_id NOT IN (SELECT customer_id FROM events WHERE event = 'fund_purchase'
        AND json_extract_string(properties, '$.product_type') = '基金'
        AND ts >= TIMESTAMP '2026-10-22' AND ts < TIMESTAMP '2026-11-21')
"""


def sql_ids(platform, sql: str) -> set[str]:
    return {r["customer_id"] for r in platform.store.query(sql)}


@pytest.mark.usefixtures("bank")
def test_branch_operator_builds_fund_prospects(app_client: TestClient, platform, make_user, login) -> None:
    ops = login(make_user("gd_ops", "branch_operator", "GD"))
    assert sql_ids(platform, HAND_WRITTEN) == MATCHES
    est = app_client.post("/api/insight/segments/estimate", json={"definition": fund_prospects()}, headers=ops)
    assert est.status_code == 200, est.text
    in_gd = {c for c in MATCHES if c != "S04"}  # S04 is in Zhejiang: outside the Guangdong operator's scope
    assert est.json()["count"] == len(in_gd) and est.json()["total"] == 11

    comp = app_client.post("/api/insight/segments/composition", json={"definition": fund_prospects()}, headers=ops)
    assert comp.status_code == 200, comp.text
    dims = comp.json()["dimensions"]
    assert comp.json()["total"] == len(in_gd)
    assert {b["value"]: b["count"] for b in dims["age_band"]} == {"25-34": 2, "35-44": 2}
    assert {b["value"]: b["count"] for b in dims["product_type"]} == {"基金": 2, "定期": 1}
    assert sum(b["count"] for b in dims["province"]) == len(in_gd)

    saved = app_client.post("/api/insight/segments", json={"name": "基金潜客", "definition": fund_prospects()},
                            headers=ops)
    assert saved.status_code == 201, saved.text
    seg = saved.json()
    assert seg["owner_org"] == "GD" and seg["editable"] and seg["kind"] == "dynamic"
    members = app_client.get(f"/api/insight/segments/{seg['id']}/members", headers=ops).json()
    assert {m["customer_id"] for m in members["items"]} == in_gd and members["total"] == len(in_gd)
    first = members["items"][0]
    assert first["name"].startswith("客") and "*" in first["name"] and "****" in first["phone"]

    # Head office sees every match of the GD-owned segment that lies in GD; a Zhejiang operator sees nothing.
    admin = login(make_user("root", "admin", "HQ"))
    assert app_client.get(f"/api/insight/segments/{seg['id']}/members", headers=admin).json()["total"] == len(in_gd)
    zj = login(make_user("zj_ops", "branch_operator", "ZJ"))
    assert app_client.get(f"/api/insight/segments/{seg['id']}", headers=zj).status_code == 404
    assert app_client.post("/api/insight/segments/estimate", json={"definition": fund_prospects()},
                           headers=zj).json()["count"] == 1


CROSS_CHECKS = [
    ({"type": "not", "condition": {"type": "behaviour", "event": "product_view", "window": {"last_days": 30}}},
     "SELECT customer_id FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM events "
     "WHERE event = 'product_view' AND ts >= TIMESTAMP '2026-10-22')"),
    ({"type": "behaviour", "event": "product_view", "op": "lt", "value": 3, "window": {"last_days": 30}},
     "SELECT customer_id FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM events "
     "WHERE event = 'product_view' AND ts >= TIMESTAMP '2026-10-22' GROUP BY 1 HAVING count(*) >= 3)"),
    ({"type": "group", "op": "or", "conditions": [
        {"type": "attribute", "field": "aum", "op": "gte", "value": 300000},
        {"type": "holding", "product_type": "基金"}]},
     "SELECT customer_id FROM customers WHERE aum >= 300000 OR customer_id IN "
     "(SELECT customer_id FROM holdings JOIN products USING (product_id) WHERE product_type = '基金')"),
    ({"type": "sequence", "steps": [{"event": "wealth_purchase"}, {"event": "product_view"}], "within_hours": 24 * 10},
     "SELECT DISTINCT a.customer_id FROM events a JOIN events b ON a.customer_id = b.customer_id "
     "AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL 240 HOUR WHERE a.event = 'wealth_purchase' "
     "AND b.event = 'product_view' AND a.ts >= TIMESTAMP '2026-10-22' AND b.ts >= TIMESTAMP '2026-10-22'"),
    ({"type": "behaviour", "event": "product_view", "measure": "distinct", "property": "product_type", "op": "gte",
      "value": 2, "window": {"start": "2026-10-01", "end": "2026-11-20"}},
     "SELECT customer_id FROM events WHERE event = 'product_view' AND ts >= TIMESTAMP '2026-10-01' "
     "GROUP BY 1 HAVING count(DISTINCT json_extract_string(properties, '$.product_type')) >= 2"),
    ({"type": "attribute", "field": "birth_date", "op": "within_last_days", "value": 10000},
     "SELECT customer_id FROM customers WHERE birth_date >= DATE '2026-11-20' - 9999"),
]


@pytest.mark.usefixtures("bank")
def test_counts_match_hand_written_sql(app_client: TestClient, platform, admin_headers) -> None:
    for tree, sql in CROSS_CHECKS:
        expected = sql_ids(platform, sql)
        res = app_client.post("/api/insight/segments/estimate", json={"definition": tree}, headers=admin_headers)
        assert res.status_code == 200, res.text
        assert res.json()["count"] == len(expected) > 0, sql


@pytest.mark.usefixtures("bank")
def test_unknown_field_or_operator_is_a_422_naming_it(app_client: TestClient, admin_headers) -> None:
    bad = fund_prospects()
    bad["conditions"][1]["filters"][0]["property"] = "colour"
    res = app_client.post("/api/insight/segments/estimate", json={"definition": bad}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "definition.conditions.1.filters.0.property"
    bad = fund_prospects()
    bad["conditions"][3]["op"] = "like"
    res = app_client.post("/api/insight/segments", json={"name": "x", "definition": bad}, headers=admin_headers)
    assert res.status_code == 422 and "conditions" in str(res.json()["detail"][0]["loc"])
    bad["conditions"][3]["op"] = "contains"
    res = app_client.post("/api/insight/segments", json={"name": "x", "definition": bad}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "definition.conditions.3.op"
    assert app_client.get("/api/insight/segments", headers=admin_headers).json()["total"] == 0  # no half-write


@pytest.mark.usefixtures("bank")
def test_export_is_audited_masked_and_permissioned(app_client: TestClient, platform, make_user, login,
                                                   admin_headers) -> None:
    seg = app_client.post("/api/insight/segments", json={"name": "基金潜客", "definition": fund_prospects()},
                          headers=admin_headers).json()
    ops = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    assert app_client.get(f"/api/insight/segments/{seg['id']}/export.csv", headers=ops).status_code == 403
    hq = login(make_user("hq_ops", "hq_operator", "HQ"))
    res = app_client.get(f"/api/insight/segments/{seg['id']}/export.csv", headers=hq)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").strip().splitlines()
    # Chinese header and 男/女 by default (the console asks in its own language); English on request.
    assert lines[0].startswith("客户号,姓名,性别,年龄") and len(lines) == 1 + len(MATCHES)
    genders = {line.split(",")[2] for line in lines[1:]}
    assert "女" in genders and not genders & {"M", "F"}
    en = app_client.get(f"/api/insight/segments/{seg['id']}/export.csv", params={"lang": "en"}, headers=hq).text
    en_lines = en.lstrip("\ufeff").strip().splitlines()
    assert en_lines[0].startswith("customer_id,name,gender") and "F" in {x.split(",")[2] for x in en_lines[1:]}
    assert "13800000000" not in res.text and "客户S01" not in res.text and "138****" in res.text
    assert app_client.get(f"/api/insight/segments/{seg['id']}/export.csv", params={"unmask": True},
                          headers=hq).status_code == 403
    clear = app_client.get(f"/api/insight/segments/{seg['id']}/export.csv", params={"unmask": True},
                           headers=admin_headers)
    assert "客户S01" in clear.text and "13800000000" in clear.text
    audit = app_client.get("/api/admin/audit", params={"action": "segment.export"}, headers=admin_headers).json()
    assert audit["total"] == 3
    assert {(e["username"], e["detail"]["unmasked"], e["detail"]["rows"]) for e in audit["items"]} == {
        ("hq_ops", False, len(MATCHES)), ("root", True, len(MATCHES))}


@pytest.mark.usefixtures("bank")
def test_static_freezes_and_dynamic_snapshots_daily(app_client: TestClient, platform, admin_headers) -> None:
    from datetime import date, datetime

    from factories import events_for
    from mofang.insight.segments import tasks

    body = {"name": "基金潜客", "definition": fund_prospects()}
    dyn = app_client.post("/api/insight/segments", json=body, headers=admin_headers).json()
    frozen = app_client.post("/api/insight/segments", json=body | {"kind": "static"}, headers=admin_headers).json()
    assert frozen["frozen_on"] == "2026-11-20" and frozen["last_count"] == len(MATCHES)
    assert tasks.run_daily(platform, date(2026, 11, 20))[dyn["id"]] == len(MATCHES)

    # Next day S01 buys a fund: the dynamic segment loses them, the static one does not.
    platform.extras["clock"] = lambda: datetime(2026, 11, 21, 8)
    events_for(platform, {"S01": [("fund_purchase", datetime(2026, 11, 21, 7), {"product_type": "基金", "amount": 1})]})
    tasks.run_daily(platform, date(2026, 11, 21))
    get = lambda sid, **p: app_client.get(f"/api/insight/segments/{sid}/members", params=p,  # noqa: E731
                                          headers=admin_headers).json()
    assert "S01" not in {m["customer_id"] for m in get(dyn["id"])["items"]}
    assert "S01" in {m["customer_id"] for m in get(dyn["id"], day="2026-11-20")["items"]}
    assert "S01" in {m["customer_id"] for m in get(frozen["id"])["items"]}
    snaps = app_client.get(f"/api/insight/segments/{dyn['id']}/snapshots", headers=admin_headers).json()
    # S10 also leaves: turns 41 and one fund view drops out of the 30-day window.
    assert [(s["day"], s["count"]) for s in snaps] == [("2026-11-20", 5), ("2026-11-21", 3)]
    res = app_client.patch(f"/api/insight/segments/{frozen['id']}", json={"definition": fund_prospects()},
                           headers=admin_headers)
    assert res.status_code == 409
    # A segment built on the frozen one uses its frozen members.
    ref = {"type": "segment", "segment_id": frozen["id"]}
    est = app_client.post("/api/insight/segments/estimate", json={"definition": ref}, headers=admin_headers).json()
    assert est["count"] == len(MATCHES)


@pytest.mark.usefixtures("bank")
def test_imported_list_rejects_unknown_ids(app_client: TestClient, make_user, login) -> None:
    ops = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    csv = b"customer_id\nS01\nS02\nS02\nS04\nNOPE\nbad id!\n"
    res = app_client.post("/api/insight/lists", data={"name": "活动名单"}, files={"file": ("l.csv", csv)},
                          headers=ops)
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["accepted"] == 2  # S04 is in Zhejiang: out of scope, rejected like an unknown id
    assert {r["reason"] for r in body["rejects"]} == {"duplicate", "not a valid customer id",
                                                       "no such customer in your scope"}
    tree = {"type": "list", "list_id": body["id"]}
    assert app_client.post("/api/insight/segments/estimate", json={"definition": tree},
                           headers=ops).json()["count"] == 2
    other = login(make_user("zj_ops", "branch_operator", "ZJ"))
    res = app_client.post("/api/insight/segments/estimate", json={"definition": tree}, headers=other)
    assert res.status_code == 422 and res.json()["field"] == "definition.list_id"


@pytest.mark.usefixtures("bank")
def test_one_failing_segment_never_stops_the_daily_snapshots(app_client: TestClient, platform, admin_headers) -> None:
    from datetime import date

    from mofang.insight.models import SegmentDef
    from mofang.insight.segments import tasks

    made = {name: app_client.post("/api/insight/segments", json={"name": name, "definition": fund_prospects()},
                                  headers=admin_headers).json()["id"] for name in ("坏客群", "基金潜客", "旧格式")}
    with platform.metadata.session() as s:  # a stored definition on a property no longer in the catalogue
        s.get(SegmentDef, made["坏客群"]).definition = {
            "type": "behaviour", "event": "product_view", "window": {"last_days": 30},
            "filters": [{"property": "gone_property", "op": "eq", "value": "x"}]}
        s.get(SegmentDef, made["旧格式"]).definition = {"type": "behaviour", "event": "login", "window": "forever"}
    sizes = tasks.run_daily(platform, date(2026, 11, 20))
    assert sizes == {made["基金潜客"]: len(MATCHES)}
    unreadable = app_client.get(f"/api/insight/segments/{made['旧格式']}", headers=admin_headers)
    assert unreadable.status_code == 200  # listed with why, so its owner can define it again
    assert unreadable.json()["definition"] is None and "not valid" in unreadable.json()["last_error"]
    redone = app_client.patch(f"/api/insight/segments/{made['旧格式']}", json={"definition": fund_prospects()},
                              headers=admin_headers)
    assert redone.status_code == 200, redone.text
    listed = {s["id"]: s for s in app_client.get("/api/insight/segments", headers=admin_headers).json()["items"]}
    assert listed[made["基金潜客"]]["last_count"] == len(MATCHES) and listed[made["基金潜客"]]["last_error"] is None
    broken = app_client.get(f"/api/insight/segments/{made['坏客群']}", headers=admin_headers).json()
    assert "gone_property" in broken["last_error"] and broken["last_error_at"] and broken["last_count"] is None
    snaps = app_client.get(f"/api/insight/segments/{made['基金潜客']}/snapshots", headers=admin_headers).json()
    assert [(s["day"], s["count"]) for s in snaps] == [("2026-11-20", len(MATCHES))]

    with platform.metadata.session() as s:  # once fixed, the next run clears the error
        s.get(SegmentDef, made["坏客群"]).definition = fund_prospects()
    tasks.run_daily(platform, date(2026, 11, 20))
    fixed = app_client.get(f"/api/insight/segments/{made['坏客群']}", headers=admin_headers).json()
    assert fixed["last_error"] is None and fixed["last_count"] == len(MATCHES)

"""The console's API: who may change the policy (audited), and every customer list narrowed to the viewer's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import add_customers
from mofang.platform.context import Platform
from mofang.strategy.contact_policy import check as policy_check
from mofang.strategy.contact_policy import record_opt_out
from mofang.strategy.contact_policy.contracts import ContactRequest
from mofang.strategy.contact_policy.models import PolicyDecisionRow
from strategy.contact_policy.helpers import sh

Headers = dict[str, str]


@pytest.fixture
def users(platform: Platform, make_user: Callable[..., str], login: Callable[[str], Headers]) -> dict[str, Headers]:
    add_customers(platform, {"c1": {"name": "张三", "org_code": "GD-SZ-001"},
                             "a1": {"name": "李四", "org_code": "GD-GZ-001"}})
    return {name: login(make_user(name, role, org)) for name, role, org in (
        ("root", "admin", "HQ"), ("hq", "hq_operator", "HQ"), ("sz", "branch_operator", "GD-SZ"))}


CAP = {"name": "短信日限", "rule": {"kind": "cap", "window": "day", "limit": 2, "channel": "sms"}}


def test_rules_are_head_office_work_and_audited(app_client: TestClient, users: dict[str, Headers]) -> None:
    assert app_client.post("/api/policy/rules", json=CAP, headers=users["sz"]).status_code == 403
    res = app_client.post("/api/policy/rules", json=CAP, headers=users["hq"])
    assert res.status_code == 201, res.text
    rule = res.json()
    assert rule["rule"]["reserve"] == 0 and rule["updated_by"] == "hq"
    bad = app_client.post("/api/policy/rules", headers=users["hq"], json={
        "name": "x", "rule": {"kind": "cap", "window": "day", "limit": 1, "reserve": 2}})
    assert (bad.status_code, bad.json()["field"], bad.json()["code"]) == (422, "rule.reserve",
                                                                         "policy.reserve_over_limit")
    assert app_client.post("/api/policy/rules", headers=users["hq"], json={
        "name": "x", "rule": {"kind": "cap", "window": "year", "limit": 1}}).status_code == 422
    changed = app_client.put(f"/api/policy/rules/{rule['id']}", headers=users["hq"],
                             json={**CAP, "enabled": False}).json()
    assert changed["enabled"] is False
    assert app_client.delete(f"/api/policy/rules/{rule['id']}", headers=users["sz"]).status_code == 403
    assert app_client.delete(f"/api/policy/rules/{rule['id']}", headers=users["hq"]).status_code == 204
    assert app_client.delete(f"/api/policy/rules/{rule['id']}", headers=users["hq"]).status_code == 404
    audit = app_client.get("/api/admin/audit", headers=users["root"], params={"limit": 50}).json()["items"]
    actions = [a["action"] for a in audit if a["action"].startswith("policy.")]
    assert actions == ["policy.rule.delete", "policy.rule.update", "policy.rule.create"]
    update = next(a for a in audit if a["action"] == "policy.rule.update")
    assert update["detail"]["before"]["enabled"] is True and update["detail"]["after"]["enabled"] is False


def test_quiet_hours_and_control_group(app_client: TestClient, users: dict[str, Headers]) -> None:
    quiet = app_client.get("/api/policy/quiet-hours", headers=users["sz"]).json()
    assert (quiet["rule"]["start"], quiet["rule"]["end"], quiet["rule"]["action"]) == ("21:00", "09:00", "defer")
    res = app_client.put("/api/policy/quiet-hours", headers=users["hq"], json={
        "start": "22:00", "end": "08:00", "action": "drop", "exempt_service": True})
    assert res.status_code == 200 and res.json()["id"] == quiet["id"] and res.json()["rule"]["action"] == "drop"
    assert app_client.put("/api/policy/quiet-hours", headers=users["hq"],
                          json={"start": "25:00", "end": "08:00"}).status_code == 422
    assert app_client.put("/api/policy/control-group", json={"percent": 5}, headers=users["sz"]).status_code == 403
    assert app_client.put("/api/policy/control-group", json={"percent": 60},
                          headers=users["hq"]).status_code == 422
    assert app_client.put("/api/policy/control-group", json={"percent": 5},
                          headers=users["hq"]).json()["percent"] == 5
    drawn = app_client.post("/api/policy/control-group/redraw", headers=users["root"]).json()
    assert drawn["drawn_by"] == "root" and drawn["percent"] == 5
    audit = app_client.get("/api/admin/audit", headers=users["root"]).json()["items"]
    assert {"policy.control_group.update", "policy.control_group.redraw"} <= {a["action"] for a in audit}


def test_do_not_contact_list_is_scoped(app_client: TestClient, users: dict[str, Headers]) -> None:
    sz, root = users["sz"], users["root"]
    assert app_client.post("/api/policy/dnc", json={"customer_id": "c1", "reason": "投诉"},
                           headers=sz).status_code == 201
    assert app_client.post("/api/policy/dnc", json={"customer_id": "c1", "reason": "again"},
                           headers=sz).status_code == 409
    # Another branch's customer looks like no customer at all.
    assert app_client.post("/api/policy/dnc", json={"customer_id": "a1", "reason": "x"}, headers=sz).status_code == 404
    assert app_client.post("/api/policy/dnc", json={"customer_id": "a1", "reason": "客户要求"},
                           headers=root).status_code == 201
    seen = app_client.get("/api/policy/dnc", headers=sz).json()
    assert [(d["customer_id"], d["customer_name"], d["added_by"]) for d in seen] == [("c1", "张*", "sz")]
    assert {d["customer_id"] for d in app_client.get("/api/policy/dnc", headers=root).json()} == {"c1", "a1"}
    assert app_client.delete("/api/policy/dnc/a1", headers=sz).status_code == 404
    assert app_client.delete("/api/policy/dnc/c1", headers=sz).status_code == 204
    assert app_client.get("/api/policy/dnc", headers=sz).json() == []


def test_opt_outs_and_suppressions_are_scoped_and_masked(app_client: TestClient, platform: Platform,
                                                         users: dict[str, Headers]) -> None:
    with platform.metadata.session() as session:
        for c in ("c1", "a1"):
            record_opt_out(session=session, customer_id=c, channel="sms", purpose="marketing", source="回T退订")
    for c in ("c1", "a1"):
        policy_check(platform=platform, now=sh(2026, 3, 20, 10), request=ContactRequest(
            key=f"k-{c}", customer_id=c, channel="sms", purpose="marketing", strategy_id=5, consents={"sms": True}))
    opt = app_client.get("/api/policy/opt-outs", headers=users["sz"]).json()
    assert [(o["customer_id"], o["customer_name"], o["source"]) for o in opt] == [("c1", "张*", "回T退订")]
    sup = app_client.get("/api/policy/suppressions", params={"strategy_id": 5}, headers=users["sz"]).json()
    assert [(s["customer_id"], s["customer_name"], s["reason"]) for s in sup] == [("c1", "张*", "opted_out")]
    assert app_client.get("/api/policy/suppressions", params={"customer_id": "a1"}, headers=users["sz"]).json() == []
    assert len(app_client.get("/api/policy/suppressions", headers=users["root"]).json()) == 2


def test_dry_run_answers_from_the_profile_without_counting(app_client: TestClient, platform: Platform,
                                                           users: dict[str, Headers]) -> None:
    app_client.post("/api/policy/rules", json=CAP, headers=users["hq"])
    noon = "2026-03-20T04:00:00Z"  # 12:00 in Shanghai
    body = {"customer_id": "c1", "channel": "sms", "at": noon}
    for _ in range(3):
        res = app_client.post("/api/policy/check", json=body, headers=users["sz"]).json()
        assert res["verdict"] == "allow" and res["usage"][0]["used"] == 0 and res["usage"][0]["limit"] == 2
    # The demo profile has no WeChat consent; at 22:00 the default quiet hours defer to 09:00.
    assert app_client.post("/api/policy/check", json={**body, "channel": "wechat"},
                           headers=users["sz"]).json()["reason"] == "no_consent"
    night = app_client.post("/api/policy/check", json={**body, "at": "2026-03-20T14:00:00Z"},
                            headers=users["sz"]).json()
    assert (night["verdict"], night["until"]) == ("defer", "2026-03-21T01:00:00Z")
    assert app_client.post("/api/policy/check", json={**body, "customer_id": "a1"},
                           headers=users["sz"]).status_code == 404
    with platform.metadata.session() as session:
        assert session.scalar(select(func.count()).select_from(PolicyDecisionRow)) == 0

"""Campaign lifecycle: maker-checker approval in the org line, re-approval after edits, launch into strategies."""

from __future__ import annotations

from typing import Any

from campaign_bank import END, START, running_campaign
from fastapi.testclient import TestClient

MGM = {"inviter_benefit_id": 12, "invitee_benefit_id": 13}


def _draft(client: TestClient, headers: dict[str, str], **over: Any) -> dict[str, Any]:
    body = {"name": "邀请有礼", "template_id": "mgm", "params": MGM, "starts_at": START, "ends_at": END,
            "budget": 5000, "stock": 100, **over}
    res = client.post("/api/campaigns", json=body, headers=headers)
    assert res.status_code == 201, res.text
    return res.json()


def test_the_maker_never_approves_and_only_the_org_line_may(app_client: TestClient, people: dict[str, Any]
                                                             ) -> None:
    c = _draft(app_client, people["maker"])
    sub = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"]).json()
    assert {x["code"] for x in sub["checks"]} >= {"check.sensitive_words", "check.suitability",
                                                   "check.budget_stock", "check.audience", "check.overlap"}
    url = f"/api/approvals/{sub['id']}/decide"
    assert app_client.post(url, json={"approve": True}, headers=people["maker"]).status_code == 403
    # Another maker holds no approver role; an approver of another province is outside the org line.
    res = app_client.post(url, json={"approve": True}, headers=people["maker2"])
    assert res.status_code == 403 and res.json()["code"] == "approval.not_approver"
    res = app_client.post(url, json={"approve": True}, headers=people["zj_approver"])
    assert res.status_code in (403, 404)
    inbox = app_client.get("/api/approvals", headers=people["gd_approver"]).json()
    assert [a["id"] for a in inbox if a["can_decide"]] == [sub["id"]]
    assert app_client.get("/api/approvals", headers=people["zj_approver"]).json() == []
    res = app_client.post(url, json={"approve": False}, headers=people["gd_approver"])
    assert res.status_code == 422 and res.json()["field"] == "reason"
    res = app_client.post(url, json={"approve": False, "reason": "奖励过高"}, headers=people["gz_approver"])
    assert res.status_code == 200 and res.json()["status"] == "rejected"
    got = app_client.get(f"/api/campaigns/{c['id']}", headers=people["maker"]).json()
    assert got["status"] == "rejected" and got["reject_reason"] == "奖励过高"
    audit = app_client.get("/api/admin/audit", headers=people["boss"], params={"limit": 200}).json()
    actions = {row["action"] for row in (audit["items"] if isinstance(audit, dict) else audit)}
    assert {"campaign.create", "campaign.submit", "approval.request", "approval.rejected",
            "campaign.rejected"} <= actions


def test_an_edit_after_approval_needs_approval_again_with_a_diff(app_client: TestClient, people: dict[str, Any]
                                                                 ) -> None:
    c = _draft(app_client, people["maker"])
    sub = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"]).json()
    app_client.post(f"/api/approvals/{sub['id']}/decide", json={"approve": True}, headers=people["gd_approver"])
    edited = app_client.patch(f"/api/campaigns/{c['id']}", headers=people["maker"],
                              json={"params": {**MGM, "cap_per_inviter": 3}}).json()
    assert edited["status"] == "draft" and edited["revision"] == 2 and edited["approved_revision"] == 1
    res = app_client.post(f"/api/campaigns/{c['id']}/launch", headers=people["maker"])
    assert res.status_code == 409
    again = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"]).json()
    assert {"field": "params.cap_per_inviter", "before": 10, "after": 3} in again["diff"]
    app_client.post(f"/api/approvals/{again['id']}/decide", json={"approve": True}, headers=people["hq_approver"])
    res = app_client.post(f"/api/campaigns/{c['id']}/launch", headers=people["maker"])
    assert res.status_code == 200 and res.json()["status"] == "running"
    history = app_client.get(f"/api/campaigns/{c['id']}/approvals", headers=people["maker"]).json()
    assert [h["status"] for h in history] == ["approved", "approved"]


def test_a_big_budget_needs_head_office(app_client: TestClient, people: dict[str, Any]) -> None:
    c = _draft(app_client, people["maker"], budget=200_000)
    sub = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"]).json()
    assert sub["approver_org"] == "HQ"
    res = app_client.post(f"/api/approvals/{sub['id']}/decide", json={"approve": True},
                          headers=people["gd_approver"])
    assert res.status_code == 403 and res.json()["code"] == "approval.needs_higher_org"
    res = app_client.post(f"/api/approvals/{sub['id']}/decide", json={"approve": True},
                          headers=people["hq_approver"])
    assert res.status_code == 200


def test_launch_compiles_into_published_strategies_owned_by_the_campaign_org(
        app_client: TestClient, people: dict[str, Any]) -> None:
    cid = running_campaign(app_client, people, "mgm", MGM)
    got = app_client.get(f"/api/campaigns/{cid}", headers=people["maker"]).json()
    assert got["strategy_ids"]
    for sid in got["strategy_ids"]:
        s = app_client.get(f"/api/strategies/{sid}", headers=people["maker"]).json()
        assert s["status"] == "published" and s["owner_org"] == "GD-GZ"
    paused = app_client.post(f"/api/campaigns/{cid}/pause", headers=people["maker"]).json()
    assert paused["status"] == "paused"
    assert app_client.get(f"/api/strategies/{got['strategy_ids'][0]}",
                          headers=people["maker"]).json()["status"] == "paused"


def test_submit_refuses_missing_budget_and_reports_suitability(app_client: TestClient, people: dict[str, Any],
                                                               bank: Any) -> None:
    with bank.store.write() as cur:
        cur.execute("INSERT INTO products VALUES ('F-R4', '进取基金', '基金', 'R4', 5.0, 365, false)")
    c = _draft(app_client, people["maker"], budget=None, products=["F-R4"])
    checks = {x["code"]: x for x in app_client.get(f"/api/campaigns/{c['id']}/checks",
                                                   headers=people["maker"]).json()}
    assert checks["check.audience"]["params"]["size"] == 6  # 广州's six, never 杭州's customer
    assert checks["check.suitability"]["params"]["suppressed"] == 1  # g1 is C2: below R4
    res = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"])
    assert res.status_code == 422 and res.json()["params"]["check"] == "check.budget_stock"


def test_the_calendar_shows_overlaps_in_the_same_subtree(app_client: TestClient, people: dict[str, Any]) -> None:
    a = _draft(app_client, people["maker"])
    b = _draft(app_client, people["maker"], starts_at="2026-12-20T00:00:00Z", ends_at="2027-01-10T00:00:00Z")
    cal = {e["id"]: e for e in app_client.get("/api/campaigns/calendar", headers=people["maker"]).json()}
    assert cal[a["id"]]["conflicts"] == [b["id"]] and cal[b["id"]]["conflicts"] == [a["id"]]


def test_strategy_publishing_needs_approval_only_when_a_rule_says_so(app_client: TestClient,
                                                                     people: dict[str, Any]) -> None:
    graph = {"nodes": [{"id": "e", "type": "api_entry"}, {"id": "x", "type": "exit"}],
             "edges": [{"source": "e", "target": "x"}]}
    sid = app_client.post("/api/strategies", json={"name": "直发", "graph": graph},
                          headers=people["maker"]).json()["id"]
    assert app_client.post(f"/api/strategies/{sid}/publish", headers=people["maker"]).status_code == 200
    rule = app_client.post("/api/approvals/rules", json={"object_type": "strategy"}, headers=people["boss"])
    assert rule.status_code == 201
    sid2 = app_client.post("/api/strategies", json={"name": "需审批", "graph": graph},
                           headers=people["maker"]).json()["id"]
    res = app_client.post(f"/api/strategies/{sid2}/publish", headers=people["maker"])
    assert res.status_code == 409 and res.json()["code"] == "strategy.approval_required"
    req = app_client.post("/api/approvals", headers=people["maker"], json={
        "object_type": "strategy", "object_id": str(sid2), "revision": 1, "title": "需审批"}).json()
    app_client.post(f"/api/approvals/{req['id']}/decide", json={"approve": True}, headers=people["gz_approver"])
    assert app_client.post(f"/api/strategies/{sid2}/publish", headers=people["maker"]).status_code == 200


def test_content_activation_needs_approval_only_when_a_rule_says_so(app_client: TestClient,
                                                                    people: dict[str, Any]) -> None:
    sms = {"channel": "sms", "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，您好 回T退订"}}
    first = app_client.post("/api/reach/templates", json={"name": "直接启用", **sms}, headers=people["maker"]).json()
    res = app_client.post(f"/api/reach/templates/{first['id']}/status", json={"status": "active"},
                          headers=people["maker"])
    assert res.status_code == 200, res.text
    app_client.post("/api/approvals/rules", json={"object_type": "content_template"}, headers=people["boss"])
    tpl = app_client.post("/api/reach/templates", json={"name": "需审批", **sms}, headers=people["maker"]).json()
    url = f"/api/reach/templates/{tpl['id']}/status"
    res = app_client.post(url, json={"status": "active"}, headers=people["maker"])
    assert res.status_code == 409 and res.json()["code"] == "content.approval_required"
    req = app_client.post("/api/approvals", headers=people["maker"], json={
        "object_type": "content_template", "object_id": str(tpl["id"]), "revision": tpl["version"],
        "title": "需审批", "payload": sms}).json()
    assert app_client.post(f"/api/approvals/{req['id']}/decide", json={"approve": True},
                           headers=people["gz_approver"]).status_code == 200
    assert app_client.post(url, json={"status": "active"}, headers=people["maker"]).status_code == 200


def test_a_campaign_launched_before_its_start_is_scheduled_then_started(app_client: TestClient,
                                                                        people: dict[str, Any], bank: Any) -> None:
    from datetime import UTC, datetime

    from mofang.campaigns.lifecycle import run_due

    c = _draft(app_client, people["maker"], starts_at="2026-12-20T00:00:00Z")
    sub = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"]).json()
    app_client.post(f"/api/approvals/{sub['id']}/decide", json={"approve": True}, headers=people["gd_approver"])
    got = app_client.post(f"/api/campaigns/{c['id']}/launch", headers=people["maker"]).json()
    assert got["status"] == "scheduled" and got["strategy_ids"] == []
    assert run_due(platform=bank, now=datetime(2026, 12, 19, tzinfo=UTC)) == []
    assert run_due(platform=bank, now=datetime(2026, 12, 20, 0, 1, tzinfo=UTC)) == [c["id"]]
    got = app_client.get(f"/api/campaigns/{c['id']}", headers=people["maker"]).json()
    assert got["status"] == "running" and got["strategy_ids"]
    run_due(platform=bank, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert app_client.get(f"/api/campaigns/{c['id']}", headers=people["maker"]).json()["status"] == "ended"


def test_the_loan_campaign_saves_its_funnel_for_analytics(app_client: TestClient, people: dict[str, Any]) -> None:
    cid = running_campaign(app_client, people, "loan_cashback", {"coupon_benefit_id": 14, "cashback_benefit_id": 15})
    got = app_client.get(f"/api/campaigns/{cid}", headers=people["maker"]).json()
    assert len(got["strategy_ids"]) == 2 and got["analysis_id"] is not None
    saved = app_client.get(f"/api/analytics/saved/{got['analysis_id']}", headers=people["maker"]).json()
    assert saved["model"] == "funnel"
    assert [s["event"] for s in saved["query"]["steps"]] == ["loan_quota_check", "campaign_invite_accepted",
                                                             "loan_disbursed"]


def test_a_campaign_whose_strategies_would_not_validate_cannot_be_submitted(app_client: TestClient,
                                                                            people: dict[str, Any]) -> None:
    c = _draft(app_client, people["maker"], template_id="first_action",
               params={"benefit_id": 11, "event": "never_seen_event"})
    checks = {x["code"]: x for x in app_client.get(f"/api/campaigns/{c['id']}/checks", headers=people["maker"]).json()}
    assert checks["check.strategies"]["ok"] is False
    assert checks["check.strategies"]["params"]["problems"][0]["code"] == "strategy.unknown_event"
    res = app_client.post(f"/api/campaigns/{c['id']}/submit", headers=people["maker"])
    assert res.status_code == 422 and res.json()["params"]["check"] == "check.strategies"


def test_a_launch_whose_second_strategy_fails_leaves_nothing_running(app_client: TestClient, people: dict[str, Any],
                                                                     monkeypatch: Any) -> None:
    import mofang.strategy.engine as engine

    body = {"name": "贷款测额", "template_id": "loan_cashback", "starts_at": START, "ends_at": END, "budget": 1000,
            "stock": 100, "params": {"coupon_benefit_id": 14, "cashback_benefit_id": 15}}
    cid = app_client.post("/api/campaigns", json=body, headers=people["maker"]).json()["id"]
    sub = app_client.post(f"/api/campaigns/{cid}/submit", headers=people["maker"]).json()
    app_client.post(f"/api/approvals/{sub['id']}/decide", json={"approve": True}, headers=people["gd_approver"])
    real, calls = engine.activate, []

    def second_fails(**kw: Any) -> None:
        calls.append(kw["strategy_id"])
        if len(calls) == 2:
            raise RuntimeError("engine database unreachable")
        real(**kw)

    monkeypatch.setattr(engine, "activate", second_fails)
    res = app_client.post(f"/api/campaigns/{cid}/launch", headers=people["maker"])
    assert res.status_code == 503 and res.json()["code"] == "strategy.engine_failed"
    got = app_client.get(f"/api/campaigns/{cid}", headers=people["maker"]).json()
    assert got["status"] == "approved" and len(got["strategy_ids"]) == 2
    states = [app_client.get(f"/api/strategies/{sid}", headers=people["maker"]).json()["status"]
              for sid in got["strategy_ids"]]
    assert "published" not in states  # the first was paused again, the second never went out
    monkeypatch.setattr(engine, "activate", real)
    again = app_client.post(f"/api/campaigns/{cid}/launch", headers=people["maker"])  # the engine is back
    assert again.status_code == 200 and again.json()["status"] == "running"
    for sid in got["strategy_ids"]:
        assert app_client.get(f"/api/strategies/{sid}", headers=people["maker"]).json()["status"] == "published"

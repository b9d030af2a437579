"""Metric library editing: edit, disable and delete metrics and rules (audited); the console's alert bell."""

from __future__ import annotations

from datetime import date

from mofang.monitor.alerts import service as alerts

DAY = date(2026, 3, 2)  # evaluates 1 March: 4 app opens


def _metric(client, headers, key="opens"):
    res = client.post("/api/monitor/metrics", headers=headers, json={
        "key": key, "name": "App 打开", "definition": {"event": {"event": "app_open"}, "days": 1}})
    assert res.status_code == 201, res.text
    return res.json()


def _rule(client, headers, metric_id, name="打开过多", **extra):
    res = client.post("/api/monitor/alert-rules", headers=headers, json={
        "metric_id": metric_id, "name": name, "op": "gt", "threshold": 1, **extra})
    assert res.status_code == 201, res.text
    return res.json()


def _audit(client, headers, action):
    return [e for e in client.get("/api/admin/audit", headers=headers, params={"limit": 200}).json()["items"]
            if e["action"] == action]


def test_edit_disable_and_delete_a_metric_and_its_rule(app_client, admin_headers, bank):
    m = _metric(app_client, admin_headers)
    assert m["enabled"] is True and m["editable"] is True
    r = _rule(app_client, admin_headers, m["id"])

    res = app_client.patch(f"/api/monitor/metrics/{m['id']}", headers=admin_headers, json={"name": "App 打开次数"})
    assert res.status_code == 200 and res.json()["name"] == "App 打开次数"
    res = app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers,
                           json={"threshold": 10, "severity": "critical"})
    assert (res.json()["threshold"], res.json()["severity"]) == (10, "critical")
    assert alerts.evaluate(platform=bank, day=DAY).fired == []  # 4 opens no longer cross 10
    app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers, json={"threshold": 1})

    # A disabled metric's rules rest; enabled again, they fire.
    res = app_client.patch(f"/api/monitor/metrics/{m['id']}", headers=admin_headers, json={"enabled": False})
    assert res.json()["enabled"] is False
    assert alerts.evaluate(platform=bank, day=DAY).evaluated == 0
    app_client.patch(f"/api/monitor/metrics/{m['id']}", headers=admin_headers, json={"enabled": True})
    app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers, json={"enabled": False})
    assert alerts.evaluate(platform=bank, day=DAY).evaluated == 0
    app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers, json={"enabled": True})
    assert len(alerts.evaluate(platform=bank, day=DAY).fired) == 1

    # A metric a rule watches is not deleted: 409 naming the rule.
    res = app_client.delete(f"/api/monitor/metrics/{m['id']}", headers=admin_headers)
    assert res.status_code == 409
    assert res.json()["code"] == "monitor.metric_in_use" and res.json()["params"]["rules"] == "打开过多"

    assert app_client.delete(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers).status_code == 204
    assert app_client.get("/api/monitor/alert-rules", headers=admin_headers).json() == []
    assert app_client.get("/api/monitor/alerts", headers=admin_headers).json() == []
    assert app_client.delete(f"/api/monitor/metrics/{m['id']}", headers=admin_headers).status_code == 204
    assert app_client.get("/api/monitor/metrics", headers=admin_headers).json() == []
    assert app_client.delete(f"/api/monitor/metrics/{m['id']}", headers=admin_headers).status_code == 404

    assert [e["detail"]["name"] for e in _audit(app_client, admin_headers, "monitor.metric.delete")] == ["App 打开次数"]
    assert _audit(app_client, admin_headers, "monitor.rule.delete")[0]["detail"] == {"name": "打开过多", "alerts": 1}
    assert len(_audit(app_client, admin_headers, "monitor.metric.disable")) == 1
    assert len(_audit(app_client, admin_headers, "monitor.rule.disable")) == 1
    assert len(_audit(app_client, admin_headers, "monitor.rule.update")) == 2


def test_rule_edit_is_validated_before_anything_changes(app_client, admin_headers, bank):
    m = _metric(app_client, admin_headers)
    r = _rule(app_client, admin_headers, m["id"], op="anomaly", threshold=None)
    res = app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers, json={"op": "gt"})
    assert res.status_code == 422 and res.json()["field"] == "threshold"
    res = app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers, json={"emails": ["x"]})
    assert res.status_code == 422
    assert app_client.get("/api/monitor/alert-rules", headers=admin_headers).json()[0]["op"] == "anomaly"
    assert app_client.patch("/api/monitor/alert-rules/18446744073709551616", headers=admin_headers,
                            json={"enabled": False}).status_code == 422


def test_branch_cannot_change_head_office_definitions(app_client, admin_headers, make_user, login, bank):
    m = _metric(app_client, admin_headers)
    r = _rule(app_client, admin_headers, m["id"])
    zj = login(make_user("zj_edit", "branch_operator", "ZJ"))
    listed = app_client.get("/api/monitor/metrics", headers=zj).json()
    assert [x["editable"] for x in listed] == [False]
    res = app_client.patch(f"/api/monitor/metrics/{m['id']}", headers=zj, json={"enabled": False})
    assert res.status_code == 403 and res.json()["code"] == "monitor.not_owner"
    assert app_client.delete(f"/api/monitor/alert-rules/{r['id']}", headers=zj).status_code == 403
    assert app_client.get("/api/monitor/metrics", headers=admin_headers).json()[0]["enabled"] is True


def test_bell_counts_unread_alerts_per_user(app_client, admin_headers, make_user, login, bank):
    m = _metric(app_client, admin_headers)
    _rule(app_client, admin_headers, m["id"])
    ana = login(make_user("ana_bell", "analyst", "HQ"))
    assert app_client.get("/api/monitor/alerts/inbox", headers=admin_headers).json() == {"unread": 0, "items": []}
    [fired] = alerts.evaluate(platform=bank, day=DAY).fired

    box = app_client.get("/api/monitor/alerts/inbox", headers=admin_headers).json()
    assert box["unread"] == 1 and [(i["id"], i["read"]) for i in box["items"]] == [(fired.id, False)]
    assert app_client.post(f"/api/monitor/alerts/{fired.id}/read", headers=admin_headers).status_code == 204
    assert app_client.post(f"/api/monitor/alerts/{fired.id}/read", headers=admin_headers).status_code == 204
    box = app_client.get("/api/monitor/alerts/inbox", headers=admin_headers).json()
    assert box["unread"] == 0 and box["items"][0]["read"] is True
    # Read state is per user: the analyst still has it unread until they read all.
    assert app_client.get("/api/monitor/alerts/inbox", headers=ana).json()["unread"] == 1
    assert app_client.post("/api/monitor/alerts/read-all", headers=ana).status_code == 204
    assert app_client.get("/api/monitor/alerts/inbox", headers=ana).json()["unread"] == 0
    assert app_client.post("/api/monitor/alerts/999/read", headers=ana).status_code == 404


def test_the_bell_of_a_branch_holds_no_bank_wide_alert(app_client, admin_headers, make_user, login, bank):
    # Head office's alert carries a value over the whole bank: a branch sees the rule, not its alerts' values.
    m = _metric(app_client, admin_headers)
    _rule(app_client, admin_headers, m["id"])
    [fired] = alerts.evaluate(platform=bank, day=DAY).fired
    branch = login(make_user("sz_bell", "analyst", "GD-SZ-001"))

    assert app_client.get("/api/monitor/alerts/inbox", headers=branch).json() == {"unread": 0, "items": []}
    assert app_client.post(f"/api/monitor/alerts/{fired.id}/read", headers=branch).status_code == 404
    assert app_client.get("/api/monitor/alerts/inbox", headers=admin_headers).json()["unread"] == 1


def test_a_metric_opens_its_trend(app_client, admin_headers, bank):
    m = _metric(app_client, admin_headers)
    res = app_client.get(f"/api/monitor/metrics/{m['id']}/trend", headers=admin_headers,
                         params={"day": DAY.isoformat(), "days": 3})
    assert res.status_code == 200
    # Each point is the window before its day: 2 March shows 1 March's 4 opens, as the rule sees it.
    assert [(p["day"], p["value"]) for p in res.json()["points"]][-1] == ("2026-03-02", 4)
    assert len(res.json()["points"]) == 3
    assert app_client.get(f"/api/monitor/metrics/{m['id']}/trend", headers=admin_headers,
                          params={"day": DAY.isoformat(), "days": 500}).status_code == 422


def test_an_edit_is_checked_like_a_create(app_client, admin_headers, bank):
    # An edit must not slip in what a create refuses: an unknown segment, or a webhook into the bank's network.
    m = _metric(app_client, admin_headers, key="opens2")
    res = app_client.patch(f"/api/monitor/metrics/{m['id']}", headers=admin_headers, json={"definition": {
        "event": {"event": "app_open"}, "days": 1, "customers": {"segment_ids": ["999999"]}}})
    assert res.status_code == 422, res.text
    assert res.json()["field"].startswith("customers.segment_ids")
    r = _rule(app_client, admin_headers, m["id"], name="回调")
    res = app_client.patch(f"/api/monitor/alert-rules/{r['id']}", headers=admin_headers,
                           json={"webhook_url": "http://169.254.169.254/latest/meta-data/"})
    assert res.status_code == 422 and res.json()["field"] == "webhook_url", res.text
    assert app_client.get("/api/monitor/alert-rules", headers=admin_headers).json()[0]["webhook_url"] is None

"""Metric library and alerts: metrics as data, daily evaluation, email to a local SMTP server, webhook, ack."""

from __future__ import annotations

from datetime import date

from mofang.monitor.alerts import logic
from mofang.monitor.alerts import service as alerts
from mofang.monitor.alerts.tasks import ALERTS_JOB

DAY = date(2026, 3, 2)  # evaluates 1 March: 4 app opens, 1 purchase


def test_rule_logic():
    assert logic.windows(DAY, 1) == ((date(2026, 3, 1), date(2026, 3, 1)), (date(2026, 2, 28), date(2026, 2, 28)))
    assert logic.fires("gt", 3, 4, 0) and not logic.fires("gt", 4, 4, 0) and logic.fires("gte", 4, 4, 0)
    assert logic.fires("change_lt", -20, 70, 100) and not logic.fires("change_lt", -20, 90, 100)
    assert not logic.fires("change_gt", 10, 5, 0)  # no percentage from zero


def test_metric_rule_alert_notify_and_acknowledge(app_client, admin_headers, bank, smtp, hook):
    url, posted = hook
    bank.extras[alerts.SMTP_KEY] = {"host": "127.0.0.1", "port": smtp.server_address[1]}
    res = app_client.post("/api/monitor/metrics", headers=admin_headers, json={
        "key": "app.opens", "name": "App opens", "definition": {"event": {"event": "app_open"}, "days": 1}})
    assert res.status_code == 201, res.text
    metric = res.json()
    dup = app_client.post("/api/monitor/metrics", headers=admin_headers, json={
        "key": "app.opens", "name": "again", "definition": {"event": {"event": "app_open"}}})
    assert dup.status_code == 409 and dup.json()["field"] == "key"
    value = app_client.get(f"/api/monitor/metrics/{metric['id']}/value", params={"day": DAY.isoformat()},
                           headers=admin_headers).json()
    assert (value["value"], value["previous"]) == (4, 0)
    bad = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": metric["id"], "name": "x", "op": "gt", "threshold": 1, "emails": ["nope"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "emails"
    rule = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": metric["id"], "name": "开户活跃过高", "op": "gte", "threshold": 3,
        "emails": ["ops@bank.example"], "webhook_url": url}).json()
    quiet = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": metric["id"], "name": "never", "op": "gt", "threshold": 100}).json()

    report = ALERTS_JOB.run(bank, DAY)
    assert [a.rule_id for a in report.fired] == [rule["id"]] and report.evaluated == 2
    assert report.fired[0].notifications == {"email": "sent", "webhook": "sent"}
    assert len(smtp.messages) == 1 and "ops@bank.example" in smtp.messages[0]
    assert posted == [{"alert_id": report.fired[0].id, "rule": "开户活跃过高", "metric": "app.opens",
                       "day": "2026-03-02", "severity": "warning", "value": 4.0, "previous": 0.0,
                       "message": report.fired[0].message}]
    # The same day again fires nothing new and tells nobody twice.
    assert alerts.evaluate(platform=bank, day=DAY).fired == []
    assert len(smtp.messages) == 1 and len(posted) == 1

    history = app_client.get("/api/monitor/alerts", headers=admin_headers).json()
    assert [(a["rule_name"], a["status"]) for a in history] == [("开户活跃过高", "open")]
    acked = app_client.post(f"/api/monitor/alerts/{history[0]['id']}/ack", headers=admin_headers).json()
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == "root"
    assert app_client.get("/api/monitor/alerts", params={"status": "open"}, headers=admin_headers).json() == []
    assert quiet["enabled"] is True


def test_failed_delivery_is_recorded_not_raised(app_client, admin_headers, bank):
    bank.extras[alerts.SMTP_KEY] = {"host": "127.0.0.1", "port": 1}  # nothing listens there
    allowed = app_client.post("/api/admin/outbound-hosts", json={"host": "127.0.0.1"}, headers=admin_headers)
    assert allowed.status_code == 201
    metric = app_client.post("/api/monitor/metrics", headers=admin_headers, json={
        "key": "buys", "name": "Purchases", "definition": {"event": {"event": "purchase"}, "days": 1}}).json()
    app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": metric["id"], "name": "any purchase", "op": "gt", "threshold": 0,
        "emails": ["ops@bank.example"], "webhook_url": "http://127.0.0.1:1/none"})
    fired = alerts.evaluate(platform=bank, day=DAY).fired
    assert len(fired) == 1
    assert fired[0].notifications["email"].startswith("ConnectionRefusedError")
    assert fired[0].notifications["webhook"] == "unreachable: the connection failed"


def test_branch_sees_own_and_head_office_definitions_only(app_client, admin_headers, make_user, login, bank):
    app_client.post("/api/monitor/metrics", headers=admin_headers, json={
        "key": "hq.metric", "name": "HQ", "definition": {"event": {"event": "app_open"}}})
    zj = login(make_user("zj", "branch_operator", "ZJ"))
    gd = login(make_user("gd", "branch_operator", "GD"))
    app_client.post("/api/monitor/metrics", headers=zj, json={
        "key": "zj.metric", "name": "ZJ", "definition": {"event": {"event": "app_open"}}})
    keys = [m["key"] for m in app_client.get("/api/monitor/metrics", headers=gd).json()]
    assert keys == ["hq.metric"]
    zj_id = next(m["id"] for m in app_client.get("/api/monitor/metrics", headers=zj).json() if m["key"] == "zj.metric")
    res = app_client.post("/api/monitor/alert-rules", headers=gd, json={
        "metric_id": zj_id, "name": "peek", "op": "gt", "threshold": 0})
    assert res.status_code == 404 and res.json()["field"] == "metric_id"

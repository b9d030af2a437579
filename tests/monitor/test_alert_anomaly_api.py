"""Anomaly rules end to end: a jump after a steady week fires, notifies by email and webhook with its severity,
and is listed; a steady week does not; a thin baseline is recorded as such and fires once late data arrives."""

from __future__ import annotations

import statistics
from datetime import date, datetime
from email import policy
from email.parser import Parser

import pytest

from factories import add_customers, events_for
from mofang.monitor.alerts import service as alerts
from mofang.monitor.alerts.tasks import ALERTS_JOB

DAY = date(2026, 4, 9)  # the 07:00 check on 9 April measures 8 April against 1–7 April
WEEK = [date(2026, 4, d) for d in range(1, 8)]
STEADY = [40, 42, 39, 41, 40, 43, 40]


def _cid(i: int, d: date) -> str:
    """Four customers per day: each day's events come in one call, so their generated ids never collide."""
    return f"k{i % 4}-{d:%m%d}"


def _opens(platform, per_day: dict[date, int]) -> None:
    """`n` app opens on each local day (at 10:00 Shanghai time)."""
    spec: dict[str, list] = {}
    for d, n in per_day.items():
        for i in range(n):
            spec.setdefault(_cid(i, d), []).append(("app_open", datetime(d.year, d.month, d.day, 2, i % 60), {}))
    events_for(platform, spec)


@pytest.fixture
def opens_metric(app_client, admin_headers, platform) -> int:
    """A daily app-opens metric, and the customers whose events it counts."""
    add_customers(platform, {_cid(i, d): {"name": f"客户{i}", "org_code": "GD-SZ-001"}
                             for i in range(4) for d in [*WEEK, date(2026, 4, 8)]})
    res = app_client.post("/api/monitor/metrics", headers=admin_headers, json={
        "key": "app.opens.daily", "name": "App 打开次数", "definition": {"event": {"event": "app_open"}, "days": 1}})
    assert res.status_code == 201, res.text
    return res.json()["id"]


def _rule(app_client, headers, metric_id: int, **extra) -> dict:
    res = app_client.post("/api/monitor/alert-rules", headers=headers, json={
        "metric_id": metric_id, "name": "打开次数异常", "op": "anomaly", **extra})
    assert res.status_code == 201, res.text
    return res.json()


def test_jump_after_a_steady_week_fires_notifies_and_is_listed_with_severity(
        app_client, admin_headers, platform, opens_metric, smtp, hook):
    url, posted = hook
    platform.extras[alerts.SMTP_KEY] = {"host": "127.0.0.1", "port": smtp.server_address[1]}
    _opens(platform, dict(zip(WEEK, STEADY, strict=True)))
    _opens(platform, {date(2026, 4, 8): 90})
    rule = _rule(app_client, admin_headers, opens_metric, severity="critical", emails=["ops@bank.example"],
                 webhook_url=url, anomaly={"k": 3, "direction": "up", "min_change_pct": 10})
    assert rule["anomaly"] == {"k": 3.0, "direction": "up", "min_change_pct": 10.0} and rule["threshold"] is None
    down = _rule(app_client, admin_headers, opens_metric, anomaly={"direction": "down"})
    assert down["severity"] == "warning" and down["anomaly"]["k"] == 3.0  # defaults

    report = ALERTS_JOB.run(platform, DAY)
    assert [a.rule_id for a in report.fired] == [rule["id"]]  # the "down" rule stays quiet on a jump
    alert = report.fired[0]
    mean, sigma = statistics.fmean(STEADY), statistics.stdev(STEADY)
    assert alert.value == 90 and alert.severity == "critical" and alert.status == "open"
    assert alert.anomaly is not None and alert.anomaly.measured_day == date(2026, 4, 8)
    assert alert.anomaly.baseline_days == 7 and alert.anomaly.mean == pytest.approx(mean)
    assert alert.anomaly.sigma == pytest.approx(sigma) and alert.anomaly.z == pytest.approx((90 - mean) / sigma)
    assert f"较近7日均值 40.71 高出 {(90 - mean) / sigma:.1f}σ" in alert.message
    assert alert.notifications == {"email": "sent", "webhook": "sent"}

    mail = Parser(policy=policy.default).parsestr(smtp.messages[0])
    assert mail["Subject"].startswith("【严重】") and "较近7日均值" in mail["Subject"]
    assert mail["To"] == "ops@bank.example"
    assert len(posted) == 1 and posted[0]["severity"] == "critical" and posted[0]["value"] == 90
    assert posted[0]["anomaly"]["baseline_days"] == 7 and posted[0]["anomaly"]["z"] == pytest.approx(alert.anomaly.z)

    listed = app_client.get("/api/monitor/alerts", params={"severity": "critical"}, headers=admin_headers).json()
    assert [(a["rule_name"], a["severity"], a["outcome"]) for a in listed] == [("打开次数异常", "critical", "fired")]
    assert listed[0]["anomaly"]["mean"] == pytest.approx(mean)
    assert app_client.get("/api/monitor/alerts", params={"severity": "info"}, headers=admin_headers).json() == []
    # Running the day again tells nobody twice.
    assert alerts.evaluate(platform=platform, day=DAY).fired == [] and len(posted) == 1 and len(smtp.messages) == 1


def test_steady_week_does_not_fire(app_client, admin_headers, platform, opens_metric, hook):
    url, posted = hook
    _opens(platform, dict(zip(WEEK, STEADY, strict=True)))
    _opens(platform, {date(2026, 4, 8): 42})
    _rule(app_client, admin_headers, opens_metric, webhook_url=url)
    report = alerts.evaluate(platform=platform, day=DAY)
    assert report.fired == [] and report.recorded == [] and posted == []
    assert app_client.get("/api/monitor/alerts", headers=admin_headers).json() == []


def test_thin_baseline_is_recorded_not_fired_until_late_data_completes_it(
        app_client, admin_headers, platform, opens_metric, hook):
    url, posted = hook
    _opens(platform, {WEEK[0]: 40, WEEK[2]: 41, WEEK[4]: 39, WEEK[6]: 40})  # 4 of 7 days
    _opens(platform, {date(2026, 4, 8): 90})
    rule = _rule(app_client, admin_headers, opens_metric, severity="info", webhook_url=url)

    report = alerts.evaluate(platform=platform, day=DAY)
    assert report.fired == [] and posted == []
    [kept] = report.recorded
    assert (kept.outcome, kept.status, kept.severity) == ("insufficient_baseline", "none", "info")
    assert kept.anomaly is not None and kept.anomaly.baseline_days == 4 and "基线不足" in kept.message
    history = app_client.get("/api/monitor/alerts", headers=admin_headers).json()
    assert [(a["rule_id"], a["outcome"]) for a in history] == [(rule["id"], "insufficient_baseline")]
    assert app_client.get("/api/monitor/alerts", params={"status": "open"}, headers=admin_headers).json() == []
    ack = app_client.post(f"/api/monitor/alerts/{kept.id}/ack", headers=admin_headers)
    assert ack.status_code == 409

    # The missing days arrive late; checking the day again now has a baseline, and the jump fires.
    _opens(platform, {WEEK[1]: 42, WEEK[3]: 41, WEEK[5]: 43})
    again = alerts.evaluate(platform=platform, day=DAY)
    assert [a.outcome for a in again.fired] == ["fired"] and len(posted) == 1
    history = app_client.get("/api/monitor/alerts", headers=admin_headers).json()
    assert [(a["outcome"], a["status"], a["anomaly"]["baseline_days"]) for a in history] == [("fired", "open", 7)]


def test_rule_input_is_checked_field_by_field(app_client, admin_headers, opens_metric):
    post = lambda body: app_client.post("/api/monitor/alert-rules", headers=admin_headers,  # noqa: E731
                                        json={"metric_id": opens_metric, "name": "r", **body})
    res = post({"op": "gt"})
    assert res.status_code == 422 and res.json()["field"] == "threshold"
    res = post({"op": "anomaly", "anomaly": {"k": 0.5}})
    assert res.status_code == 422 and res.json()["detail"][0]["loc"][-2:] == ["anomaly", "k"]
    res = post({"op": "anomaly", "anomaly": {"direction": "sideways"}})
    assert res.status_code == 422 and res.json()["detail"][0]["loc"][-1] == "direction"
    res = post({"op": "gt", "threshold": 1, "severity": "urgent"})
    assert res.status_code == 422 and res.json()["detail"][0]["loc"][-1] == "severity"
    res = post({"op": "gt", "threshold": 1, "severity": "info"})
    assert res.status_code == 201 and res.json()["severity"] == "info" and res.json()["anomaly"] is None

"""One user's bad definition never stops the bank-wide alert check: refused at write, isolated and recorded at run."""

from __future__ import annotations

from datetime import date

from mofang.monitor.alerts.models import Metric
from mofang.monitor.alerts.tasks import ALERTS_JOB

DAY = date(2026, 3, 2)  # evaluates 1 March: 4 app opens


def _metric(client, headers, key: str, customers: dict | None = None):
    definition = {"event": {"event": "app_open"}, "days": 1}
    if customers is not None:
        definition["customers"] = customers
    return client.post("/api/monitor/metrics", headers=headers,
                       json={"key": key, "name": key, "definition": definition})


def test_a_metric_on_a_segment_id_that_is_not_one_is_refused_at_write(app_client, admin_headers, bank):
    for ids, field in ((["abc"], "segment_ids"), (["1e3"], "segment_ids"), (["999"], "segment_id")):
        res = _metric(app_client, admin_headers, "bad.one", {"segment_ids": ids})
        assert res.status_code == 422, (ids, res.text)
        assert field in (res.json().get("field") or str(res.json()["detail"])), res.text
    assert app_client.get("/api/monitor/metrics", headers=admin_headers).json() == []


def test_a_rule_that_cannot_be_judged_records_why_and_the_others_still_fire(app_client, admin_headers, bank):
    good = _metric(app_client, admin_headers, "opens").json()
    broken = _metric(app_client, admin_headers, "opens.broken").json()
    rules = {}
    for name, metric in (("坏规则", broken), ("好规则", good)):
        res = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
            "metric_id": metric["id"], "name": name, "op": "gte", "threshold": 3})
        assert res.status_code == 201, res.text
        rules[name] = res.json()["id"]
    # A metric whose segment went away (or a definition stored before ids were checked) cannot be measured.
    with bank.metadata.session() as s:
        m = s.get(Metric, broken["id"])
        m.definition = {**m.definition, "customers": {"segment_ids": ["999"]}}

    report = ALERTS_JOB.run(bank, DAY)
    assert [a.rule_name for a in report.fired] == ["好规则"] and report.evaluated == 2
    assert list(report.failed) == [rules["坏规则"]] and "unknown segment 999" in report.failed[rules["坏规则"]]
    listed = {r["name"]: r for r in app_client.get("/api/monitor/alert-rules", headers=admin_headers).json()}
    assert "unknown segment 999" in listed["坏规则"]["last_error"] and listed["坏规则"]["last_error_at"]
    assert listed["好规则"]["last_error"] is None

    # Fixed, the next evaluation judges it and clears the error.
    with bank.metadata.session() as s:
        m = s.get(Metric, broken["id"])
        m.definition = {k: v for k, v in m.definition.items() if k != "customers"}
    report = ALERTS_JOB.run(bank, DAY)
    assert report.failed == {} and [a.rule_name for a in report.fired] == ["坏规则"]
    listed = {r["name"]: r for r in app_client.get("/api/monitor/alert-rules", headers=admin_headers).json()}
    assert listed["坏规则"]["last_error"] is None and listed["坏规则"]["last_error_at"] is None


def test_creating_a_metric_is_audited(app_client, admin_headers, bank):
    metric = _metric(app_client, admin_headers, "opens").json()
    page = app_client.get("/api/admin/audit", params={"action": "monitor.metric.create"}, headers=admin_headers).json()
    assert [(e["target_id"], e["detail"]["key"]) for e in page["items"]] == [(str(metric["id"]), "opens")]

"""Attribute metrics (customer counts, AUM as of a day) and metric dimensions, through the API and the alert job."""

from __future__ import annotations

from datetime import date

import pytest

from factories import add_aum_snapshots
from mofang.monitor.alerts.models import Metric
from mofang.monitor.alerts.tasks import ALERTS_JOB

DAY = date(2026, 3, 2)  # measures the end of 1 March; the previous window ends 28 February
NEXT = date(2026, 3, 3)  # measures the end of 2 March
# Daily AUM snapshots; a customer without one on a day keeps its latest earlier one (as-of semantics).
SNAPSHOTS = [
    ("c1", "2026-02-27", 400_000.0), ("c1", "2026-03-01", 450_000.0),  # GD-SZ
    ("c2", "2026-02-28", 20_000.0),  # GD-SZ
    ("c3", "2026-03-01", 10_000.0),  # GD-GZ: no history before 1 March
    ("c4", "2026-02-27", 80_000.0), ("c4", "2026-03-01", 70_000.0),  # ZJ
    ("c5", "2026-02-28", 900_000.0), ("c5", "2026-03-02", 1_000_000.0),  # ZJ
]
AUM_SUM = {"source": "attribute", "attribute_measure": "sum", "attribute": "aum", "days": 1,
           "dimensions": [{"kind": "attribute", "name": "tier"}]}


@pytest.fixture
def snapshots(bank):
    """The small bank with its AUM history."""
    add_aum_snapshots(bank, SNAPSHOTS)
    return bank


def _metric(client, headers, key: str, definition: dict) -> dict:
    res = client.post("/api/monitor/metrics", headers=headers, json={"key": key, "name": key, "definition": definition})
    assert res.status_code == 201, res.text
    return res.json()


def _value(client, headers, metric_id: int, day: date, **extra) -> dict:
    res = client.get(f"/api/monitor/metrics/{metric_id}/value", params={"day": day.isoformat(), **extra},
                     headers=headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_aum_sum_is_as_of_the_window_end_and_scoped(app_client, admin_headers, make_user, login, snapshots):
    m = _metric(app_client, admin_headers, "aum.total", AUM_SUM)
    assert m["definition"]["source"] == "attribute" and m["definition"]["event"] is None
    # End of 1 March: 450k + 20k + 10k + 70k + 900k; end of 28 Feb: 400k + 20k + (c3 none) + 80k + 900k.
    v = _value(app_client, admin_headers, m["id"], DAY)
    assert (v["value"], v["previous"]) == (1_450_000, 1_400_000)
    assert v["groups"] is None
    # The next day only c5 moved (its 2 March snapshot).
    v = _value(app_client, admin_headers, m["id"], NEXT)
    assert (v["value"], v["previous"]) == (1_550_000, 1_450_000)
    # A Guangdong user sees only c1..c3.
    gd = login(make_user("gd", "branch_operator", "GD"))
    v = _value(app_client, gd, m["id"], DAY)
    assert (v["value"], v["previous"]) == (480_000, 420_000)


def test_customer_count_with_filter_and_dimension_breakdown(app_client, admin_headers, snapshots):
    rich = _metric(app_client, admin_headers, "wealth.customers", {
        "source": "attribute", "attribute_measure": "customers",
        "customers": {"attributes": [{"attribute": "tier", "op": "eq", "value": "财富"}]}})
    v = _value(app_client, admin_headers, rich["id"], DAY)
    assert (v["value"], v["previous"]) == (2, 2)  # c1 and c5

    m = _metric(app_client, admin_headers, "aum.by_tier", AUM_SUM)
    v = _value(app_client, admin_headers, m["id"], DAY, dimension=0)
    assert v["dimension"]["name"] == "tier"
    assert [(g["group"], g["value"], g["previous"]) for g in v["groups"]] == [
        ("财富", 1_350_000, 1_300_000), ("潜力", 70_000, 80_000), ("大众", 30_000, 20_000)]
    assert sum(g["value"] for g in v["groups"]) == v["value"]
    assert sum(g["previous"] for g in v["groups"]) == v["previous"]

    views = _metric(app_client, admin_headers, "views.by_product", {
        "event": {"event": "product_view"}, "dimensions": [{"kind": "property", "name": "product"}]})
    v = _value(app_client, admin_headers, views["id"], DAY, dimension=0)
    assert [(g["group"], g["value"]) for g in v["groups"]] == [("P1", 2), ("P2", 1), ("P3", 1)]
    assert sum(g["value"] for g in v["groups"]) == v["value"] == 4

    res = app_client.get(f"/api/monitor/metrics/{m['id']}/value", params={"day": DAY.isoformat(), "dimension": 1},
                         headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "dimension"


@pytest.mark.parametrize(("definition", "field"), [
    ({"source": "attribute", "attribute_measure": "sum"}, "definition.attribute"),
    ({"source": "attribute", "event": {"event": "app_open"}}, "definition.event"),
    ({"source": "event"}, "definition.event"),
    ({"source": "attribute", "dimensions": [{"kind": "property", "name": "product"}]}, "definition.dimensions[0].kind"),
    ({"event": {"event": "app_open"}, "dimensions": [{"kind": "attribute", "name": "tier"}] * 2},
     "definition.dimensions"),
])
def test_invalid_definitions_name_the_field(app_client, admin_headers, bank, definition, field):
    res = app_client.post("/api/monitor/metrics", headers=admin_headers,
                          json={"key": "bad", "name": "bad", "definition": definition})
    assert res.status_code == 422 and res.json()["field"] == field, res.text


def test_schema_rejects_unknown_attribute_and_too_many_dimensions(app_client, admin_headers, bank):
    for definition in ({"source": "attribute", "attribute_measure": "sum", "attribute": "income"},
                       {"event": {"event": "app_open"}, "dimensions": [{"kind": "attribute", "name": "nope"}]},
                       {"event": {"event": "app_open"},
                        "dimensions": [{"kind": "property", "name": f"p{i}"} for i in range(6)]}):
        res = app_client.post("/api/monitor/metrics", headers=admin_headers,
                              json={"key": "bad", "name": "bad", "definition": definition})
        assert res.status_code == 422, res.text
        assert "definition" in res.json()["detail"][0]["loc"]


def test_old_stored_definition_still_lists_and_evaluates(app_client, admin_headers, bank):
    with bank.metadata.session() as s:
        s.add(Metric(key="legacy.opens", name="Legacy opens", owner_org="HQ", created_by="root",
                     definition={"event": {"event": "app_open", "filters": []}, "measure": "total",
                                 "property": None, "days": 1, "customers": {"attributes": [], "tags": []}}))
    listed = next(m for m in app_client.get("/api/monitor/metrics", headers=admin_headers).json()
                  if m["key"] == "legacy.opens")
    assert listed["definition"]["source"] == "event" and listed["definition"]["dimensions"] == []
    v = _value(app_client, admin_headers, listed["id"], DAY)
    assert (v["value"], v["previous"]) == (4, 0)


def test_rules_on_an_attribute_metric_run_in_the_alert_job(app_client, admin_headers, snapshots):
    m = _metric(app_client, admin_headers, "aum.watch", AUM_SUM)
    rule = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": m["id"], "name": "AUM 超 140 万", "op": "gt", "threshold": 1_420_000}).json()
    drift = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": m["id"], "name": "AUM 异动", "op": "anomaly"}).json()
    report = ALERTS_JOB.run(snapshots, DAY)
    assert [(a.rule_id, a.value, a.previous) for a in report.fired] == [(rule["id"], 1_450_000, 1_400_000)]
    assert report.fired[0].message.startswith("[魔方预警] AUM 超 140 万: aum.watch")
    # Baseline: the ends of 28, 27, ... February; only 28 and 27 February have any snapshot at all.
    [kept] = report.recorded
    assert kept.rule_id == drift["id"] and kept.outcome == "insufficient_baseline"
    assert kept.anomaly is not None and kept.anomaly.baseline_days == 2

"""Audit entries a reader can follow: saving funnel drop-offs as a segment is one entry; entries name their object."""

from __future__ import annotations

from test_analytics_funnel import RANGE, STEPS


def _entries(client, headers):
    return client.get("/api/admin/audit", headers=headers, params={"limit": 100}).json()["items"]


def test_dropoffs_saved_as_a_segment_write_one_entry_naming_it(analyst, app_client, admin_headers):
    before = len(_entries(app_client, admin_headers))
    res = analyst("funnel/dropoffs", {"query": {**RANGE, "steps": STEPS, "window": 7}, "step": 3, "name": "看了没买"},
                  expect=201)
    new = _entries(app_client, admin_headers)[: len(_entries(app_client, admin_headers)) - before]
    assert [(e["action"], e["detail"]["name"]) for e in new] == [("segment.create", "看了没买")]
    assert new[0]["target_id"] == str(res["segment_id"])


def test_dashboard_entries_carry_the_dashboard_and_analysis_names(app_client, admin_headers, bank):
    d = app_client.post("/api/dashboards", headers=admin_headers, json={"name": "经营日报"}).json()
    a = app_client.post("/api/analytics/saved", headers=admin_headers, json={
        "name": "登录趋势", "model": "trends", "query": {**RANGE, "series": [{"event": "app_open"}]}}).json()
    res = app_client.post(f"/api/dashboards/{d['id']}/items", headers=admin_headers, json={"analysis_id": a["id"]})
    assert res.status_code == 201, res.text
    pin = next(e for e in _entries(app_client, admin_headers) if e["action"] == "dashboard.pin")
    assert (pin["detail"]["name"], pin["detail"]["analysis"]) == ("经营日报", "登录趋势")

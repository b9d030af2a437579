"""Analysis results never show PII in clear: property groups masked (also in CSV), birth dates as years."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from factories import add_customers, events_for
from mofang.platform.context import Platform

DAY = {"date_from": "2026-11-01", "date_to": "2026-11-02"}


@pytest.fixture
def legacy(platform: Platform, make_user, login) -> dict[str, str]:
    """Events stored in clear by an older version (no masking at ingestion); an analyst's headers."""
    add_customers(platform, {
        "C1": {"name": "甲", "org_code": "GD-SZ-001", "birth_date": date(1985, 3, 9)},
        "C2": {"name": "乙", "org_code": "GD-SZ-001", "birth_date": date(1985, 11, 30)},
        "C3": {"name": "丙", "org_code": "GD-GZ-001", "birth_date": date(1992, 1, 2)},
    })
    events_for(platform, {
        "C1": [("apply", datetime(2026, 11, 1, 2), {"phone": "13800001111", "note": "13700002222"}),
               ("approve", datetime(2026, 11, 1, 3), {})],
        "C2": [("apply", datetime(2026, 11, 1, 4), {"phone": "13800003333", "note": "无"})],
    })
    return login(make_user("ana", "analyst", "HQ"))


def _csv(res) -> list[dict[str, str]]:
    assert res.status_code == 200, res.text
    return list(csv.DictReader(io.StringIO(res.content.decode("utf-8-sig"))))


def test_trends_groups_of_pii_properties_are_masked_in_json_and_csv(app_client: TestClient, legacy) -> None:
    for prop, want in (("phone", {"138****1111", "138****3333"}), ("note", {"137****2222", "无"})):
        body = {**DAY, "series": [{"event": "apply"}], "group_by": {"kind": "property", "name": prop}}
        res = app_client.post("/api/analytics/trends", json=body, headers=legacy)
        assert {ln["group"] for ln in res.json()["lines"]} == want
        rows = _csv(app_client.post("/api/analytics/trends/export", json=body, headers=legacy, params={"lang": "en"}))
        assert {r["group"] for r in rows} == want


def test_funnel_grouped_by_a_pii_property_shows_masked_groups(app_client: TestClient, legacy) -> None:
    body = {**DAY, "steps": [{"event": "apply"}, {"event": "approve"}],
            "group_by": {"kind": "property", "name": "phone"}}
    res = app_client.post("/api/analytics/funnel", json=body, headers=legacy)
    assert res.status_code == 200, res.text
    assert sorted(g["group"] for g in res.json()["groups"]) == ["138****1111", "138****3333"]
    rows = _csv(app_client.post("/api/analytics/funnel/export", json=body, headers=legacy))
    assert "13800001111" not in str(rows)


def test_birth_dates_are_shown_as_years_in_properties_and_groups(app_client: TestClient, legacy) -> None:
    body = {"dimensions": [{"attribute": "birth_date"}]}
    res = app_client.post("/api/analytics/properties", json=body, headers=legacy)
    assert res.status_code == 200, res.text
    assert {tuple(c["values"]): c["customers"] for c in res.json()["cells"]} == {("1985",): 2, ("1992",): 1}
    rows = _csv(app_client.post("/api/analytics/properties/export", json=body, headers=legacy))
    assert "1985-03-09" not in str(rows)
    trends = {**DAY, "series": [{"event": "apply"}], "group_by": {"kind": "attribute", "name": "birth_date"}}
    res = app_client.post("/api/analytics/trends", json=trends, headers=legacy)
    assert [(ln["group"], ln["total"]) for ln in res.json()["lines"]] == [("1985", 2.0)]


def test_metric_groups_by_a_pii_property_are_masked(app_client: TestClient, legacy) -> None:
    res = app_client.post("/api/monitor/metrics", headers=legacy, json={
        "key": "apply.by_phone", "name": "申请", "definition": {
            "event": {"event": "apply"}, "days": 1, "dimensions": [{"kind": "property", "name": "phone"}]}})
    assert res.status_code == 201, res.text
    value = app_client.get(f"/api/monitor/metrics/{res.json()['id']}/value", headers=legacy,
                           params={"day": "2026-11-02", "dimension": 0})
    assert value.status_code == 200, value.text
    assert sorted(g["group"] for g in value.json()["groups"]) == ["138****1111", "138****3333"]

"""An event name or property ingested a moment ago is usable in tags and segments at once, not after the
catalogue's discovery cache (300 s) expires."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from factories import add_customers
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov


@pytest.fixture
def track(app_client: TestClient, platform: Platform):
    """POST one Segment `track` call with a valid write key, then wait for the ingestion flush."""
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}

    def _track(user: str, event: str, properties: dict) -> None:
        res = app_client.post("/v1/track", json={"userId": user, "event": event, "properties": properties},
                              headers=auth)
        assert res.status_code == 200, res.text
        ingestor = platform.extras.get("ingestor")
        assert ingestor is None or ingestor.flush(timeout=10)

    return _track


def test_a_new_event_is_usable_in_a_segment_right_after_ingestion(app_client, platform, admin_headers, track):
    add_customers(platform, {"k1": {"name": "客户", "org_code": "GD-SZ-001"}})
    # The catalogue is read (and its discovery cached) before the new event exists.
    before = app_client.get("/api/insight/catalogue", headers=admin_headers).json()
    assert "vip_salon_signup" not in {e["name"] for e in before["events"]}
    track("k1", "vip_salon_signup", {"salon_city": "深圳", "seats": 2})

    tree = {"type": "behaviour", "event": "vip_salon_signup",
            "filters": [{"property": "salon_city", "op": "eq", "value": "深圳"}]}
    res = app_client.post("/api/insight/segments", json={"name": "沙龙报名", "definition": tree}, headers=admin_headers)
    assert res.status_code == 201, res.text
    tag = {"key": "salon_seats", "name": "沙龙座位", "family": "preference",
           "rule": {"kind": "aggregate", "event": "vip_salon_signup", "agg": "sum", "property": "seats",
                    "window": {"last_days": 30}, "filters": []}}
    res = app_client.post("/api/insight/tags", json=tag, headers=admin_headers)
    assert res.status_code == 201, res.text
    # The catalogue the console reads lists it now, with its properties.
    after = app_client.get("/api/insight/catalogue", headers=admin_headers).json()
    props = {p["key"] for e in after["events"] if e["name"] == "vip_salon_signup" for p in e["properties"]}
    assert {"salon_city", "seats"} <= props


def test_names_never_stored_are_still_refused(app_client, platform, admin_headers, track):
    add_customers(platform, {"k1": {"name": "客户", "org_code": "GD-SZ-001"}})
    track("k1", "vip_salon_signup", {"salon_city": "深圳"})
    tree = {"type": "behaviour", "event": "vip_salon_cancel"}
    res = app_client.post("/api/insight/segments", json={"name": "x", "definition": tree}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "definition.event"
    tree = {"type": "behaviour", "event": "vip_salon_signup",
            "filters": [{"property": "salon_colour", "op": "eq", "value": "红"}]}
    res = app_client.post("/api/insight/segments", json={"name": "x", "definition": tree}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "definition.filters.0.property"

"""Customer 360: birth date as the year while the ID number is masked; PII in event properties masked on read."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from factories import add_customers, events_for

LEGACY_PHONE = "13912340000"  # stored in clear by an older version, before ingestion masked it


@pytest.fixture
def customer(platform) -> None:
    """C001 born 1990-05-17, with an old event that holds a phone and a name in clear."""
    add_customers(platform, {"C001": {"name": "张三", "org_code": "GD-SZ-001", "rm_id": "RM-1"}})
    events_for(platform, {"C001": [("contact_update", datetime(2026, 11, 1, 9),
                                    {"mobile": LEGACY_PHONE, "real_name": "张三丰", "page": "设置"})]})


@pytest.mark.usefixtures("customer")
def test_birth_date_is_only_the_year_unless_unmasked(app_client: TestClient, admin_headers, make_user,
                                                      login) -> None:
    ops = login(make_user("sz", "branch_operator", "GD-SZ"))
    masked = app_client.get("/api/customers/C001", headers=ops).json()["profile"]
    assert masked["birth_date"] is None and masked["birth_year"] == 1990 and masked["id_number"].count("*") == 11
    assert "1990-05-17" not in app_client.get("/api/customers/C001", headers=ops).text
    full = app_client.get("/api/customers/C001", params={"unmask": True}, headers=admin_headers).json()["profile"]
    assert full["birth_date"] == "1990-05-17" and full["birth_year"] == 1990


@pytest.mark.usefixtures("customer")
def test_legacy_clear_events_are_masked_on_read(app_client: TestClient, make_user, login, admin_headers) -> None:
    rm = login(make_user("rm1", "rm", "GD-SZ-001", rm_id="RM-1"))  # may unmask, but has not asked to
    for headers in (login(make_user("sz", "branch_operator", "GD-SZ")), rm):
        events = app_client.get("/api/customers/C001/events", headers=headers)
        assert events.json()["items"][0]["properties"] == {"mobile": "139****0000", "real_name": "张**",
                                                           "page": "设置"}
        recent = app_client.get("/api/customers/C001", headers=headers).json()["recent_events"]
        assert recent[0]["properties"]["mobile"] == "139****0000"
        assert LEGACY_PHONE not in events.text
    full = app_client.get("/api/customers/C001/events", params={"unmask": True}, headers=rm).json()
    assert full["items"][0]["properties"]["mobile"] == LEGACY_PHONE
    audit = app_client.get("/api/admin/audit", params={"action": "pii.unmask"}, headers=admin_headers).json()
    assert [(a["username"], a["target_id"]) for a in audit["items"]] == [("rm1", "C001")]

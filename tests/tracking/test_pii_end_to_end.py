"""PII sent in events never rests in clear (WAL, DuckDB) and is shown masked unless unmasked and audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import Sender, track

from factories import add_customers
from mofang.platform.context import Platform
from mofang.tracking.service import WAL_DIR

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
OTHER_MOBILE = "13987654321"  # in a property whose name says nothing
TRAIT_MOBILE = "13700001111"
WHEN = "2026-12-01T10:00:00+08:00"
CANARIES = (PHONE, ID_NUMBER, OTHER_MOBILE, TRAIT_MOBILE)


@pytest.fixture
def ingested(platform: Platform, send: Sender, stored: Callable[..., list]) -> Platform:
    """C001 sent a loan application carrying PII, and identified with a mobile in its traits."""
    add_customers(platform, {"C001": {"name": "张三", "org_code": "GD-SZ-001"}})
    res = send.batch([
        track("loan_apply", userId="C001", timestamp=WHEN, messageId="m-1",
              properties={"phone": PHONE, "id_number": ID_NUMBER, "remark": f"客户手机 {OTHER_MOBILE}",
                          "amount": 50000}),
        {"type": "identify", "userId": "C001", "timestamp": WHEN, "messageId": "m-2",
         "traits": {"Mobile": TRAIT_MOBILE, "level": "gold"}},
    ])
    assert res.status_code == 200, res.text
    assert len(stored()) == 2
    return platform


def files_holding(root: Path, needle: str) -> list[str]:
    """Files under root whose bytes contain needle (as UTF-8)."""
    raw = needle.encode()
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]


def test_pii_never_rests_in_clear_in_the_wal_or_the_event_store(ingested: Platform) -> None:
    data_dir = ingested.settings.data_dir
    wal_files = list((data_dir / WAL_DIR).glob("*.wal"))
    assert wal_files and sum(p.stat().st_size for p in wal_files) > 0  # the WAL still holds the records
    for needle in CANARIES:
        assert files_holding(data_dir, needle) == [], needle
    with ingested.store.write() as cur:
        cur.execute("CHECKPOINT")
    for needle in CANARIES:
        assert files_holding(data_dir, needle) == [], needle
    [row] = ingested.store.query("SELECT properties FROM events WHERE message_id = 'm-1'")
    assert '"phone":"138****5678"' in row["properties"]


def test_events_are_masked_for_an_analyst_and_full_only_with_audited_unmask(
        app_client: TestClient, ingested: Platform, make_user, login, admin_headers) -> None:
    analyst = login(make_user("ana", "analyst", "HQ"))
    res = app_client.get("/api/customers/C001/events", headers=analyst)
    assert res.status_code == 200
    by_id = {e["message_id"]: e["properties"] for e in res.json()["items"]}
    assert by_id["m-1"] == {"phone": "138****5678", "id_number": "110***********002X",
                            "remark": "客户手机 139****4321", "amount": 50000}
    assert by_id["m-2"] == {"Mobile": "137****1111", "level": "gold"}
    assert not any(c in res.text for c in CANARIES)
    profile = app_client.get("/api/customers/C001", headers=analyst)
    assert not any(c in profile.text for c in CANARIES)

    refused = app_client.get("/api/customers/C001/events", params={"unmask": True}, headers=analyst)
    assert refused.status_code == 403 and refused.json()["field"] == "unmask"

    full = app_client.get("/api/customers/C001/events", params={"unmask": True}, headers=admin_headers).json()
    by_id = {e["message_id"]: e["properties"] for e in full["items"]}
    assert by_id["m-1"]["phone"] == PHONE and by_id["m-1"]["id_number"] == ID_NUMBER
    assert by_id["m-1"]["remark"] == f"客户手机 {OTHER_MOBILE}"
    assert by_id["m-2"]["Mobile"] == TRAIT_MOBILE
    audit = app_client.get("/api/admin/audit", params={"action": "pii.unmask"}, headers=admin_headers).json()
    assert [(a["username"], a["target_id"]) for a in audit["items"]] == [("root", "C001")]
    assert "event_properties" in str(audit["items"][0]["detail"])


def test_trends_grouped_by_phone_and_their_csv_show_the_masked_form(
        app_client: TestClient, ingested: Platform, make_user, login) -> None:
    analyst = login(make_user("ana", "analyst", "HQ"))
    body = {"date_from": "2026-12-01", "date_to": "2026-12-01", "series": [{"event": "loan_apply"}],
            "group_by": {"kind": "property", "name": "phone"}}
    res = app_client.post("/api/analytics/trends", json=body, headers=analyst)
    assert res.status_code == 200, res.text
    assert [(ln["group"], ln["total"]) for ln in res.json()["lines"]] == [("138****5678", 1.0)]
    export = app_client.post("/api/analytics/trends/export", json=body, headers=analyst, params={"lang": "en"})
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {r["group"] for r in rows} == {"138****5678"}
    assert not any(c in export.text for c in CANARIES)
    # A filter typed with the full number finds the event through its masked form.
    body = {"date_from": "2026-12-01", "date_to": "2026-12-01",
            "series": [{"event": "loan_apply", "filters": [{"property": "phone", "op": "eq", "value": PHONE}]}]}
    res = app_client.post("/api/analytics/trends", json=body, headers=analyst)
    assert res.json()["lines"][0]["total"] == 1.0

"""The data extent analysis pages open on: the first and last bank days with events and with AUM snapshots."""

from __future__ import annotations

from datetime import date


def test_extent_names_the_days_with_data(app_client, admin_headers, bank):
    with bank.store.write() as cur:
        cur.executemany("INSERT INTO aum_daily VALUES (?, ?, ?)", [
            ["c1", date(2026, 2, 20), 1000.0], ["c1", date(2026, 3, 31), 1000.0]])
    res = app_client.get("/api/analytics/extent", headers=admin_headers)
    assert res.status_code == 200
    got = res.json()
    assert (got["aum_from"], got["aum_to"]) == ("2026-02-20", "2026-03-31")
    assert got["events_from"] is not None and got["events_from"].startswith("2026-03")
    assert got["events_from"] <= got["events_to"]


def test_an_empty_store_has_no_extent(app_client, admin_headers):
    res = app_client.get("/api/analytics/extent", headers=admin_headers)
    assert res.json() == {"events_from": None, "events_to": None, "aum_from": None, "aum_to": None}

"""The console in a real browser: every analysis page opened from a saved analysis puts the saved dates and
settings back into its form, shows the saved result, and runs again from the restored form."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser

TODAY = date.today()
FROM, TO = (TODAY - timedelta(days=20)).isoformat(), (TODAY - timedelta(days=1)).isoformat()
DATES = {"date_from": FROM, "date_to": TO}

# One saved query per analysis page whose browser flow no other test walks through.
QUERIES: dict[str, dict[str, Any]] = {
    "retention": {**DATES, "initial": {"event": "login"}, "returning": {"event": "login"}, "period": "day",
                  "periods": 7, "first_time": False},
    "paths": {**DATES, "anchor": {"event": "login"}, "direction": "starting", "depth": 4, "session_gap_minutes": 30,
              "top": 20},
    "attribution": {**DATES, "conversion": {"event": "fund_purchase"}, "touches": [{"event": "login"}],
                    "window_days": 7},
    "distribution": {**DATES, "event": {"event": "login"}, "measure": "count", "property": None, "edges": [1, 2, 4]},
    "interval": {**DATES, "first": {"event": "login"}, "then": {"event": "fund_purchase"}},
    "properties": {"dimensions": [{"attribute": "tier"}], "limit": 100},
    "ltv": {**DATES, "months": 12, "margin_bps": 100},
    "rfm": {**DATES},
}


def at(days_ago: int, minute: int) -> datetime:
    """A moment `days_ago` days back at 04:MM UTC (midday in Shanghai, far from day boundaries)."""
    base = (datetime.now() - timedelta(days=days_ago)).replace(hour=4, minute=0, second=0, microsecond=0)
    return base + timedelta(minutes=minute)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Three customers log in on several days; two of them buy a fund after logging in."""
    add_customers(platform, {f"P{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 4)})
    events_for(platform, {
        "P1": [("login", at(10, 0), {}), ("login", at(9, 0), {}), ("fund_purchase", at(9, 20), {"amount": 5000})],
        "P2": [("login", at(8, 0), {}), ("fund_purchase", at(7, 0), {"amount": 800})],
        "P3": [("login", at(5, 0), {}), ("login", at(4, 0), {})],
    })
    make_user("analyst1", "analyst", "HQ")


def _save_all(base: str) -> dict[str, int]:
    """Saves one analysis of every model through the API; returns their ids by model."""
    token = httpx.post(base + "/api/auth/login", json={"username": "analyst1", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    ids = {}
    for model, query in QUERIES.items():
        body = {"name": f"已存-{model}", "model": model, "query": query, "range": {"kind": "fixed"}}
        r = httpx.post(base + "/api/analytics/saved", json=body, headers=headers)
        assert r.status_code == 201, (model, r.text)
        ids[model] = r.json()["id"]
    return ids


@pytest.mark.usefixtures("bank")
def test_each_analysis_page_restores_a_saved_analysis_and_runs_it_again(live_server: str, page) -> None:
    ids = _save_all(live_server)
    login_ui(page, live_server, "analyst1")
    for model, analysis_id in ids.items():
        page.goto(f"{live_server}/analytics/{model}?saved={analysis_id}")
        expect(page.get_by_test_id("an-saved-name"), model).to_have_text(f"已存-{model}")
        # The saved query ran: its result is shown with 保存分析 and CSV, and nothing failed.
        expect(page.get_by_test_id("an-export-csv"), model).to_be_visible()
        expect(page.get_by_test_id("an-save"), model).to_be_visible()
        expect(page.locator(".ant-alert-error"), model).to_have_count(0)
        if "date_from" in QUERIES[model]:
            dates = page.locator(".mf-an-form .ant-picker-range input")
            expect(dates.first, model).to_have_value(FROM)
            expect(dates.last, model).to_have_value(TO)
        else:
            expect(page.locator(".mf-an-form .ant-picker-range"), model).to_have_count(0)
        # The restored form is complete, so the query runs again from it.
        run = page.get_by_test_id(f"{model}-run")
        expect(run, model).to_be_enabled()
        endpoint = f"/api/analytics/{model}"
        with page.expect_response(lambda r, e=endpoint: r.url.endswith(e) and r.request.method == "POST") as resp:
            run.click()
        assert resp.value.status == 200, (model, resp.value.text())
        expect(page.get_by_test_id("an-export-csv"), model).to_be_visible()
        expect(page.locator(".ant-alert-error"), model).to_have_count(0)

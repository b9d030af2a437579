"""The console in a real browser: an operator builds a login → product_view → fund_purchase funnel."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser


def at(days_ago: int, minute: int) -> datetime:
    """A moment `days_ago` days back at 04:MM UTC (midday in Shanghai, far from day boundaries)."""
    base = (datetime.now() - timedelta(days=days_ago)).replace(hour=4, minute=0, second=0, microsecond=0)
    return base + timedelta(minutes=minute)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Five customers: 4 log in, 3 of them view a product, 2 of those buy a fund; one views without login."""
    add_customers(platform, {f"F{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 6)})
    events_for(platform, {
        "F1": [("login", at(3, 0), {}), ("product_view", at(3, 2), {}), ("fund_purchase", at(3, 9), {"amount": 5000})],
        "F2": [("login", at(4, 0), {}), ("product_view", at(4, 5), {})],
        "F3": [("login", at(5, 0), {})],
        "F4": [("login", at(6, 0), {}), ("product_view", at(6, 1), {}), ("fund_purchase", at(5, 0), {"amount": 800})],
        "F5": [("product_view", at(2, 0), {}), ("fund_purchase", at(2, 3), {"amount": 100})],
    })
    make_user("hq_ops", "hq_operator", "HQ")






@pytest.mark.usefixtures("bank")
def test_operator_builds_a_funnel_and_sees_step_counts(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/analytics/funnel")
    pick(page, "funnel-step-0", "login")
    pick(page, "funnel-step-1", "product_view")
    page.get_by_test_id("funnel-add-step").click()
    pick(page, "funnel-step-2", "fund_purchase")
    page.get_by_test_id("funnel-run").click()

    page.get_by_test_id("funnel-chart").locator("canvas").wait_for()
    expect(page.get_by_test_id("funnel-count-0")).to_have_text("4")
    expect(page.get_by_test_id("funnel-count-1")).to_have_text("3")
    expect(page.get_by_test_id("funnel-count-2")).to_have_text("2")
    expect(page.get_by_test_id("funnel-row-2")).to_contain_text("50.0%")  # 2 of 4 from the first step

    # Those who viewed a product but did not buy become a segment (only F2: F1 and F4 bought).
    page.get_by_test_id("funnel-save-dropoffs-2").click()
    page.get_by_test_id("funnel-dropoff-name").fill("看了没买")
    page.get_by_test_id("funnel-dropoff-confirm").click()
    expect(page.get_by_test_id("funnel-dropoff-saved")).to_contain_text("共 1 人")
    page.get_by_test_id("funnel-dropoff-saved").get_by_role("link").click()
    page.wait_for_url(lambda url: "/insight/segments/" in url)
    segment_id = page.url.rstrip("/").split("/")[-1]
    token = httpx.post(live_server + "/api/auth/login", json={"username": "hq_ops", "password": PASSWORD}).json()
    members = httpx.get(f"{live_server}/api/insight/segments/{segment_id}/members",
                        headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert [m["customer_id"] for m in members["items"]] == ["F2"]

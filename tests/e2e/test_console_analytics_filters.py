"""The console in a real browser: an analyst narrows a trend to some customers and events, excludes a funnel step."""

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
    """Three customers in Guangdong and two in Zhejiang buying funds; three of them log in and view products."""
    gd, zj = {"province": "广东省", "org_code": "GD-SZ-001"}, {"province": "浙江省", "org_code": "ZJ-HZ-001"}
    add_customers(platform, {"G1": {"name": "广一", **gd}, "G2": {"name": "广二", **gd}, "G3": {"name": "广三", **gd},
                             "Z1": {"name": "浙一", **zj}, "Z2": {"name": "浙二", **zj}})
    events_for(platform, {
        # Guangdong purchases of at least 1000: G1's 5000 and G2's 1500 (G1's 200 and G3's 800 are smaller).
        "G1": [("fund_purchase", at(3, 0), {"amount": 5000}), ("fund_purchase", at(4, 0), {"amount": 200}),
               ("login", at(10, 0), {}), ("product_view", at(10, 5), {})],
        "G2": [("fund_purchase", at(5, 0), {"amount": 1500}),
               ("login", at(10, 0), {}), ("search", at(10, 2), {"keyword": "基金"}), ("product_view", at(10, 5), {})],
        "G3": [("fund_purchase", at(6, 0), {"amount": 800}), ("login", at(10, 0), {})],
        "Z1": [("fund_purchase", at(2, 0), {"amount": 9000})],
        "Z2": [("fund_purchase", at(3, 0), {"amount": 3000})],
    })
    make_user("ana", "analyst", "HQ")


def choose(page, test_id: str, label: str) -> None:
    """Open a plain (non-searchable) select and click the option with this label."""
    page.get_by_test_id(test_id).click()
    page.locator(f".ant-select-dropdown:visible .ant-select-item-option[title='{label}']").click()


def total_shown(page) -> float:
    """The total of the first (only) trend line in the result table."""
    cell = page.locator(".ant-table-tbody tr.ant-table-row").first.locator("td").nth(1)
    return float(cell.inner_text().replace(",", ""))


@pytest.mark.usefixtures("bank")
def test_trend_filtered_by_customers_and_event_property_matches_the_api(live_server: str, page) -> None:
    login_ui(page, live_server, "ana")
    page.goto(live_server + "/analytics/trends")
    expect(page.get_by_test_id("an-customers")).to_contain_text("全部客户")
    pick(page, "trends-event-0", "fund_purchase")

    # 分析对象: province = 广东省.
    page.get_by_test_id("an-customers").click()
    page.get_by_test_id("an-customers-add").click()
    page.get_by_test_id("an-customers-add-attribute").click()
    pick(page, "an-customers-attr-0", "省份")
    page.get_by_test_id("an-customers-attr-0-value").locator("input").fill("广东省")
    page.get_by_test_id("an-customers-done").click()
    expect(page.get_by_test_id("an-customers")).to_contain_text("广东省")

    # Only purchases of at least 1000.
    filters = page.get_by_test_id("an-prop-filters-0")
    filters.get_by_test_id("an-prop-filter-add").click()
    pick(page, "an-prop-filter-0-property", "amount")
    choose(page, "an-prop-filter-0-op", "大于等于")
    page.get_by_test_id("an-prop-filter-0-value").locator("input").fill("1000")

    with page.expect_request(lambda r: r.url.endswith("/api/analytics/trends") and r.method == "POST") as sent:
        page.get_by_test_id("trends-run").click()
    query = sent.value.post_data_json
    assert query["customers"]["attributes"] == [{"attribute": "province", "op": "eq", "value": "广东省"}]
    assert query["series"][0]["filters"] == [{"property": "amount", "op": "gte", "value": 1000}]
    page.get_by_test_id("trends-chart").locator("canvas").wait_for()
    expect(page.locator(".ant-table-tbody tr.ant-table-row").first).to_be_visible()
    shown = total_shown(page)

    token = httpx.post(live_server + "/api/auth/login", json={"username": "ana", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    def api_total(body: dict) -> float:
        res = httpx.post(live_server + "/api/analytics/trends", json=body, headers=headers)
        assert res.status_code == 200, res.text
        return res.json()["lines"][0]["total"]

    # G1's 5000 and G2's 1500: the page shows what the API answers for the same query.
    assert shown == api_total(query) == 2
    unfiltered = {**query, "customers": {"attributes": [], "tags": [], "segment_ids": []},
                  "series": [{**query["series"][0], "filters": []}]}
    assert api_total(unfiltered) == 6 != shown


@pytest.mark.usefixtures("bank")
def test_funnel_with_an_exclusion_step_runs_and_breaks_those_attempts(live_server: str, page) -> None:
    login_ui(page, live_server, "ana")
    page.goto(live_server + "/analytics/funnel")
    pick(page, "funnel-step-0", "login")
    pick(page, "funnel-step-1", "product_view")

    # A search between login and viewing breaks G2's attempt.
    page.get_by_test_id("funnel-exclusion-add").click()
    pick(page, "funnel-exclusion-0-event", "search")
    with page.expect_request(lambda r: r.url.endswith("/api/analytics/funnel") and r.method == "POST") as sent:
        page.get_by_test_id("funnel-run").click()
    assert sent.value.post_data_json["exclusions"] == [{"event": "search", "from_step": 1, "to_step": 2}]

    page.get_by_test_id("funnel-chart").locator("canvas").wait_for()
    expect(page.locator(".ant-alert-error")).to_have_count(0)
    expect(page.get_by_test_id("funnel-count-0")).to_have_text("3")
    expect(page.get_by_test_id("funnel-count-1")).to_have_text("1")

    # Exclusions belong to the in-order mode: in strict mode the button is off and the rows are not sent.
    choose(page, "funnel-mode", "严格相邻")
    expect(page.get_by_test_id("funnel-exclusion-add")).to_be_disabled()

"""The console in a real browser: an operator defines a customer-attribute metric (AUM sum as of the window's
end) with a dimension, and the metric library lists its formula, its dimension (split on click) and its value —
without the dashboard pin, which only event metrics have."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import add_aum_snapshots, add_customers

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user) -> None:
    """Two customers with AUM snapshots a few days back (the latest before yesterday counts)."""
    add_customers(platform, {"A1": {"name": "客户1", "org_code": "GD-SZ-001", "tier": "财富"},
                             "A2": {"name": "客户2", "org_code": "GD-SZ-001", "tier": "大众"}})
    old, recent = date.today() - timedelta(days=5), date.today() - timedelta(days=3)
    add_aum_snapshots(platform, [
        ("A1", old, 100_000.0), ("A1", recent, 500_000.0), ("A2", old, 300_000.0)])
    make_user("hq_ops", "hq_operator", "HQ")


def test_operator_defines_an_attribute_metric_with_a_dimension(live_server: str, page, bank) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/monitor/metrics")
    page.get_by_test_id("metric-create").click()
    page.get_by_test_id("metric-name").fill("客户资产合计")
    page.get_by_test_id("metric-key").fill("aum.total")
    page.get_by_test_id("metric-source").get_by_text("客户属性指标").click()
    expect(page.get_by_test_id("metric-event")).to_have_count(0)
    page.get_by_test_id("metric-attribute-measure").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title='合计']").click()
    page.get_by_test_id("metric-attribute").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title='资产余额AUM（按日快照）']").click()
    pick(page, "metric-dimensions", "客户层级", close=True)
    page.get_by_test_id("metric-save").click()

    row = page.locator("[data-testid^='metric-row-']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("资产余额AUM合计")
    expect(row.locator("[data-testid^='metric-dimensions-']")).to_have_text("客户层级")
    # 500,000 (A1's latest snapshot) + 300,000 (A2's), as of yesterday.
    expect(row.locator("[data-testid^='metric-value-']")).to_contain_text("800,000")
    expect(row.locator("[data-testid^='metric-pin-']")).to_have_count(0)

    # Clicking the dimension splits the value by it: 财富 500,000 and 大众 300,000, the larger first.
    row.locator("[data-testid^='metric-dim-']").first.click()
    breakdown = page.get_by_test_id("metric-breakdown")
    expect(breakdown.locator(".ant-table-row")).to_have_count(2)
    expect(breakdown.locator(".ant-table-row").nth(0)).to_contain_text("财富")
    expect(breakdown.locator(".ant-table-row").nth(0)).to_contain_text("500,000")
    expect(breakdown.locator(".ant-table-row").nth(1)).to_contain_text("大众")
    expect(breakdown.locator(".ant-table-row").nth(1)).to_contain_text("300,000")

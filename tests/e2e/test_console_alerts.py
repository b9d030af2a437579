"""The console in a real browser: an operator defines a metric and an alert rule, the daily check fires it,
and the operator sees the alert in 运营监控 · 预警 and acknowledges it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import add_customers, events_for
from mofang.monitor.alerts import service as alerts

pytestmark = pytest.mark.browser

DAY = date.today() - timedelta(days=2)  # the check of DAY looks at the bank day before it


def _before(minute: int) -> datetime:
    """A moment of the bank day before DAY, 04:MM UTC (midday in Shanghai, far from day boundaries)."""
    d = DAY - timedelta(days=1)
    return datetime(d.year, d.month, d.day, 4, minute)






@pytest.fixture
def bank(platform, make_user) -> None:
    """Three customers open the app on the checked day (four opens); nothing the day before."""
    add_customers(platform, {f"A{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 4)})
    events_for(platform, {
        "A1": [("app_open", _before(0), {}), ("app_open", _before(30), {})],
        "A2": [("app_open", _before(5), {})],
        "A3": [("app_open", _before(9), {})],
    })
    make_user("hq_ops", "hq_operator", "HQ")


def test_operator_defines_a_rule_sees_the_alert_and_acknowledges_it(live_server: str, page, platform, bank) -> None:
    login_ui(page, live_server, "hq_ops")

    # 指标库: a metric counting app opens over one bank day.
    page.goto(live_server + "/monitor/metrics")
    page.get_by_test_id("metric-create").click()
    page.get_by_test_id("metric-name").fill("App 打开次数")
    page.get_by_test_id("metric-key").fill("app.opens")
    pick(page, "metric-event", "app_open")
    page.get_by_test_id("metric-save").click()
    row = page.locator("[data-testid^='metric-row-']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("app.opens")

    # 预警 · rules: a bad recipient is refused next to the field, then the rule is saved.
    page.goto(live_server + "/monitor/alerts")
    page.get_by_test_id("rule-create").click()
    page.get_by_test_id("rule-name").fill("打开次数过高")
    page.get_by_test_id("rule-metric").click()
    page.keyboard.type("app.opens")
    page.keyboard.press("Enter")
    page.get_by_test_id("rule-op").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title='大于等于']").click()
    page.get_by_test_id("rule-threshold").fill("3")
    page.get_by_test_id("rule-emails").click()
    page.keyboard.type("nope")
    page.keyboard.press("Enter")
    page.get_by_test_id("rule-save").click()
    expect(page.locator(".ant-form-item-has-error")).to_contain_text("not an email address")
    page.locator(".ant-select-selection-item-remove").click()
    page.get_by_test_id("rule-save").click()
    expect(page.locator("[data-testid^='rule-row-']")).to_contain_text("打开次数过高")

    # The daily check (what the 07:00 job runs) fires the rule: 4 opens >= 3.
    report = alerts.evaluate(platform=platform, day=DAY)
    assert len(report.fired) == 1 and report.fired[0].value == 4
    alert_id = report.fired[0].id

    page.get_by_test_id("alerts-tab").click()
    page.get_by_test_id("alert-refresh").click()
    row = page.get_by_test_id(f"alert-row-{alert_id}")
    expect(row).to_contain_text("打开次数过高")
    expect(row).to_contain_text("app.opens")
    expect(row).to_contain_text("≥ 3")
    expect(row).to_have_attribute("data-status", "open")
    page.get_by_test_id(f"alert-ack-{alert_id}").click()
    # The open list no longer has it; the acknowledged list does, with who acknowledged.
    expect(row).to_have_count(0)
    page.get_by_test_id("alert-status-filter").get_by_text("已确认").click()
    expect(row).to_have_attribute("data-status", "acknowledged")
    expect(row).to_contain_text("hq_ops")

"""The console in a real browser: an operator creates an anomaly rule (偏离近 7 日基线) with severity 严重 through
the form; after a jump following a steady week the alert is listed with its severity and its baseline, and the
severity filter finds it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import add_customers, events_for
from mofang.monitor.alerts import service as alerts

pytestmark = pytest.mark.browser

DAY = date.today() - timedelta(days=2)  # the check of DAY measures the bank day before it
STEADY = [40, 42, 39, 41, 40, 43, 40]  # the 7 days before the measured day
JUMP = 95


def _day(back: int) -> date:
    """The bank day `back` days before DAY."""
    return DAY - timedelta(days=back)


@pytest.fixture
def bank(platform, make_user) -> None:
    """App opens: a steady week, then a jump on the measured day (four customers per day)."""
    counts = {_day(1): JUMP} | {_day(2 + i): n for i, n in enumerate(reversed(STEADY))}
    spec: dict[str, list] = {}
    for d, n in counts.items():
        for i in range(n):  # 04:MM UTC: midday in Shanghai, far from day boundaries
            spec.setdefault(f"B{i % 4}-{d:%m%d}", []).append(("app_open", datetime(d.year, d.month, d.day, 4, i % 60),
                                                              {}))
    add_customers(platform, {cid: {"name": f"客户{cid}", "org_code": "GD-SZ-001"} for cid in spec})
    events_for(platform, spec)
    make_user("hq_ops", "hq_operator", "HQ")


def test_operator_creates_a_critical_anomaly_rule_and_finds_the_alert(live_server: str, page, platform, bank) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/monitor/metrics")
    page.get_by_test_id("metric-create").click()
    page.get_by_test_id("metric-name").fill("App 打开次数")
    page.get_by_test_id("metric-key").fill("app.opens")
    pick(page, "metric-event", "app_open")
    page.get_by_test_id("metric-save").click()
    expect(page.locator("[data-testid^='metric-row-']")).to_have_count(1)

    # 预警 · 新建规则: the anomaly kind swaps the threshold for k, direction and the relative floor.
    page.goto(live_server + "/monitor/alerts")
    page.get_by_test_id("rule-create").click()
    page.get_by_test_id("rule-name").fill("打开次数异常激增")
    pick(page, "rule-metric", "app.opens")
    page.get_by_test_id("rule-op").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title='偏离近 7 日基线（异常检测）']").click()
    expect(page.get_by_test_id("rule-threshold")).to_have_count(0)
    expect(page.get_by_test_id("rule-k")).to_have_value("3.0")
    expect(page.get_by_test_id("rule-min-change")).to_have_value("10")
    page.get_by_test_id("rule-k").fill("11")
    page.get_by_test_id("rule-name").click()
    expect(page.get_by_test_id("rule-k")).to_have_value("10.0")  # k is 1–10: the field keeps it in range
    page.get_by_test_id("rule-k").fill("2.5")
    page.get_by_test_id("rule-direction").get_by_text("仅上升").click()
    page.get_by_test_id("rule-severity").get_by_text("严重").click()
    page.get_by_test_id("rule-save").click()
    rule_row = page.locator("[data-testid^='rule-row-']")
    expect(rule_row).to_contain_text("打开次数异常激增")
    expect(rule_row).to_contain_text("偏离 7 日均值 > 2.5σ（仅上升，变化 ≥ 10%）")
    expect(rule_row.locator("[data-severity='critical']")).to_have_text("严重")

    # The daily check fires it: 95 opens after a week of about 41.
    report = alerts.evaluate(platform=platform, day=DAY)
    assert [a.rule_name for a in report.fired] == ["打开次数异常激增"] and report.fired[0].severity == "critical"
    alert_id = report.fired[0].id

    page.get_by_test_id("alerts-tab").click()
    page.get_by_test_id("alert-refresh").click()
    row = page.get_by_test_id(f"alert-row-{alert_id}")
    expect(row).to_have_attribute("data-severity", "critical")
    expect(row.locator("[data-severity='critical']")).to_have_text("严重")
    expect(page.get_by_test_id(f"alert-baseline-{alert_id}")).to_contain_text("7日均值 40.71")
    expect(page.get_by_test_id(f"alert-baseline-{alert_id}")).to_contain_text("σ")
    expect(row).to_contain_text("95")

    # The severity filter: 提示 hides it, 严重 shows it again.
    _filter_severity(page, "提示")
    expect(row).to_have_count(0)
    _filter_severity(page, "严重")
    expect(row).to_have_attribute("data-severity", "critical")


def _filter_severity(page, label: str) -> None:
    page.get_by_test_id("alert-severity-filter").click()
    page.locator(f".ant-select-dropdown:visible .ant-select-item-option[title='{label}']").click()

"""The console in a real browser: a metric and its alert rule are edited, disabled and deleted; the header bell
shows a fired alert as unread and marks it read when it is opened."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for
from mofang.monitor.alerts import service as alerts

pytestmark = pytest.mark.browser

DAY = date.today() - timedelta(days=2)
SHOTS = "/tmp/monitor3_shots"


def _before(minute: int) -> datetime:
    """A moment of the bank day before DAY, midday in Shanghai."""
    d = DAY - timedelta(days=1)
    return datetime(d.year, d.month, d.day, 4, minute)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Two customers open the app on the checked day; an HQ operator."""
    add_customers(platform, {f"E{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 3)})
    events_for(platform, {"E1": [("app_open", _before(0), {})], "E2": [("app_open", _before(5), {})]})
    make_user("hq_edit", "hq_operator", "HQ")


def _api(base: str, username: str, method: str, path: str, body: dict | None = None) -> dict | list:
    """Call the API as the user (setup the test is not about). The console keeps its access token in memory only,
    so the test logs in over HTTP for a token of its own rather than reading the page's."""
    token = httpx.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD})
    token.raise_for_status()
    res = httpx.request(method, base + path, json=body,
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    res.raise_for_status()
    return {} if res.status_code == 204 else res.json()


def test_edit_disable_delete_metric_and_rule_and_the_bell(live_server: str, page, platform, bank) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "hq_edit")
    metric = _api(live_server, "hq_edit", "POST", "/api/monitor/metrics", {
        "key": "app.opens", "name": "App 打开", "definition": {"event": {"event": "app_open"}, "days": 1}})
    rule = _api(live_server, "hq_edit", "POST", "/api/monitor/alert-rules", {
        "metric_id": metric["id"], "name": "打开次数过高", "op": "gte", "threshold": 2})
    mid, rid = metric["id"], rule["id"]

    # The bell: nothing yet; the daily check fires the rule; the bell shows one unread alert.
    page.goto(live_server + "/monitor/metrics")
    expect(page.get_by_test_id("alert-bell")).to_be_visible()
    [fired] = alerts.evaluate(platform=platform, day=DAY).fired
    page.get_by_test_id("alert-bell").click()
    expect(page.get_by_test_id("alert-bell-count")).to_contain_text("1")
    item = page.get_by_test_id(f"alert-bell-item-{fired.id}")
    expect(item).to_have_attribute("data-read", "false")
    page.screenshot(path=f"{SHOTS}/bell.png")
    item.click()
    expect(page).to_have_url(live_server + "/monitor/alerts")
    page.get_by_test_id("alert-bell").click()
    expect(page.get_by_test_id(f"alert-bell-item-{fired.id}")).to_have_attribute("data-read", "true")
    expect(page.get_by_test_id("alert-bell-count").locator(".ant-badge-count")).to_have_count(0)
    page.keyboard.press("Escape")

    # 预警 · 规则: no channel configured says so; edit the threshold; disable it.
    page.get_by_test_id("rules-tab").click()
    expect(page.get_by_test_id(f"rule-no-channel-{rid}")).to_have_text("未配置通知渠道，仅站内提醒")
    page.get_by_test_id(f"rule-edit-{rid}").click()
    page.get_by_test_id("rule-threshold").fill("5")
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id(f"rule-row-{rid}")).to_contain_text("5")
    page.get_by_test_id(f"rule-enabled-{rid}").click()
    expect(page.get_by_test_id(f"rule-enabled-{rid}")).not_to_be_checked()
    page.screenshot(path=f"{SHOTS}/rules.png")

    # 指标库: rename; a metric its rule still uses names the rule instead of deleting; disable; open its trend.
    page.goto(live_server + "/monitor/metrics")
    page.get_by_test_id(f"metric-edit-{mid}").click()
    expect(page.get_by_test_id("metric-key")).to_be_disabled()
    page.get_by_test_id("metric-name").fill("App 打开次数")
    page.get_by_test_id("metric-save").click()
    expect(page.get_by_test_id(f"metric-row-{mid}")).to_contain_text("App 打开次数")
    page.get_by_test_id(f"metric-delete-{mid}").click()
    expect(page.locator(".ant-modal-confirm")).to_contain_text("打开次数过高")
    page.locator(".ant-modal-confirm .ant-btn-primary").click()
    page.get_by_test_id(f"metric-enabled-{mid}").click()
    expect(page.get_by_test_id(f"metric-enabled-{mid}")).not_to_be_checked()
    page.get_by_test_id(f"metric-trend-{mid}").click()
    expect(page.get_by_test_id("metric-trend")).to_have_attribute("data-points", "30")
    page.wait_for_timeout(800)  # the drawer's slide-in and the chart's animation, for the screenshot
    page.screenshot(path=f"{SHOTS}/metric_trend.png")
    page.keyboard.press("Escape")

    # Delete the rule, then the metric (now unused).
    page.goto(live_server + "/monitor/alerts")
    page.get_by_test_id("rules-tab").click()
    page.get_by_test_id(f"rule-delete-{rid}").click()
    page.get_by_test_id("rule-delete-ok").click()
    expect(page.get_by_test_id(f"rule-row-{rid}")).to_have_count(0)
    page.goto(live_server + "/monitor/metrics")
    page.screenshot(path=f"{SHOTS}/metrics.png")
    page.get_by_test_id(f"metric-delete-{mid}").click()
    page.get_by_test_id("metric-delete-ok").click()
    expect(page.get_by_test_id(f"metric-row-{mid}")).to_have_count(0)
    assert _api(live_server, "hq_edit", "GET", "/api/monitor/metrics") == []


def test_filter_values_are_offered_and_an_unseen_value_is_flagged(live_server: str, page, platform, bank) -> None:
    add_customers(platform, {"P1": {"name": "广一", "province": "广东省", "org_code": "GD-SZ-001"},
                             "P2": {"name": "浙一", "province": "浙江省", "org_code": "ZJ-HZ-001"}})
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "hq_edit")
    page.goto(live_server + "/analytics/trends")
    page.get_by_test_id("an-customers").click()
    page.get_by_test_id("an-customers-add").click()
    page.get_by_test_id("an-customers-add-attribute").click()
    pick(page, "an-customers-attr-0", "省份")
    value = page.get_by_test_id("an-customers-attr-0-value")
    value.locator("input").click()
    # The provinces that exist are offered, with their customer counts.
    options = page.locator(".ant-select-dropdown:visible .ant-select-item-option")
    expect(options.filter(has_text="广东省")).to_have_count(1)
    expect(options.filter(has_text="浙江省")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/values.png")
    value.locator("input").fill("广东X省")
    expect(page.get_by_test_id("an-customers-attr-0-value-unseen")).to_contain_text("该值在数据中从未出现")
    value.locator("input").fill("广东省")
    expect(page.get_by_test_id("an-customers-attr-0-value-unseen")).to_have_count(0)

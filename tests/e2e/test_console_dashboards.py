"""The console in a real browser: an analyst saves a trends analysis to a new dashboard, sees it drawn there,
opens it back in the analysis page and removes it; the CSV button downloads the server's audited export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser

# The zh-CN console asks for the export in its language.
TRENDS_HEADER = ["序列", "事件", "度量", "分组", "时间", "数值", "合计", "对比时间", "对比数值", "对比合计"]


def at(days_ago: int, minute: int) -> datetime:
    """A moment `days_ago` days back at 04:MM UTC (midday in Shanghai, far from day boundaries)."""
    base = (datetime.now() - timedelta(days=days_ago)).replace(hour=4, minute=0, second=0, microsecond=0)
    return base + timedelta(minutes=minute)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Three customers log in seven times within the last 30 days; one logged in 40 days ago (outside)."""
    add_customers(platform, {f"D{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 4)})
    events_for(platform, {
        "D1": [("login", at(2, 0), {}), ("login", at(3, 0), {}), ("login", at(40, 0), {})],
        "D2": [("login", at(5, 0), {}), ("login", at(5, 30), {}), ("login", at(9, 0), {})],
        "D3": [("login", at(20, 0), {}), ("login", at(20, 5), {})],
    })
    make_user("analyst1", "analyst", "HQ")


def _headers(base: str, username: str) -> dict[str, str]:
    token = httpx.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _run_login_trend(page, base: str) -> None:
    page.goto(base + "/analytics/trends")
    pick(page, "trends-event-0", "login")
    page.get_by_test_id("trends-run").click()
    page.get_by_test_id("trends-chart").locator("canvas").wait_for()


@pytest.mark.usefixtures("bank")
def test_analyst_pins_a_trend_to_a_new_dashboard_sees_it_drawn_and_removes_it(live_server: str, page) -> None:
    login_ui(page, live_server, "analyst1")
    _run_login_trend(page, live_server)

    # 保存分析: the rolling window defaults to the length of the range that was run (the page's last 30 days).
    page.get_by_test_id("an-save").click()
    page.get_by_test_id("an-save-name").fill("每日登录")
    page.get_by_test_id("an-save-range").get_by_text("最近 N 天").click()
    expect(page.get_by_test_id("an-save-days")).to_have_value("30")
    page.get_by_test_id("an-save-dashboard").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title*='新建看板']").click()
    page.get_by_test_id("an-save-dashboard-name").fill("运营日报")
    page.get_by_test_id("an-save-ok").click()
    expect(page.get_by_test_id("an-saved")).to_contain_text("运营日报")

    headers = _headers(live_server, "analyst1")
    saved = httpx.get(live_server + "/api/analytics/saved", headers=headers).json()
    assert [(a["name"], a["model"], a["range"]) for a in saved] == [
        ("每日登录", "trends", {"kind": "last_days", "days": 30})]

    # 分析看板 list → the new dashboard with one analysis → its widget draws the chart with the 7 logins.
    page.goto(live_server + "/monitor/dashboards")
    row = page.locator("[data-testid^='dash-row-']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("运营日报")
    page.get_by_test_id("dash-tab-saved").click()
    saved_row = page.locator("[data-testid^='saved-row-']")
    expect(saved_row).to_have_count(1)
    expect(saved_row).to_contain_text("每日登录")
    expect(saved_row).to_contain_text("最近 30 天")
    page.get_by_test_id("dash-tab-boards").click()
    row.get_by_role("link", name="运营日报").click()
    page.wait_for_url(lambda url: "/monitor/dashboards/" in url)
    widget = page.get_by_test_id("dash-widget")
    expect(widget).to_have_count(1)
    expect(widget.get_by_test_id("dash-widget-name")).to_have_text("每日登录")
    expect(widget.get_by_test_id("dash-widget-range")).to_contain_text("最近 30 天")
    widget.get_by_test_id("trends-chart").locator("canvas").wait_for()
    expect(widget.locator(".ant-table-row").first.locator("td").nth(1)).to_have_text("7")
    expect(widget.locator(".ant-alert-error")).to_have_count(0)

    # 打开 lands on the trends page with the saved query loaded and run.
    widget.get_by_test_id("dash-widget-open").click()
    page.wait_for_url(lambda url: "/analytics/trends?saved=" in url)
    expect(page.get_by_test_id("an-saved-name")).to_have_text("每日登录")
    page.get_by_test_id("trends-chart").locator("canvas").wait_for()
    expect(page.locator(".ant-table-row").first.locator("td").nth(1)).to_have_text("7")
    page.go_back()

    # Remove the widget: the dashboard is empty, in the page and on the server.
    page.get_by_test_id("dash-widget").get_by_test_id("dash-widget-remove").click()
    page.get_by_test_id("dash-widget-remove-ok").click()
    expect(page.get_by_test_id("dash-widget")).to_have_count(0)
    expect(page.get_by_test_id("dash-empty")).to_be_visible()
    boards = httpx.get(live_server + "/api/dashboards", headers=headers).json()
    assert [(b["name"], b["items"]) for b in boards] == [("运营日报", [])]


@pytest.mark.usefixtures("bank")
def test_csv_button_downloads_the_servers_export_and_the_export_is_audited(live_server: str, page, make_user) -> None:
    login_ui(page, live_server, "analyst1")
    _run_login_trend(page, live_server)

    with page.expect_download() as info:
        page.get_by_test_id("an-export-csv").click()
    download = info.value
    assert download.suggested_filename.startswith("trends_") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as f:  # the server writes a BOM so Excel reads Chinese
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0] == TRENDS_HEADER
    assert len(rows) == 1 + 30  # one line, one row per day of the last 30 days
    assert sum(float(r[5]) for r in rows[1:]) == 7

    admin = _headers(live_server, make_user("root", "admin", "HQ"))
    audit = httpx.get(live_server + "/api/admin/audit", params={"action": "analytics.export"}, headers=admin).json()
    assert [(e["username"], e["detail"]["model"], e["detail"]["rows"]) for e in audit["items"]] == [
        ("analyst1", "trends", 30)]


@pytest.mark.usefixtures("bank")
def test_a_metric_of_the_library_is_pinned_to_a_dashboard_as_its_daily_trend(live_server: str, page) -> None:
    headers = _headers(live_server, "analyst1")
    metric = httpx.post(live_server + "/api/monitor/metrics", headers=headers, json={
        "key": "daily_logins", "name": "每日登录次数", "definition": {"event": {"event": "login"}, "measure": "total"}})
    assert metric.status_code == 201, metric.text
    login_ui(page, live_server, "analyst1")
    page.goto(live_server + "/monitor/metrics")
    page.get_by_test_id(f"metric-pin-{metric.json()['id']}").click()
    expect(page.get_by_test_id("an-save-name")).to_have_value("每日登录次数 · 近30天趋势")
    page.get_by_test_id("an-save-dashboard").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title*='新建看板']").click()
    page.get_by_test_id("an-save-dashboard-name").fill("指标看板")
    page.get_by_test_id("an-save-ok").click()
    expect(page.get_by_test_id("an-saved")).to_contain_text("指标看板")

    saved = httpx.get(live_server + "/api/analytics/saved", headers=headers).json()
    assert [(a["model"], a["query"]["series"][0]["event"], a["range"]) for a in saved] == [
        ("trends", "login", {"kind": "last_days", "days": 30})]
    page.get_by_test_id("an-saved-open").click()
    widget = page.get_by_test_id("dash-widget")
    widget.get_by_test_id("trends-chart").locator("canvas").wait_for()
    expect(widget.locator(".ant-table-row").first.locator("td").nth(1)).to_have_text("7")  # the 7 logins in 30 days

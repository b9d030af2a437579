"""The console in a real browser: dashboards answer on open with their defaults (MAU/AUM, tag flows), and the
MAU/AUM dashboard marks a month only partly covered by data instead of showing it as comparable."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_aum_snapshots, add_customers
from mofang.insight.tags import tasks as tag_tasks

pytestmark = pytest.mark.browser

THIS_MONTH = date.today().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
TODAY = date(2026, 11, 20)
EARLIER = date(2026, 10, 20)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Three customers; AUM collection started on the 24th of last month and runs through its last day."""
    add_customers(platform, {"M1": {"name": "客户一", "org_code": "GD-SZ-001", "aum": 800_000.0},
                             "M2": {"name": "客户二", "org_code": "GD-GZ-001", "aum": 20_000.0},
                             "M3": {"name": "客户三", "org_code": "ZJ-HZ-001", "aum": 60_000.0}})
    add_aum_snapshots(platform, [
        ["M1", LAST_MONTH.replace(day=24), 300_000.0], ["M2", THIS_MONTH - timedelta(days=1), 200_000.0],
        ["M1", THIS_MONTH, 310_000.0]])
    make_user("hq_ops", "hq_operator", "HQ")


@pytest.mark.usefixtures("bank")
def test_mau_aum_answers_on_open_and_marks_the_partly_covered_month(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/monitor/mau-aum")
    # No click on 查询: the default six months are there.
    expect(page.get_by_test_id("mau-aum-chart")).to_be_visible()
    table = page.get_by_test_id("mau-aum-table")
    # Guangdong sums its Shenzhen and Guangzhou customers.
    expect(table.locator(f"tr[data-row-key='{LAST_MONTH:%Y-%m}-GD']")).to_contain_text("500,000")
    expect(table.get_by_test_id(f"mau-partial-{LAST_MONTH:%Y-%m}").first).to_have_text("部分月份")
    note = page.get_by_test_id("mau-partial-note")
    expect(note).to_contain_text(f"{LAST_MONTH:%Y-%m} · 部分月份：{LAST_MONTH.month}月24日起有数据")
    # The month before has no data at all: a gap, not a partial month.
    before = (LAST_MONTH - timedelta(days=1)).replace(day=1)
    expect(table.get_by_test_id(f"mau-partial-{before:%Y-%m}")).to_have_count(0)


@pytest.mark.usefixtures("bank")
def test_tag_flows_answer_on_open_over_the_tags_latest_two_days(live_server: str, page, platform) -> None:
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18)
    for day in (date(2026, 9, 1), EARLIER, TODAY):
        tag_tasks.run_daily(platform, day)
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/insight/flows")
    # No click on 分析: the default tag is compared between its last two run days.
    expect(page.get_by_test_id("flows-total")).to_have_attribute("data-total", "3")
    expect(page).to_have_url(f"{live_server}/insight/flows?tag=lifecycle_stage&start={EARLIER}&end={TODAY}")
    expect(page.locator(".ant-picker-range input").first).to_have_value(str(EARLIER))

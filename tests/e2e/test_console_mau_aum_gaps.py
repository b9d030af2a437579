"""The console in a real browser: on the MAU/AUM dashboard a month before any AUM snapshot shows no data (—),
not an AUM of 0, while months with snapshots show their sums."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_aum_snapshots, add_customers

pytestmark = pytest.mark.browser

THIS_MONTH = date.today().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
EARLIER = (LAST_MONTH - timedelta(days=1)).replace(day=1)  # inside the page's default six months, no snapshot


@pytest.fixture
def bank(platform, make_user) -> None:
    """Two Shenzhen customers with AUM snapshots from last month on; none before."""
    add_customers(platform, {"M1": {"name": "客户一", "org_code": "GD-SZ-001"},
                             "M2": {"name": "客户二", "org_code": "GD-SZ-001"}})
    add_aum_snapshots(platform, [
        ["M1", LAST_MONTH.replace(day=15), 300_000.0], ["M2", LAST_MONTH.replace(day=20), 200_000.0],
        ["M1", THIS_MONTH, 310_000.0]])
    make_user("hq_ops", "hq_operator", "HQ")


def test_a_month_without_snapshots_shows_no_data_not_zero(live_server: str, page, bank) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/monitor/mau-aum")
    page.get_by_test_id("mau-run").click()
    expect(page.get_by_test_id("mau-aum-chart")).to_be_visible()
    table = page.get_by_test_id("mau-aum-table")
    last = table.locator(f"tr[data-row-key='{LAST_MONTH:%Y-%m}-GD']")
    expect(last).to_contain_text("500,000")
    earlier = table.locator(f"tr[data-row-key='{EARLIER:%Y-%m}-GD']")
    expect(earlier).to_be_visible()
    cells = earlier.locator("td")
    expect(cells.nth(5)).to_have_text("—")  # the AUM column: no data, not ¥0
    expect(cells.nth(2)).to_have_text("2")  # the customers are still counted

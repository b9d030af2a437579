"""The console in a real browser: 分析人群 lets a head-office analyst include unidentified users; a branch
analyst is not offered it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import add_customers, events_for

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user) -> None:
    """Two customers log in and view a product; `app_only` (no customer of the bank) does too."""
    at = (datetime.now() - timedelta(days=3)).replace(hour=4, minute=0, second=0, microsecond=0)
    add_customers(platform, {"G1": {"name": "广一", "org_code": "GD-SZ-001"},
                             "G2": {"name": "广二", "org_code": "GD-SZ-001"}})
    steps = [("login", at, {}), ("product_view", at + timedelta(minutes=5), {})]
    events_for(platform, {"G1": steps, "G2": steps[:1], "app_only": steps})
    make_user("ana", "analyst", "HQ")
    make_user("gd", "analyst", "GD")


def choose(page, test_id: str, label: str) -> None:
    """Open a plain select and click the option with this label."""
    page.get_by_test_id(test_id).click()
    page.locator(f".ant-select-dropdown:visible .ant-select-item-option[title='{label}']").click()


@pytest.mark.usefixtures("bank")
def test_head_office_counts_unidentified_users_only_when_asked(live_server: str, page, tmp_path) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "ana")
    page.goto(live_server + "/analytics/funnel")
    pick(page, "funnel-step-0", "login")
    pick(page, "funnel-step-1", "product_view")
    expect(page.get_by_test_id("an-population")).to_contain_text("已识别客户")
    with page.expect_request(lambda r: r.url.endswith("/api/analytics/funnel") and r.method == "POST") as sent:
        page.get_by_test_id("funnel-run").click()
    assert "population" not in sent.value.post_data_json
    expect(page.get_by_test_id("funnel-count-0")).to_have_text("2")

    choose(page, "an-population", "全部用户")
    with page.expect_request(lambda r: r.url.endswith("/api/analytics/funnel") and r.method == "POST") as sent:
        page.get_by_test_id("funnel-run").click()
    assert sent.value.post_data_json["population"] == "all_users"
    expect(page.get_by_test_id("funnel-count-0")).to_have_text("3")
    expect(page.get_by_test_id("funnel-count-1")).to_have_text("2")
    page.screenshot(path=str(tmp_path / "population.png"))


@pytest.mark.usefixtures("bank")
def test_a_branch_analyst_is_not_offered_all_users(live_server: str, page) -> None:
    login_ui(page, live_server, "gd")
    page.goto(live_server + "/analytics/funnel")
    expect(page.get_by_test_id("an-customers")).to_be_visible()
    expect(page.get_by_test_id("an-population")).to_have_count(0)

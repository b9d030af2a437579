"""The console in a real browser: query inputs carry their visible label as accessible name (screen readers,
voice control), without any change to what sighted users see."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ui import login_ui

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user) -> str:
    """A head-office administrator."""
    return make_user("admin_a11y", "admin", "HQ")


def test_analysis_and_monitor_inputs_are_named_by_their_labels(live_server: str, page, admin: str) -> None:
    login_ui(page, live_server, admin)
    page.goto(live_server + "/analytics/trends")
    expect(page.get_by_role("combobox", name="粒度", exact=True)).to_be_visible()
    # A field holding several controls is a named group.
    expect(page.get_by_role("group", name="分组", exact=True)).to_be_visible()
    # Clicking the label moves focus to its control, as with any form label.
    page.locator("label", has_text="粒度").click()
    expect(page.get_by_role("combobox", name="粒度", exact=True)).to_be_focused()

    page.goto(live_server + "/monitor/mau-aum")
    expect(page.get_by_role("textbox", name="月份", exact=True)).to_be_visible()

    page.goto(live_server + "/monitor/alerts")
    expect(page.get_by_role("combobox", name="按级别筛选", exact=True)).to_be_visible()

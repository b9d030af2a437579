"""The 360 page in a browser: birth date as the year and event PII masked until an audited unmask."""

from __future__ import annotations

from datetime import datetime

import pytest
from ui import login_ui

from factories import add_customers, events_for

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user) -> None:
    """C100 born 1990-05-17, with an event carrying a mobile number; an admin."""
    add_customers(platform, {"C100": {"name": "张小明", "org_code": "GD-SZ-001", "phone": "13811112222"}})
    events_for(platform, {"C100": [("contact_update", datetime(2026, 11, 20, 9), {"mobile": "13966667777"})]})
    make_user("admin1", "admin", "HQ")


@pytest.mark.usefixtures("bank")
def test_birth_date_and_event_pii_stay_masked_until_unmasked(live_server: str, page) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/insight/customers/C100")
    profile = page.get_by_test_id("customer-profile")
    profile.wait_for()
    page.get_by_text("139****7777").first.wait_for()
    assert "1990 年（月日已脱敏）" in profile.inner_text()
    assert "1990-05-17" not in page.content() and "13966667777" not in page.content()

    page.get_by_test_id("unmask-pii").click()
    page.locator(".ant-modal-confirm .ant-btn-primary").click()
    page.get_by_text("1990-05-17").first.wait_for()
    page.get_by_text("13966667777").first.wait_for()

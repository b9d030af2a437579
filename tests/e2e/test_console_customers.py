"""The console in a real browser: log in, search a customer, open the 360; scope holds in UI and API."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from ui import login_ui

from factories import PASSWORD, add_customers, add_products_and_holdings, add_rms, events_for

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user) -> None:
    """Customers in Shenzhen and Hangzhou, an admin and a Shenzhen branch operator."""
    add_rms(platform, {"RM-SZ-01": ("王经理", "GD-SZ-001")})
    add_customers(platform, {
        "C100": {"name": "张小明", "org_code": "GD-SZ-001", "rm_id": "RM-SZ-01", "aum": 650_000.0,
                 "phone": "13811112222", "tier": "财富"},
        "C200": {"name": "欧阳娜娜", "org_code": "ZJ-HZ-001", "aum": 9_000_000.0, "phone": "13533334444",
                 "tier": "私行"},
    })
    add_products_and_holdings(platform, "C100", [("P-FUND-1", "魔方优选混合基金A", "基金", 150_000.0),
                                                 ("P-DEP-1", "魔方活期", "活期", 500_000.0)])
    events_for(platform, {"C100": [("login", datetime(2026, 11, 20, 9), {}),
                                   ("fund_purchase", datetime(2026, 11, 20, 9, 7), {"amount": 5000})]})
    make_user("admin1", "admin", "HQ")
    make_user("sz_ops", "branch_operator", "GD-SZ")




@pytest.mark.usefixtures("bank")
def test_admin_searches_a_customer_and_opens_the_360(live_server: str, page) -> None:
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/insight/customers")
    page.get_by_test_id("customer-search").fill("欧阳")
    page.get_by_test_id("customer-search").press("Enter")
    row = page.get_by_test_id("customer-row-C200")
    row.wait_for()
    assert page.get_by_test_id("customer-row-C100").count() == 0
    assert "欧***" in row.inner_text()
    row.get_by_role("link", name="C200").click()
    page.wait_for_url(re.compile(r"/insight/customers/C200$"))
    profile = page.get_by_test_id("customer-profile")
    profile.wait_for()
    text = profile.inner_text()
    assert "欧***" in text and "135****4444" in text and "私行" in text
    assert "欧阳娜娜" not in page.content()


@pytest.mark.usefixtures("bank")
def test_360_shows_holdings_and_behaviour(live_server: str, page) -> None:
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/insight/customers/C100")
    page.get_by_test_id("customer-profile").wait_for()
    page.get_by_text("魔方优选混合基金A").first.wait_for()
    page.get_by_text("购买基金").first.wait_for()


@pytest.mark.usefixtures("bank")
def test_branch_operator_cannot_open_another_branchs_customer(live_server: str, page) -> None:
    login_ui(page, live_server, "sz_ops")
    page.goto(live_server + "/insight/customers")
    page.get_by_test_id("customer-row-C100").wait_for()
    assert page.get_by_test_id("customer-row-C200").count() == 0
    page.goto(live_server + "/insight/customers/C200")
    page.get_by_test_id("customer-forbidden").wait_for()
    assert "欧" not in page.get_by_test_id("customer-forbidden").inner_text()

    token = httpx.post(live_server + "/api/auth/login", json={"username": "sz_ops", "password": PASSWORD}).json()
    res = httpx.get(live_server + "/api/customers/C200", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert res.status_code == 404


@pytest.mark.usefixtures("bank")
def test_console_is_chinese_first_with_an_english_switch(live_server: str, page) -> None:
    login_ui(page, live_server, "admin1")
    page.get_by_text("客户洞察").first.wait_for()
    page.get_by_text("运营监控").first.wait_for()
    page.get_by_test_id("lang-switch").click()
    page.get_by_text("Customer insight").first.wait_for()

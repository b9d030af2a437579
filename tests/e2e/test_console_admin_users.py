"""The console in a real browser: an admin edits a user's org (their data scope follows) and resets a password."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD, add_customers

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Shenzhen#2026"


@pytest.fixture
def bank(platform, make_user) -> None:
    """Guangdong customers in Shenzhen and Guangzhou, one in Hangzhou; an admin and a Guangdong operator."""
    add_customers(platform, {
        "S1": {"name": "深圳客户", "org_code": "GD-SZ-001", "aum": 100_000.0},
        "G1": {"name": "广州客户", "org_code": "GD-GZ-001", "aum": 200_000.0},
        "Z1": {"name": "杭州客户", "org_code": "ZJ-HZ-001", "aum": 300_000.0},
    })
    make_user("admin1", "admin", "HQ")
    make_user("gd_ops", "branch_operator", "GD")


def switch_user(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log out and log in as someone else."""
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login" in url)
    login_ui(page, base, username, password)


def customers_seen(page, base: str) -> set[str]:
    """Customer ids on the customer list of whoever is logged in."""
    page.goto(base + "/insight/customers")
    rows = page.locator("[data-testid^='customer-row-']")
    rows.first.wait_for()
    return {rows.nth(i).get_attribute("data-testid").removeprefix("customer-row-") for i in range(rows.count())}


@pytest.mark.usefixtures("bank")
def test_admin_moves_a_user_to_shenzhen_and_they_see_only_shenzhen_customers(live_server: str, page) -> None:
    login_ui(page, live_server, "gd_ops")
    assert customers_seen(page, live_server) == {"S1", "G1"}

    switch_user(page, live_server, "admin1")
    page.goto(live_server + "/admin/users")
    page.get_by_test_id("user-edit-gd_ops").click()
    modal = page.locator(".ant-modal:visible")
    expect(modal.get_by_test_id("user-edit-display-name")).to_have_value("gd_ops")
    modal.get_by_test_id("org-tree-select").click()
    page.keyboard.type("深圳市分行")
    tree = page.locator(".ant-select-dropdown:visible")
    tree.locator(".ant-select-tree-node-content-wrapper[title='深圳市分行 (GD-SZ)']").click()
    modal.get_by_test_id("user-edit-display-name").fill("广东运营（深圳）")
    page.get_by_test_id("user-edit-ok").click()
    expect(page.locator(".ant-modal:visible")).to_have_count(0)
    row = page.locator("tr", has=page.get_by_test_id("user-edit-gd_ops"))
    expect(row).to_contain_text("深圳市分行")
    expect(row).to_contain_text("广东运营（深圳）")

    switch_user(page, live_server, "gd_ops")
    assert customers_seen(page, live_server) == {"S1"}


@pytest.mark.usefixtures("bank")
def test_admin_resets_a_password_and_only_the_new_one_works(live_server: str, page) -> None:
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/admin/users")
    page.get_by_test_id("user-reset-password-gd_ops").click()
    page.get_by_test_id("user-password-new").fill("short")
    page.get_by_test_id("user-password-confirm").fill("short")
    page.get_by_test_id("user-password-ok").click()
    expect(page.get_by_text("密码至少 10 位")).to_be_visible()
    page.get_by_test_id("user-password-new").fill(NEW_PASSWORD)
    page.get_by_test_id("user-password-confirm").fill(NEW_PASSWORD + "x")
    page.get_by_test_id("user-password-ok").click()
    expect(page.get_by_text("两次输入的密码不一致")).to_be_visible()
    page.get_by_test_id("user-password-confirm").fill(NEW_PASSWORD)
    page.get_by_test_id("user-password-ok").click()
    expect(page.locator(".ant-modal:visible")).to_have_count(0)

    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login" in url)
    page.get_by_test_id("login-username").fill("gd_ops")
    page.get_by_test_id("login-password").fill(PASSWORD)  # the old password no longer opens the console
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    login_ui(page, live_server, "gd_ops", NEW_PASSWORD)
    assert customers_seen(page, live_server) == {"S1", "G1"}


@pytest.mark.usefixtures("bank")
def test_the_last_admin_cannot_demote_themselves(live_server: str, page) -> None:
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/admin/users")
    page.get_by_test_id("user-edit-admin1").click()
    page.get_by_test_id("user-edit-role").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title*='analyst']").click()
    page.get_by_test_id("user-edit-ok").click()
    expect(page.get_by_test_id("user-edit-error")).to_contain_text("至少需要保留一名启用状态的系统管理员")
    page.locator(".ant-modal:visible").get_by_role("button", name="取 消").click()
    row = page.locator("tr", has=page.get_by_test_id("user-edit-admin1"))
    expect(row).to_contain_text("系统管理员")

"""The console's session in a real browser: a reload keeps it, logout ends it on the server, no token is stored."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD

pytestmark = pytest.mark.browser


def _bearer_of_next_api_call(page, action) -> str:
    """The Authorization header the console sends with the first /api/me after `action`."""
    with page.expect_request(lambda r: r.url.endswith("/api/me")) as req:
        action()
    return req.value.headers["authorization"]


def test_reload_keeps_the_session_and_logout_revokes_the_token(live_server: str, page, make_user) -> None:
    make_user("ops1", "hq_operator", "HQ")
    bearer = _bearer_of_next_api_call(page, lambda: login_ui(page, live_server, "ops1"))
    expect(page.get_by_test_id("current-user")).to_contain_text("ops1")
    assert httpx.get(live_server + "/api/me", headers={"Authorization": bearer}).status_code == 200
    # Nothing a script could steal is kept in storage, and the refresh cookie is out of the page's reach.
    assert page.evaluate("Object.keys(window.localStorage).filter(k => k.includes('token'))") == []
    assert "mofang_refresh" not in page.evaluate("document.cookie")

    page.reload()
    expect(page.get_by_test_id("current-user")).to_contain_text("ops1")
    assert "/login" not in page.url

    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login" in url)
    assert httpx.get(live_server + "/api/me", headers={"Authorization": bearer}).status_code == 401
    # After logout a reload does not bring the session back.
    page.goto(live_server + "/")
    page.wait_for_url(lambda url: "/login" in url)
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def test_the_console_runs_under_its_content_security_policy(live_server: str, page, make_user, platform) -> None:
    from factories import add_customers

    add_customers(platform, {"S1": {"name": "深圳客户", "org_code": "GD-SZ-001", "aum": 100_000.0}})
    make_user("boss", "admin", "HQ")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login_ui(page, live_server, "boss")
    for path, ready in (("/", ".mf-header"), ("/monitor/mau-aum", "canvas"), ("/insight/customers",
                                                                                 "[data-testid^='customer-row-']")):
        page.goto(live_server + path)
        page.locator(ready).first.wait_for()
    assert violations == []


def test_a_user_changes_their_own_password_from_the_header(live_server: str, page, make_user) -> None:
    make_user("ops2", "hq_operator", "HQ")
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "ops2")
    page.get_by_test_id("change-password").click()
    page.get_by_test_id("change-password-current").fill("not-my-password")
    page.get_by_test_id("change-password-new").fill("Harbour#Light2026")
    page.get_by_test_id("change-password-confirm").fill("Harbour#Light2026")
    page.get_by_test_id("change-password-ok").click()
    expect(page.locator(".ant-form-item-explain-error")).to_have_count(1)
    page.screenshot(path="/tmp/authwork/change-password.png")
    page.get_by_test_id("change-password-current").fill(PASSWORD)
    page.get_by_test_id("change-password-ok").click()
    expect(page.locator(".ant-modal:visible")).to_have_count(0)
    assert "/login" not in page.url  # this login stays
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login" in url)
    login_ui(page, live_server, "ops2", "Harbour#Light2026")
    expect(page.get_by_test_id("current-user")).to_contain_text("ops2")

"""An administrator allow-lists a host on the bank network for webhooks in the console, and takes it off again."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_allow_lists_a_host_and_webhooks_to_it_are_then_accepted(live_server: str, page, make_user) -> None:
    make_user("boss", "admin", "HQ")
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "boss")
    page.goto(live_server + "/admin/keys")
    page.get_by_test_id("outbound-host").fill("http://10.0.0.5/hook")
    page.get_by_test_id("outbound-add").click()
    expect(page.locator(".ant-form-item-explain-error")).to_be_visible()  # a host, not a URL
    page.get_by_test_id("outbound-host").fill("10.0.0.5")
    page.get_by_test_id("outbound-add").click()
    expect(page.get_by_test_id("outbound-remove-10.0.0.5")).to_be_visible()
    page.get_by_test_id("outbound-remove-10.0.0.5").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/authwork/outbound.png")

    token = httpx.post(live_server + "/api/auth/login", json={"username": "boss", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    hosts = httpx.get(live_server + "/api/admin/outbound-hosts", headers=headers).json()["items"]
    assert [(h["host"], h["created_by"]) for h in hosts] == [("10.0.0.5", "boss")]

    page.get_by_test_id("outbound-remove-10.0.0.5").click()
    page.locator(".ant-popconfirm .ant-btn-primary").click()
    expect(page.get_by_test_id("outbound-remove-10.0.0.5")).to_have_count(0)
    assert httpx.get(live_server + "/api/admin/outbound-hosts", headers=headers).json()["items"] == []

"""Console actions shared by the browser tests, and the live server they drive."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from factories import PASSWORD
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from servers import free_port, served


def skip_or_fail(reason: str) -> None:
    """Skip with a reason on a developer machine; fail in CI, which must run everything."""
    if os.environ.get("MOFANG_TEST_REQUIRE_ALL"):
        pytest.fail(reason)
    pytest.skip(reason)


def require_console(settings: Settings) -> None:
    """Skip (fail in CI) when the console is not built: the app serves web/dist."""
    if not (settings.console_dir / "index.html").is_file():
        skip_or_fail("the console is not built (run `make web`)")


@contextmanager
def serve(settings: Settings, platform: Platform, *, console: bool = True, public: bool = False) -> Iterator[str]:
    """The app with its lifespan (engine, pumps) on a free port; yields its base URL (`console=False`: pages of the
    API alone, the console build not needed; `public=True`: the app's public URL is this server, so sandbox gateways
    and links reach it — off by default: the demo-bank walks are not written for a server whose sandbox channels
    really send while they browse)."""
    if console:
        require_console(settings)
    port = free_port()
    if public:
        settings.port = port
    with served(settings, platform, port=port) as url:
        yield url


def login_ui(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form."""
    page.goto(base + "/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def pick(page, test_id: str, text: str, *, close: bool = False) -> None:
    """Choose an option of a searchable select by typing and pressing Enter (Escape closes a multi-select)."""
    page.get_by_test_id(test_id).click()
    page.keyboard.type(text)
    page.locator(f".ant-select-dropdown:visible .ant-select-item-option-active[title*='{text}']").wait_for()
    page.keyboard.press("Enter")
    if close:
        page.keyboard.press("Escape")


def fill_number(page, test_id: str, value: str) -> None:
    """Type into an antd number input (the test id may sit on its wrapper or on the input itself)."""
    page.locator(f"[data-testid='{test_id}']").locator("xpath=descendant-or-self::input").first.fill(value)


def select_node(page, node_id: str) -> None:
    """Click a strategy canvas node's summary; its side panel opens."""
    page.get_by_test_id(f"node-{node_id}").locator(".mf-node-summary").click()
    expect(page.get_by_test_id("node-panel")).to_contain_text(node_id)

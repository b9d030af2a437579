"""Console actions shared by the browser tests."""

from __future__ import annotations

from factories import PASSWORD


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

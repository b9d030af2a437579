"""A zh-CN walk through every menu entry at 1366x768, as the demo bank's admin and as a branch operator: each page
opens at its top, is not blank, and shows no English UI text outside data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import expect
from ui import login_ui, require_console, serve

from mofang.demo.directory import DEMO_PASSWORD
from mofang.demo.insights import prepare_insights
from mofang.demo.service import generate_bank
from mofang.demo.showcase import prepare_monitoring, prepare_showcase
from mofang.platform.context import open_platform
from mofang.platform.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# English a zh-CN page may show: established abbreviations and names used untranslated in Chinese banking
# software (file formats and character encodings among them), and the protocol words of the ingestion
# instructions on the write-key page.
ALLOWED = {
    "AUM", "MAU", "DAU", "RFM", "LTV", "CSV", "KPI", "ROI", "MGM", "SQL", "JSON", "Excel",
    "JSONL", "Parquet", "UTF", "GBK",
    "App", "ATM", "POS", "Webhook", "SMTP", "API", "SDK", "URL", "HTTP", "HTTPS", "POST", "Basic", "Segment",
    "Bearer", "UTC",
}
# Table columns whose cells are data: user names (the demo's `admin`, `analyst`, …) are logins, not UI words.
DATA_COLUMNS = ("用户", "用户名", "创建人", "操作人")
URL = re.compile(r"https?://\S+|/v1/\w+")
WORD = re.compile(r"[A-Za-z]{3,}")

# Visible text nodes of the page area and the menu, each with the header of its table column (if in a table).
# Skipped as data: anything marked `data-i18n-data`, monospace identifiers (`.mf-mono`: ids, org codes, keys)
# and preformatted blocks.
VISIBLE_TEXT = r"""
() => {
  const out = [];
  for (const root of [document.querySelector('[data-testid=page-content]'), document.querySelector('.mf-sider')]) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('[data-i18n-data], .mf-mono, pre, script, style')) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
      const td = el.closest('td');
      let column = null;
      if (td) {
        const table = td.closest('.ant-table');
        const th = table ? table.querySelectorAll('thead th')[td.cellIndex] : null;
        column = th ? th.innerText.trim() : '';
      }
      out.push({ text, column });
    }
  }
  return out;
}
"""


def english_words(texts: list[dict]) -> set[str]:
    """English words of 3+ letters in UI text (data columns, URLs and allowed abbreviations left out)."""
    found: set[str] = set()
    for item in texts:
        if item["column"] is not None and any(col in item["column"] for col in DATA_COLUMNS):
            continue
        found |= {w for w in WORD.findall(URL.sub(" ", item["text"])) if w not in ALLOWED}
    return found


@pytest.fixture(scope="module")
def demo_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small demo bank (users, segments, metrics, alerts, dashboard) served on a free port."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("walk") / "data", scheduler=False)
    require_console(settings)
    platform = open_platform(settings)
    end = date.today()
    generate_bank(platform=platform, customers=60, days=14, seed=7, end_date=end)
    prepare_insights(platform=platform, end=end)
    prepare_showcase(platform=platform, end=end)
    prepare_monitoring(platform=platform, end=end)
    with serve(settings, platform) as url:
        yield url
    platform.close()


@pytest.fixture
def small_screen(browser) -> Iterator[object]:
    """A 1366x768 zh-CN page."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def open_every_submenu(page) -> None:
    """Unfold every group of the menu (once the menu has settled on the current page)."""
    menu = page.get_by_test_id("side-menu")
    expect(menu.locator(".ant-menu-item-selected")).to_be_visible()
    closed = menu.locator(".ant-menu-submenu:not(.ant-menu-submenu-open) > .ant-menu-submenu-title")
    while closed.count():
        closed.first.click()
        page.wait_for_timeout(300)


def walk(page, base: str, username: str) -> dict[str, str]:
    """Log in and open every menu entry from the rendered menu; returns the problems found, by entry."""
    login_ui(page, base, username, DEMO_PASSWORD)
    menu = page.get_by_test_id("side-menu")
    open_every_submenu(page)
    entries = menu.locator(".ant-menu-item").evaluate_all(
        "els => els.map(e => [e.getAttribute('data-menu-id'), e.innerText.trim()])")
    assert len(entries) >= 8, entries
    problems: dict[str, str] = {}
    content = page.get_by_test_id("page-content")
    for menu_id, label in entries:
        # Leave the previous page scrolled to its bottom: the next one must still open at its top.
        content.evaluate("el => { el.scrollTo(0, el.scrollHeight); window.scrollTo(0, document.body.scrollHeight); }")
        menu.locator(f".ant-menu-item[data-menu-id='{menu_id}']").click()
        # The layout names the page it shows once the page is rendered (route changes wait for its code).
        path = menu_id[menu_id.index("/"):]
        page.wait_for_function(
            "p => (document.querySelector('[data-testid=page-content]').dataset.path || '').startsWith(p)", arg=path)
        page.wait_for_load_state("networkidle")
        expect(content.locator(".mf-page-loading")).to_have_count(0)
        page.wait_for_timeout(300)
        offsets = page.evaluate(
            "() => [document.querySelector('[data-testid=page-content]').scrollTop, window.scrollY]")
        body = content.inner_text().strip()
        texts = page.evaluate(VISIBLE_TEXT)
        english = english_words(texts)
        found = []
        if offsets != [0, 0]:
            found.append(f"opened scrolled to {offsets}")
        if len(body) < 20:
            found.append(f"blank page: {body!r}")
        if english:
            found.append(f"English UI text: {sorted(english)}")
        if found:
            problems[f"{label} ({page.url})"] = "; ".join(found)
    return problems


def test_admin_walks_every_menu_entry_in_chinese_at_1366(demo_bank: str, small_screen) -> None:
    assert walk(small_screen, demo_bank, "admin") == {}


def test_branch_operator_walks_every_menu_entry_without_blank_pages(demo_bank: str, small_screen) -> None:
    assert walk(small_screen, demo_bank, "sz_ops") == {}


def test_menu_scrolls_on_its_own_under_a_fixed_header(demo_bank: str, small_screen) -> None:
    page = small_screen
    login_ui(page, demo_bank, "admin", DEMO_PASSWORD)
    page.goto(demo_bank + "/admin/audit")
    menu = page.get_by_test_id("side-menu")
    expect(menu.locator(".ant-menu-item-selected")).to_have_text("审计日志")
    open_every_submenu(page)
    scroller = page.locator(".mf-sider .ant-layout-sider-children")
    # Every submenu open: the menu is taller than the screen and scrolls inside the sider, not the window.
    assert scroller.evaluate("el => el.scrollHeight > el.clientHeight")
    scroller.evaluate("el => el.scrollTo(0, el.scrollHeight)")
    assert scroller.evaluate("el => el.scrollTop") > 0
    assert page.evaluate("() => window.scrollY") == 0
    expect(page.locator(".mf-header")).to_be_in_viewport()
    menu.get_by_text("预警", exact=True).click()
    page.wait_for_url("**/monitor/alerts")
    expect(page.get_by_test_id("page-content")).to_contain_text("预警")


def test_server_messages_show_in_chinese(demo_bank: str, small_screen) -> None:
    page = small_screen
    page.goto(demo_bank + "/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    expect(page.get_by_test_id("login-error")).not_to_contain_text("wrong")

"""The demo bank's strategy centre on first visit (1366x768, zh-CN): three running strategies with entries, node
counts on a monitoring canvas, sandbox deliveries in 触达执行, and the 策略旅程 card of a customer's 360 page."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from ui import login_ui, require_console, serve

from mofang.demo.directory import DEMO_PASSWORD
from mofang.demo.identities import prepare_identities
from mofang.demo.insights import prepare_insights
from mofang.demo.service import generate_bank
from mofang.demo.showcase import prepare_monitoring, prepare_showcase
from mofang.demo.showcase_journeys import DORMANT, FUND, NEW, prepare_journeys
from mofang.platform.context import open_platform
from mofang.platform.settings import Settings
from mofang.strategy.engine.repository import EngineInstance

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = os.environ.get("MOFANG_SCREENSHOTS", "/tmp")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A small seeded demo bank (strategies and their simulated week included) served on a free port; yields
    the base URL and a customer who is in a journey."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("journeydemo") / "data", scheduler=False,
                        demo_simulator=False)
    require_console(settings)
    platform = open_platform(settings)
    now = datetime.now(UTC)
    end = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    generate_bank(platform=platform, customers=800, days=75, seed=11, end_date=end)
    prepare_insights(platform=platform, end=end)
    prepare_showcase(platform=platform, end=end)
    prepare_identities(platform=platform, seed=11)
    prepare_journeys(platform=platform, now=now)
    prepare_monitoring(platform=platform, end=end)
    with platform.metadata.session() as session:
        customer = session.query(EngineInstance.customer_id).filter(EngineInstance.holdout.is_(False)).first()[0]
    with serve(settings, platform) as url:
        yield url, customer
    platform.close()


@pytest.fixture
def small_screen(browser) -> Iterator[object]:
    """A 1366x768 zh-CN page."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def test_first_visit_shows_the_strategies_at_work(demo: tuple[str, str], small_screen) -> None:
    base, customer = demo
    page = small_screen
    login_ui(page, base, "hq_ops", DEMO_PASSWORD)

    page.goto(base + "/strategy/list")
    table = page.get_by_test_id("strategy-table")
    ids: dict[str, str] = {}
    for name in (NEW, FUND, DORMANT):
        row = table.locator("tr", has_text=name)
        expect(row).to_contain_text("运行中")
        counts = row.locator("[data-testid^=strategy-today-]")
        page.wait_for_timeout(0)
        try:
            expect(counts).to_have_text(re.compile(r"^\s*[1-9][\d,]*\s*/"))  # entered > 0 (then converted)
        except AssertionError:
            page.screenshot(path=f"{SHOTS}/journey_demo_list_failed.png")
            raise
        ids[name] = (row.locator("[data-testid^=strategy-link-]").get_attribute("data-testid") or "").rsplit("-", 1)[1]
    page.screenshot(path=f"{SHOTS}/journey_demo_list.png")

    page.goto(f"{base}/strategy/{ids[FUND]}/monitor")
    expect(page.get_by_test_id("strategy-canvas")).to_be_visible()
    for node in ("ab", "push_a", "push_b"):
        stats = page.get_by_test_id(f"node-stats-{node}")
        expect(stats).to_be_visible()
        expect(stats).to_contain_text("进入")
    page.screenshot(path=f"{SHOTS}/journey_demo_monitor.png")

    page.goto(base + "/reach")
    log = page.get_by_test_id("reach-log")
    expect(log).to_contain_text("App 推送")
    expect(log).to_contain_text("已受理")
    page.screenshot(path=f"{SHOTS}/journey_demo_reach.png")

    page.goto(f"{base}/insight/customers/{customer}")
    card = page.get_by_test_id("journeys-card")
    expect(card).to_contain_text("策略旅程")
    expect(card.get_by_test_id("journey-item").first).to_be_visible()
    expect(card.get_by_test_id("journey-delivery").first).to_be_visible()
    card.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/journey_demo_360.png")

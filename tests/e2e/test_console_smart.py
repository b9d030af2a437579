"""The canvas side panel of the smart nodes in a real browser: 高潜筛选 shows its model's held-out AUC and trains it;
最佳时机 says how many customers have a known best hour."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers, events_for
from mofang.insight import ml, profiles
from mofang.insight.ml.service import SYSTEM
from mofang.platform.context import Platform
from mofang.strategy import canvas
from mofang.strategy.canvas.contracts import Graph

pytestmark = pytest.mark.browser
END = date(2026, 11, 20)
START = END - timedelta(days=99)


@pytest.fixture
def strategy(platform: Platform, make_user) -> int:
    """200 customers whose age decides fund purchases, a trained model, best hours, and a draft using both nodes."""
    make_user("hq_smart", "hq_operator", "HQ")
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    rng = random.Random(3)
    people, events = {}, {}
    for i in range(200):
        cid, age = f"S{i:03d}", 20 + i % 40
        people[cid] = {"name": f"客户{i}", "org_code": "GD-SZ-001", "birth_date": date(END.year - age - 1, 6, 1),
                       "open_date": date(2020, 1, 1)}
        items = [("login", datetime(2026, 9, 1 + i % 28, 1 + i % 12), {}) for _ in range(3)]
        for month in range(3):
            if rng.random() < (0.7 if age < 30 else 0.05):
                d = START + timedelta(days=month * 33 + rng.randrange(30))
                items.append(("fund_purchase", datetime(d.year, d.month, d.day, 3), {}))
        events[cid] = items
    add_customers(platform, people)
    events_for(platform, events)
    profiles.refresh_profiles(platform=platform)
    profiles.refresh_best_hours(platform=platform, day=END)
    ml.train_propensity(platform=platform, event="fund_purchase")
    graph = Graph.model_validate({"nodes": [
        {"id": "in", "type": "api_entry", "position": {"x": 40, "y": 200}},
        {"id": "p", "type": "propensity", "target_event": "fund_purchase", "top_percent": 20,
         "position": {"x": 320, "y": 200}},
        {"id": "bt", "type": "best_time", "position": {"x": 600, "y": 80}},
        {"id": "hot", "type": "exit", "position": {"x": 880, "y": 80}},
        {"id": "cold", "type": "exit", "position": {"x": 600, "y": 360}}],
        "edges": [{"source": "in", "target": "p"}, {"source": "p", "target": "bt", "label": "high"},
                  {"source": "bt", "target": "hot"}, {"source": "p", "target": "cold", "label": "else"}]})
    with platform.metadata.session() as session:
        return canvas.create_strategy(session=session, who=SYSTEM, name="高潜基金客户", description="", graph=graph)


def test_side_panel_shows_the_model_and_trains_it(live_server: str, browser, strategy: int) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        login_ui(page, live_server, "hq_smart")
        page.goto(f"{live_server}/strategy/{strategy}")
        page.get_by_test_id("node-p").locator(".mf-node-summary").click()
        panel = page.get_by_test_id("smart-propensity")
        expect(panel).to_contain_text("高潜模型")
        expect(page.get_by_test_id("smart-auc")).to_have_text(re.compile(r"^0\.\d{3}$"))
        assert float(page.get_by_test_id("smart-auc").inner_text()) > 0.7
        expect(panel).to_contain_text("200 / 200")
        page.get_by_test_id("smart-train").click()
        expect(page.get_by_text("模型已训练，客户已重新评分")).to_be_visible()

        page.get_by_test_id("node-bt").locator(".mf-node-summary").click()
        expect(page.get_by_test_id("smart-best-time")).to_contain_text("200 位客户中，200 位已有最佳触达时段")
    finally:
        context.close()

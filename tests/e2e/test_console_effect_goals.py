"""The console in a real browser: the effect page shows a stated target against what was achieved and the
attribution rule in words (switching the rule changes the credit); the MAU/AUM dashboard labels the campaigns'
incremental part as an estimate."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers, events_for
from mofang.monitor.effects import goals, service
from mofang.monitor.effects.contracts import GoalCreate
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of
from monitor.effects.world import NOW, build

pytestmark = pytest.mark.browser


@pytest.fixture
def world(platform, make_user):
    """Strategy 1 (goal: loan_applied) with a lift target; two strategies' touches before two conversions."""
    build(platform, n=800, seed=71, days=4, goal_event="loan_applied")
    platform.extras["clock"] = lambda: NOW
    owner = Principal(user_id=1, username="owner", display_name="o", role="admin", org_code="HQ", rm_id=None,
                      permissions=permissions_of("admin"), scope=Scope(kind="all"))
    goals.create_goal(platform=platform, who=owner, data=GoalCreate(
        strategy_ids=[1], metric="conversion_lift_pct", target=25.0, period_from=date(2026, 3, 1),
        period_to=date(2026, 3, 31), name="贷款申请转化率提升25%"))
    add_customers(platform, {"X1": {"name": "客户", "org_code": "GD-GZ-001"},
                             "X2": {"name": "客户", "org_code": "GD-GZ-001"}})
    touch = datetime(2026, 4, 10, 2)
    events_for(platform, {
        "X1": [("message_delivered", touch, {"strategy_id": 1}),
               ("message_clicked", touch.replace(hour=3), {"strategy_id": 2}),
               ("loan_applied", touch.replace(hour=4), {})],
        "X2": [("message_delivered", touch, {"strategy_id": 1}), ("loan_applied", touch.replace(hour=5), {})]})
    make_user("hq_ops", "hq_operator", "HQ")
    return service.strategy_effect(platform=platform, scope=Scope(kind="all"), strategy_ids=[1],
                                   date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), now=NOW)


def test_goal_and_attribution_on_the_effect_page(live_server: str, page, world) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/strategy/1/effects")
    card = page.get_by_test_id("effects-goals")
    expect(card).to_contain_text("贷款申请转化率提升25%")
    lift = world.lift.test.lift * 100
    expect(card).to_contain_text(f"{'+' if lift > 0 else ''}{lift:.1f}%")
    expect(card).to_contain_text("+25.0%")  # the target
    attr = page.get_by_test_id("effects-attribution")
    rule = page.get_by_test_id("attribution-rule")
    expect(rule).to_contain_text("末次触点")
    expect(rule).to_contain_text("全部功劳归于转化前最后一次触达")
    # Last touch: X1's conversion goes to strategy 2's click, X2's to strategy 1: one credited here.
    credited = attr.locator(".ant-descriptions-item-content").nth(2)
    expect(credited).to_have_text("1")
    attr.locator(".ant-select").first.click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option[title='首次触点']").click()
    expect(rule).to_contain_text("首次触点")
    expect(credited).to_have_text("2")  # first touch: both conversions began with strategy 1's message


def test_the_mau_aum_dashboard_shows_the_incremental_part_as_an_estimate(live_server: str, page, world) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/monitor/mau-aum")
    card = page.get_by_test_id("incremental-card")
    expect(card).to_contain_text("估算")
    expect(card).to_contain_text("有对照组的策略")

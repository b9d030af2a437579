"""The strategy issue's "done means" in a real browser on a running server: a Shenzhen operator builds 事件触发 login →
条件分支 AUM≥5万 → 触达 push → 行为判断 fund_purchase 3 天 → 目标 on the canvas and publishes it; the bank's app sends
events to /v1/batch; the monitoring canvas, refreshing by itself, shows the counts move on its nodes and edges."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from ui import fill_number, login_ui, pick, select_node, serve

from factories import PASSWORD, add_customers
from mofang.insight import profiles
from mofang.platform.context import Platform
from mofang.platform.governance import auth
from mofang.platform.settings import Settings
from tracking.ingest_helpers import basic, track

pytestmark = pytest.mark.browser
# The monitoring view refreshes every 5 s: a count shows at the first refresh after the engine's step (the margin is
# for a loaded CI machine; a passing run waits only as long as the engine takes).
LIVE = 30_000


def _login(base: str, username: str) -> dict[str, str]:
    res = httpx.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def _ok(res: httpx.Response) -> Any:
    assert res.status_code in (200, 201), res.text
    return res.json()


@pytest.fixture
def bank(platform: Platform, make_user: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two Shenzhen customers either side of 5万 AUM and one in Guangzhou (outside the operator's branch)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    add_customers(platform, {
        "SZ-RICH": {"name": "陈富", "org_code": "GD-SZ-001", "aum": 80_000.0},
        "SZ-POOR": {"name": "李朴", "org_code": "GD-SZ-001", "aum": 20_000.0},
        "GZ-RICH": {"name": "王广", "org_code": "GD-GZ-001", "aum": 90_000.0},
    })
    profiles.refresh_profiles(platform=platform)
    make_user("root", "admin", "HQ")
    make_user("sz_live", "branch_operator", "GD-SZ")


@pytest.fixture
def server(settings: Settings, platform: Platform) -> Iterator[str]:
    """The app with its engine on a free port that is also its public URL: the sandbox push gateway calls it."""
    with serve(settings, platform, public=True) as url:
        yield url


def _configure(base: str) -> str:
    """What the bank sets up before the journey, through the API: the sandbox push channel, the customers' push
    tokens, quiet hours off, a write key for the app, and the operator's push template. Returns the write key."""
    admin = _login(base, "root")
    _ok(httpx.post(base + "/api/reach/channels", headers=admin, json={
        "channel": "push", "name": "沙箱推送", "provider": "sandbox", "config": {"delay_seconds": 0}}))
    for cid in ("SZ-RICH", "SZ-POOR", "GZ-RICH"):
        _ok(httpx.put(f"{base}/api/data/customers/{cid}/identities", headers=admin, json={
            "identities": [{"kind": "push_token", "value": f"token-{cid}"}]}))
    # The bank's default 夜间勿扰 (21:00–09:00 Shanghai) would hold the push until morning when CI runs at night.
    quiet = _ok(httpx.put(base + "/api/policy/quiet-hours", headers=admin, params={"enabled": "false"},
                          json={"kind": "quiet_hours", "start": "21:00", "end": "09:00"}))
    assert quiet["enabled"] is False
    key = _ok(httpx.post(base + "/api/admin/keys", headers=admin, json={"name": "手机银行App"}))["key"]
    operator = _login(base, "sz_live")
    template = _ok(httpx.post(base + "/api/reach/templates", headers=operator, json={
        "name": "基金推荐推送", "channel": "push", "purpose": "marketing",
        "content": {"title": "基金定投开放", "body": "您关注的基金开放定投，每月100元起投。"}}))
    _ok(httpx.post(f"{base}/api/reach/templates/{template['id']}/status", headers=operator,
                   json={"status": "active"}))
    return key


def _ingest(base: str, key: str, events: list[dict[str, Any]]) -> None:
    """POST /v1/batch as a Segment library does."""
    res = httpx.post(base + "/v1/batch", json={"batch": events}, headers=basic(key))
    assert res.status_code == 200, res.text


def _build_and_publish(page: Any, base: str) -> int:
    """The issue's journey on the canvas, connected through the side panel, published; returns the strategy id."""
    login_ui(page, base, "sz_live")
    page.goto(base + "/strategy")
    page.get_by_test_id("strategy-new").click()
    page.get_by_test_id("strategy-name").fill("基金意向实时转化")
    page.get_by_test_id("strategy-create").click()
    page.wait_for_url(re.compile(r"/strategy/\d+$"), wait_until="commit")
    sid = int(page.url.rstrip("/").split("/")[-1])

    page.get_by_test_id("palette-event_entry").click()
    pick(page, "field-event", "login")
    page.get_by_test_id("palette-condition_split").click()
    pick(page, "field-branches-0-field", "资产余额AUM")
    pick(page, "field-branches-0-op", "大于等于")
    fill_number(page, "field-branches-0-value", "50000")
    page.get_by_test_id("palette-send").click()
    pick(page, "field-template_id", "基金推荐推送")
    page.get_by_test_id("palette-wait_event").click()
    pick(page, "field-event", "fund_purchase")
    fill_number(page, "field-within_seconds", "3")
    page.get_by_test_id("palette-goal").click()
    pick(page, "field-event", "fund_purchase")
    page.get_by_test_id("palette-exit").click()
    for source, label, target in (("event_entry_1", "next", "condition_split_1"),
                                  ("condition_split_1", "b1", "send_1"), ("condition_split_1", "else", "exit_1"),
                                  ("send_1", "next", "wait_event_1"), ("wait_event_1", "did", "goal_1")):
        select_node(page, source)
        pick(page, f"next-{source}-{label}", target)
        expect(page.get_by_test_id(f"edge-{source}-{label}-{target}")).to_be_visible()

    page.get_by_test_id("strategy-publish").click()
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("strategy-status")).to_have_text("运行中")
    return sid


def _node(page: Any, node_id: str) -> Any:
    return page.get_by_test_id(f"node-stats-{node_id}")


def _edge(page: Any, source: str, label: str, target: str) -> Any:
    return page.get_by_test_id(f"edge-{source}-{label}-{target}").locator(".mf-edge-count")


@pytest.mark.usefixtures("bank")
def test_ingested_events_move_the_counts_on_the_monitoring_canvas(server: str, browser: Any) -> None:
    key = _configure(server)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sid = _build_and_publish(page, server)
        page.get_by_test_id("strategy-monitor").click()
        page.wait_for_url(re.compile(rf"/strategy/{sid}/monitor$"))
        expect(_node(page, "event_entry_1")).to_have_text("进入 0 · 等待 0")
        expect(page.get_by_test_id("strategy-stats-unavailable")).to_have_count(0)

        # The app reports three logins; the Guangzhou customer is outside the operator's branch and not counted.
        _ingest(server, key, [track("login", userId=cid, messageId=f"login-{cid}")
                              for cid in ("SZ-RICH", "SZ-POOR", "GZ-RICH")])
        # The page is not reloaded: the monitoring view refreshes its counts by itself.
        expect(_node(page, "event_entry_1")).to_have_text("进入 2 · 等待 0", timeout=LIVE)
        expect(_edge(page, "event_entry_1", "next", "condition_split_1")).to_have_text("2", timeout=LIVE)
        expect(_node(page, "condition_split_1")).to_have_text("进入 2 · 等待 0", timeout=LIVE)
        # AUM ≥ 5万 to the push, the other to the end.
        expect(_edge(page, "condition_split_1", "b1", "send_1")).to_have_text("1", timeout=LIVE)
        expect(_edge(page, "condition_split_1", "else", "exit_1")).to_have_text("1", timeout=LIVE)
        expect(_node(page, "exit_1")).to_have_text("进入 1 · 等待 0", timeout=LIVE)
        expect(_node(page, "send_1")).to_have_text("进入 1 · 等待 0", timeout=LIVE)
        # The push went out through the sandbox; the customer now waits up to 3 days for a fund purchase.
        expect(_edge(page, "send_1", "next", "wait_event_1")).to_have_text("1", timeout=LIVE)
        expect(_node(page, "wait_event_1")).to_have_text("进入 1 · 等待 1", timeout=LIVE)
        expect(_node(page, "goal_1")).to_have_text("进入 0 · 等待 0 · 转化 0")

        # The pushed customer buys a fund: the journey reaches its goal.
        _ingest(server, key, [track("fund_purchase", userId="SZ-RICH", messageId="buy-SZ-RICH",
                                    properties={"amount": 1000})])
        expect(_node(page, "goal_1")).to_have_text("进入 1 · 等待 0 · 转化 1", timeout=LIVE)
        expect(_edge(page, "wait_event_1", "did", "goal_1")).to_have_text("1", timeout=LIVE)
        expect(_node(page, "wait_event_1")).to_have_text("进入 1 · 等待 0", timeout=LIVE)

        # Behind the canvas: one push sent by this strategy's node through the sandbox, to a masked address; the
        # totals count the two Shenzhen customers only.
        operator = _login(server, "sz_live")
        sent = _ok(httpx.get(f"{server}/api/reach/deliveries", headers=operator, params={"strategy_id": sid}))
        assert [(d["customer_id"], d["channel"], d["node_id"], d["status"]) for d in sent["items"]] == [
            ("SZ-RICH", "push", "send_1", "accepted")]
        assert "token-SZ-RICH" not in str(sent)
        stats = _ok(httpx.get(f"{server}/api/strategies/{sid}/stats", headers=operator))
        assert (stats["totals"]["entered"], stats["totals"]["active"], stats["totals"]["converted"]) == (2, 0, 1)
    finally:
        context.close()

"""The console in a real browser at 1366×768: a Shenzhen operator builds the journey of the strategy issue on the canvas
(事件触发 login → 条件分支 AUM≥5万 → 触达 push → 行为判断 fund_purchase 3 天 → 目标), sees validation problems on the
nodes, saves, validates, publishes, and opens the monitoring view."""

from __future__ import annotations

import re
import sys
import types
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from ui import fill_number, login_ui, pick, select_node

from factories import PASSWORD
from mofang.strategy.canvas import service as canvas

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(make_user, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Shenzhen branch operator; a reach centre offering one push template; no engine runtime."""
    make_user("sz_canvas", "branch_operator", "GD-SZ")
    fake = types.ModuleType("fake_reach_templates")

    def list_templates(*, platform: Any, org_code: str) -> list[dict[str, Any]]:
        del platform, org_code
        return [{"id": 11, "name": "基金推荐推送", "channel": "push"},
                {"id": 12, "name": "登录提醒短信", "channel": "sms"}]

    fake.list_templates = list_templates  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_reach_templates", fake)
    monkeypatch.setattr(canvas, "TEMPLATE_SOURCE", ("fake_reach_templates", "list_templates"))
    import mofang.strategy.engine as engine

    # Publishing must record the version whether or not the runtime is there; here it is not.
    monkeypatch.delattr(engine, "activate", raising=False)
    monkeypatch.delattr(engine, "deactivate", raising=False)


def mouse_drag(page, source, target, *, dx: float = 0, dy: float = 0) -> None:
    """Press the mouse on the middle of `source`, move in steps to the middle of `target` (offset), release."""
    a = source.bounding_box()
    b = target.bounding_box()
    assert a and b
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2 + dx, b["y"] + b["height"] / 2 + dy, steps=12)
    page.mouse.up()


@pytest.mark.usefixtures("bank")
def test_operator_builds_validates_and_publishes_the_issue_journey(live_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login_ui(page, live_server, "sz_canvas")
        page.goto(live_server + "/strategy")
        page.get_by_test_id("strategy-new").click()
        page.get_by_test_id("strategy-name").fill("基金意向转化")
        page.get_by_test_id("strategy-create").click()
        page.wait_for_url(re.compile(r"/strategy/\d+$"), wait_until="commit")
        sid = int(page.url.rstrip("/").split("/")[-1])

        # 事件触发 login
        page.get_by_test_id("palette-event_entry").click()
        pick(page, "field-event", "login")
        expect(page.get_by_test_id("node-event_entry_1")).to_contain_text("登录")

        # 条件分支 AUM ≥ 50000, connected by dragging from the entry's handle onto the middle of the node
        page.get_by_test_id("palette-condition_split").click()
        pick(page, "field-branches-0-field", "资产余额AUM")
        pick(page, "field-branches-0-op", "大于等于")
        fill_number(page, "field-branches-0-value", "50000")
        mouse_drag(page, page.get_by_test_id("handle-event_entry_1-next"),
                   page.get_by_test_id("node-condition_split_1"))
        expect(page.get_by_test_id("node-condition_split_1")).to_contain_text("≥ 50000")
        expect(page.get_by_test_id("edge-event_entry_1-next-condition_split_1")).to_be_visible()
        # The branches are handles of their own, labelled on the node.
        expect(page.get_by_test_id("handle-condition_split_1-b1")).to_be_visible()
        expect(page.get_by_test_id("node-condition_split_1")).to_contain_text("分支1")
        expect(page.get_by_test_id("node-condition_split_1")).to_contain_text("其他")

        # 触达 push, added without its template first: validation marks the node in red
        page.get_by_test_id("palette-send").click()
        select_node(page, "condition_split_1")
        pick(page, "next-condition_split_1-b1", "send_1")
        page.get_by_test_id("strategy-validate").click()
        expect(page.get_by_test_id("node-send_1")).to_have_class(re.compile(r"mf-node-error"))
        expect(page.get_by_test_id("node-problem-send_1").first).to_contain_text("请填写内容模板")
        select_node(page, "send_1")
        pick(page, "field-template_id", "基金推荐推送")

        # 行为判断 fund_purchase within 3 days → 目标 fund_purchase
        page.get_by_test_id("palette-wait_event").click()
        pick(page, "field-event", "fund_purchase")
        fill_number(page, "field-within_seconds", "3")
        page.get_by_test_id("palette-goal").click()
        pick(page, "field-event", "fund_purchase")
        # 触达 → 行为判断 by dragging from the send node's handle onto the wait node's input handle.
        mouse_drag(page, page.get_by_test_id("handle-send_1-next"), page.get_by_test_id("target-wait_event_1"))
        expect(page.get_by_test_id("edge-send_1-next-wait_event_1")).to_be_visible()
        # One edge per outcome: a second connection from the same handle is refused and says why.
        mouse_drag(page, page.get_by_test_id("handle-send_1-next"), page.get_by_test_id("node-goal_1"))
        expect(page.get_by_text("该出口已有连线")).to_be_visible()
        expect(page.get_by_test_id("edge-send_1-next-goal_1")).to_have_count(0)
        select_node(page, "wait_event_1")
        pick(page, "next-wait_event_1-did", "goal_1")
        expect(page.get_by_test_id("edge-wait_event_1-did-goal_1")).to_contain_text("已完成")
        # 结束, dragged from the palette onto an empty part of the canvas; the poorer customers end there.
        page.get_by_test_id("palette-exit").drag_to(page.get_by_test_id("strategy-canvas"),
                                                    target_position={"x": 520, "y": 420})
        expect(page.get_by_test_id("node-exit_1")).to_be_visible()
        select_node(page, "condition_split_1")
        pick(page, "next-condition_split_1-else", "exit_1")

        # Nodes move by dragging; the position is saved with the graph.
        goal = page.get_by_test_id("node-goal_1")
        before = goal.bounding_box()
        assert before
        mouse_drag(page, goal.locator(".mf-node-head"), goal.locator(".mf-node-head"), dx=0, dy=60)
        after = goal.bounding_box()
        assert after and after["y"] - before["y"] > 40

        # A node added by mistake goes with the Delete key.
        page.get_by_test_id("palette-delay").click()
        page.get_by_test_id("node-delay_1").locator(".mf-node-summary").click()
        page.keyboard.press("Delete")
        expect(page.get_by_test_id("node-delay_1")).to_have_count(0)

        # Strategy settings: business line and holdout for the contact policy and the lift baseline.
        page.get_by_test_id("strategy-settings").click()
        pick(page, "setting-business_line", "财富")
        fill_number(page, "setting-holdout", "10")

        page.get_by_test_id("strategy-save").click()
        expect(page.get_by_text("草稿已保存")).to_be_visible()
        # "Fit view" shows the whole journey on the canvas, at most at 100 %.
        page.locator(".react-flow__controls-fitview").click()
        canvas_box = page.get_by_test_id("strategy-canvas").bounding_box()
        assert canvas_box
        for node_id in ("event_entry_1", "condition_split_1", "send_1", "wait_event_1", "goal_1", "exit_1"):
            expect(page.get_by_test_id(f"node-{node_id}")).to_be_in_viewport()
            box = page.get_by_test_id(f"node-{node_id}").bounding_box()
            assert box
            assert canvas_box["x"] <= box["x"] and box["x"] + box["width"] <= canvas_box["x"] + canvas_box["width"]
            assert canvas_box["y"] <= box["y"] and box["y"] + box["height"] <= canvas_box["y"] + canvas_box["height"]
        page.get_by_test_id("strategy-validate").click()
        expect(page.get_by_text("校验通过")).to_be_visible()
        # The unconnected "else" and "timed out" outcomes are warnings shown on their nodes, not errors.
        expect(page.get_by_test_id("node-wait_event_1")).to_have_class(re.compile(r"mf-node-warning"))
        expect(page.get_by_test_id("node-problem-wait_event_1")).to_contain_text("客户将在此结束")

        page.get_by_test_id("strategy-publish").click()
        page.get_by_test_id("publish-confirm").click()
        expect(page.get_by_test_id("strategy-status")).to_have_text("运行中")
        expect(page.get_by_test_id("strategy-version")).to_have_text("运行 v1")

        token = httpx.post(live_server + "/api/auth/login", json={"username": "sz_canvas", "password": PASSWORD})
        api = {"Authorization": f"Bearer {token.json()['access_token']}"}
        saved = httpx.get(f"{live_server}/api/strategies/{sid}", headers=api).json()
        assert (saved["status"], saved["published_version"], saved["owner_org"]) == ("published", 1, "GD-SZ")
        assert (saved["graph"]["settings"]["business_line"], saved["graph"]["settings"]["holdout_percent"]) == (
            "wealth", 10)
        nodes = {n["id"]: n for n in saved["graph"]["nodes"]}
        assert all(set(n["position"]) == {"x", "y"} for n in nodes.values())
        assert [n["type"] for n in nodes.values()] == ["event_entry", "condition_split", "send", "wait_event", "goal",
                                                       "exit"]
        assert nodes["event_entry_1"]["event"] == "login"
        assert nodes["condition_split_1"]["branches"][0]["condition"] == {
            "type": "attribute", "field": "aum", "op": "gte", "value": 50000}
        assert (nodes["send_1"]["channel"], nodes["send_1"]["template_id"]) == ("push", 11)
        assert (nodes["wait_event_1"]["event"], nodes["wait_event_1"]["within_seconds"]) == ("fund_purchase", 259200)
        assert {(e["source"], e["label"], e["target"]) for e in saved["graph"]["edges"]} == {
            ("event_entry_1", "next", "condition_split_1"), ("condition_split_1", "b1", "send_1"),
            ("send_1", "next", "wait_event_1"), ("wait_event_1", "did", "goal_1"),
            ("condition_split_1", "else", "exit_1")}

        # Monitoring: the same canvas read-only; without the runtime's statistics every count shows "—".
        page.get_by_test_id("strategy-monitor").click()
        expect(page.get_by_test_id("strategy-stats-unavailable")).to_be_visible()
        expect(page.get_by_test_id("node-stats-goal_1")).to_contain_text("—")
        expect(page.get_by_test_id("strategy-palette")).to_have_count(0)
        # Read-only: nodes do not move and handles do not connect; a click on a node lists the customers there.
        expect(page.get_by_test_id("handle-send_1-next")).not_to_have_class(re.compile(r"\bconnectable\b"))
        page.get_by_test_id("node-goal_1").locator(".mf-node-summary").click()
        expect(page.get_by_text("节点 goal_1 的客户")).to_be_visible()

        page.goto(live_server + "/strategy")
        expect(page.get_by_test_id(f"strategy-status-{sid}")).to_have_text("运行中")
        expect(page.get_by_test_id(f"strategy-today-{sid}")).to_have_text("— / —")
        # The English switch: the same canvas in English.
        page.get_by_test_id("lang-switch").click()
        page.get_by_test_id(f"strategy-link-{sid}").click()
        expect(page.get_by_test_id("palette-event_entry")).to_have_text("Event trigger")
        expect(page.get_by_test_id("node-wait_event_1")).to_contain_text("Fund purchase · 3 days")
    finally:
        context.close()

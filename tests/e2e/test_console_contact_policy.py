"""Head office sets a cap with a priority reserve, a branch's customer goes on the do-not-contact list, and the dry
run (试算) says why a message to them would not go — in the console, zh-CN."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers
from mofang.platform.context import Platform

pytestmark = pytest.mark.browser


def test_contact_policy_page(live_server: str, page, make_user, platform: Platform) -> None:
    add_customers(platform, {"c1": {"name": "张三", "org_code": "GD-SZ-001"}})
    make_user("boss", "admin", "HQ")
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "boss")
    page.goto(live_server + "/strategy/policy")
    expect(page.get_by_text("21:00–09:00（北京时间）全部渠道不打扰，顺延；服务类消息除外")).to_be_visible()

    page.get_by_test_id("policy-rule-add").click()
    page.locator("#policyRule_name").fill("全渠道日限")
    page.locator("#policyRule_limit").fill("2")
    page.locator("#policyRule_reserve").fill("3")
    page.locator(".ant-modal .ant-btn-primary").click()
    expect(page.get_by_text("预留次数不能超过上限")).to_be_visible()  # caught before asking the server
    page.locator("#policyRule_reserve").fill("1")
    page.locator(".ant-modal .ant-btn-primary").click()
    described = "每位客户每天（全部渠道，全部条线）最多 2 次（营销类），超出时拦截；最后 1 次留给优先级 ≤ 10 的策略"
    expect(page.get_by_text(described)).to_be_visible()
    page.screenshot(path="/tmp/policy-rules.png")

    page.get_by_role("tab", name="勿扰名单").click()
    page.get_by_test_id("policy-dnc-add").click()
    page.locator("#policyDnc_customer_id").fill("c1")
    page.locator("#policyDnc_reason").fill("客户投诉")
    page.locator(".ant-modal:visible .ant-btn-primary").click()
    expect(page.get_by_role("cell", name="c1 张*")).to_be_visible()

    page.get_by_role("tab", name="试算").click()
    page.locator("#policyCheck_customer_id").fill("c1")
    page.get_by_test_id("policy-check-run").click()
    result = page.get_by_test_id("policy-check-result")
    expect(result).to_contain_text("拦截")
    expect(result).to_contain_text("勿扰名单")
    page.screenshot(path="/tmp/policy-check.png")

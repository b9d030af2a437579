"""活动中心 in a real browser: a branch maker creates an 邀请有礼 campaign from the gallery (preview of the compiled
strategy), submits it; an approver of the province approves it in one click from the inbox (with the checks);
the maker launches it and the detail links to its published strategy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers
from mofang.insight import profiles
from mofang.platform.governance import auth

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    add_customers(platform, {"G01": {"name": "陈大文", "org_code": "GD-GZ-001"}})
    profiles.refresh_profiles(platform=platform)
    make_user("gz_maker", "branch_operator", "GD-GZ")
    make_user("gd_checker", "approver", "GD")


@pytest.mark.usefixtures("bank")
def test_create_submit_approve_and_launch_a_campaign(live_server: str, page, browser) -> None:
    login_ui(page, live_server, "gz_maker")
    page.goto(live_server + "/campaigns")
    page.get_by_test_id("template-mgm").get_by_text("使用此模板").click()
    page.get_by_label("活动名称").fill("老带新·测额有礼")
    page.get_by_label("开始时间").fill("2026-01-01T00:00")
    page.get_by_label("结束时间").fill("2036-01-01T00:00")
    page.get_by_label("预算(元)").fill("5000")
    page.get_by_label("库存(份)").fill("100")
    page.locator("#params_inviter_benefit_id").fill("1")
    page.locator("#params_invitee_benefit_id").fill("2")
    page.get_by_test_id("campaign-preview").click()
    preview = page.get_by_test_id("campaign-preview-result")
    expect(preview).to_contain_text("接口触发")
    expect(preview).to_contain_text("结束")
    page.get_by_test_id("campaign-save").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    expect(page.get_by_test_id("check-check.audience")).to_contain_text("受众规模：1 人")
    page.get_by_test_id("campaign-submit").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("待审批")
    url = page.url

    checker = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    login_ui(checker, live_server, "gd_checker")
    checker.goto(live_server + "/campaigns?tab=approvals")
    card = checker.locator("[data-testid^=approval-]").first
    expect(card).to_contain_text("老带新·测额有礼")
    expect(card).to_contain_text("邀请人奖励")  # the diff against nothing approved yet, by parameter label
    card.locator("[data-testid^=approve-]").click()
    expect(checker.get_by_text("没有待处理的审批")).to_be_visible()
    checker.context.close()

    page.goto(url)
    expect(page.get_by_test_id("campaign-status")).to_have_text("已审批")
    page.get_by_test_id("campaign-launch").click()
    page.get_by_role("button", name="OK").or_(page.get_by_role("button", name="确 定")).or_(
        page.get_by_role("button", name="确定")).first.click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("进行中")
    page.get_by_role("link", name="#1").click()
    expect(page).to_have_url(live_server + "/strategy/1")

"""The content library in a real browser: a branch operator writes an SMS with the variable picker, watches the
part counter and the live checks (opt-out, sensitive word), saves, and previews it for a customer of the branch
with the name masked to the surname."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(platform, make_user) -> None:
    add_customers(platform, {
        "S01": {"name": "王小明", "gender": "M", "org_code": "GD-SZ-001", "tier": "财富"},
        "G01": {"name": "陈大文", "gender": "F", "org_code": "GD-GZ-001"},
    })
    make_user("sz_content", "branch_operator", "GD-SZ")


@pytest.mark.usefixtures("bank")
def test_write_check_save_and_preview_an_sms(live_server: str, page) -> None:
    login_ui(page, live_server, "sz_content")
    page.goto(live_server + "/reach/content")
    expect(page.get_by_text("暂无模板")).to_be_visible()
    page.get_by_test_id("content-new").click()
    page.get_by_test_id("content-name").fill("理财到期提醒")
    body = page.get_by_test_id("content-body")
    body.click()
    page.keyboard.type("【魔方银行】尊敬的")
    page.get_by_test_id("content-var-customer.surname").click()
    page.get_by_test_id("content-var-customer.salutation").click()
    expect(body).to_have_value("【魔方银行】尊敬的{{客户.姓氏}}{{客户.称谓}}")
    # 6 + 3 + 2 + 2: variables counted at their longest.
    expect(page.get_by_test_id("content-sms-counter")).to_contain_text("13 字 · 1 条短信 · UCS-2")
    checks = page.get_by_test_id("content-checks")
    expect(checks).to_contain_text("营销短信须包含“回T退订”或“拒收请回复R”")

    body.press("End")
    page.keyboard.type("，您的理财保本收益已到账" + "。" * 50 + "回T退订")  # 保本 is the 33rd character
    expect(page.get_by_test_id("content-sms-counter")).to_contain_text("2 条短信")
    expect(checks).to_contain_text("正文 第 33 个字符处含敏感词“保本”")
    page.get_by_test_id("content-save").click()
    expect(page.locator(".ant-message")).to_contain_text("正文 第 33 个字符处含敏感词“保本”")  # refused alike

    body.fill("【魔方银行】尊敬的{{客户.姓氏}}{{客户.称谓}}，您的理财已到期，本金和收益已到账 回T退订")
    expect(checks).to_contain_text("校验通过")
    expect(page.get_by_test_id("content-sms-counter")).to_contain_text("1 条短信")
    page.get_by_test_id("content-save").click()
    expect(page.get_by_text("模板已创建")).to_be_visible()
    expect(page.get_by_test_id("content-versions")).to_contain_text("v1")

    page.get_by_test_id("content-preview-customer").fill("S01")
    page.get_by_test_id("content-preview-run").click()
    result = page.get_by_test_id("content-preview-result")
    expect(result).to_contain_text("【魔方银行】尊敬的王先生，您的理财已到期")
    expect(result).not_to_contain_text("王小明")
    page.get_by_test_id("content-preview-customer").fill("G01")  # another branch's customer
    page.get_by_test_id("content-preview-run").click()
    expect(page.get_by_text("客户不存在或不在您的数据范围内")).to_be_visible()

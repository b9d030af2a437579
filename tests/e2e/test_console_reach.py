"""触达中心 in the console: an administrator configures a sandbox SMS channel (its secrets never shown), a branch
operator reads the delivery log and retries a dead letter, an RM records the outcome of a task."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers, add_rms
from mofang import reach
from mofang.platform.context import Platform
from mofang.reach.contracts import ProviderResult, SendRequest
from mofang.reach.delivery.routing import deps_of

pytestmark = pytest.mark.browser
BANK_TZ = ZoneInfo("Asia/Shanghai")


class FlakyMail:
    """An e-mail provider that refuses once, then accepts (a test fake, never a default)."""

    channel = "email"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, *_a: object, **_k: object) -> ProviderResult:
        self.calls += 1
        return ProviderResult(accepted=self.calls > 1, vendor_id="mail-1", reason="mailbox_full")

    def parse_receipt(self, *_a: object) -> list:
        return []


def test_reach_centre_in_the_console(live_server: str, page, platform: Platform, make_user) -> None:
    add_rms(platform, {"RM-S": ("深圳经理", "GD-SZ-001")})
    add_customers(platform, {"k1": {"name": "张三", "org_code": "GD-SZ-001", "rm_id": "RM-S"}})
    mail = FlakyMail()
    deps_of(platform).providers["email"] = mail
    # Sent at noon, bank time: at night the default quiet hours (21:00–09:00) rightly defer marketing messages.
    noon = datetime.now(BANK_TZ).replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)
    for key, channel, variables in (("ui-1", "inbox", {"content": "您的理财本周到期"}),
                                    ("ui-2", "email", {"content": "月度账单"}),
                                    ("ui-3", "rm_task", {"content": "请致电客户介绍新发理财", "title": "到期续作"})):
        reach.send(platform=platform, request=SendRequest(customer_id="k1", channel=channel,  # type: ignore[arg-type]
                                                          idempotency_key=key, variables=variables), now=noon)
    make_user("boss", "admin", "HQ")
    make_user("sz", "branch_operator", "GD-SZ")
    make_user("rm", "rm", "GD-SZ-001", rm_id="RM-S")

    login_ui(page, live_server, "boss")
    page.goto(live_server + "/reach")
    page.get_by_role("tab", name="渠道配置").click()
    page.get_by_test_id("reach-add-channel").click()
    page.get_by_test_id("reach-channel-name").fill("沙箱短信")
    page.locator(".ant-modal .ant-btn-primary").click()
    channels = page.get_by_test_id("reach-channels")
    expect(channels).to_contain_text("沙箱短信")
    expect(channels).to_contain_text("沙箱")
    expect(channels).to_contain_text("/api/reach/callbacks/sms/")
    page.screenshot(path="/tmp/reach_channels.png")

    page.context.clear_cookies()
    login_ui(page, live_server, "sz")
    page.goto(live_server + "/reach")
    log = page.get_by_test_id("reach-log")
    expect(log).to_contain_text("站内信")
    expect(log).to_contain_text("已受理")
    expect(log).to_contain_text("失败")
    page.screenshot(path="/tmp/reach_log.png")
    page.get_by_role("tab", name="死信").click()
    dead = page.get_by_test_id("reach-dead")
    expect(dead).to_contain_text("邮箱已满")
    dead.locator("[data-testid^=reach-retry-]").click()
    expect(page.locator(".ant-message")).to_contain_text("已受理")
    expect(dead).to_contain_text("暂无记录")
    assert mail.calls == 2

    page.context.clear_cookies()
    login_ui(page, live_server, "rm")
    page.goto(live_server + "/reach")
    page.get_by_role("tab", name="客户经理任务").click()
    tasks = page.get_by_test_id("reach-tasks")
    expect(tasks).to_contain_text("请致电客户介绍新发理财")
    expect(tasks).to_contain_text("张*")
    tasks.get_by_role("button", name="记录结果").click()
    page.get_by_text("有意向").click()
    page.locator(".ant-modal .ant-btn-primary").click()
    expect(page.locator(".ant-message")).to_contain_text("已记录")

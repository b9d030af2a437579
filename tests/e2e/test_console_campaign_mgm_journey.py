"""Issue 13's journey on the demo bank, in Chromium at 1366×768: a branch maker creates an 邀请有礼 campaign from
the template and submits it; the approver approves it in the console; the maker launches it. An invitee opens the
H5 link from the message (375 px) with the inviter's code and accepts; the bank reports the action (twice, and a
retry): both sides are rewarded exactly once in the ledger, and the detail page shows the issue in the burn-down,
the funnel and the invite tree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD, add_customers
from mofang.demo.directory import DEMO_PASSWORD
from mofang.demo.service import generate_bank
from mofang.insight import profiles
from mofang.platform.context import Platform
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov

pytestmark = pytest.mark.browser
MAKER, CHECKER, BRANCH = "sz_ops", "approver", "GD-SZ"  # the demo bank's 深圳 operator and head office's approver


@pytest.fixture
def demo(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A small demo bank (its users included), two of 深圳's customers, and the bank app's write key."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    generate_bank(platform=platform, customers=100, days=3, seed=13)
    profiles.refresh_profiles(platform=platform)
    friends = [r["customer_id"] for r in platform.store.query(
        "SELECT customer_id FROM customers WHERE starts_with(org_code, ?) ORDER BY customer_id LIMIT 2",
        [BRANCH + "-"])]
    assert len(friends) == 2, "the demo bank has customers in 深圳"
    with platform.metadata.session() as s:
        key = gov.create_key(session=s, name="bank app", actor="test").key
    return {"inviter": friends[0], "invitee": friends[1], "key": {"X-Api-Key": key}}


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def _token(api: httpx.Client, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    res = api.post("/api/auth/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def _login(api: httpx.Client, username: str) -> dict[str, str]:
    return _token(api, username, PASSWORD)


def _screen(browser: Any, width: int, height: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    return page


def test_an_mgm_campaign_from_template_to_both_rewards_in_the_ledger_and_burn_down(
        live_server: str, api: httpx.Client, browser: Any, demo: dict[str, Any]) -> None:
    maker_api = _token(api, MAKER)
    benefit = {}
    for side, fen in (("inviter", 1000), ("invitee", 500)):
        res = api.post("/api/benefits", headers=maker_api, json={
            "name": f"邀请礼{side}", "spec": {"kind": "cash", "amount_fen": fen}, "valid_days": 30})
        assert res.status_code == 201, res.text
        benefit[side] = res.json()["id"]

    page = _screen(browser, 1366, 768)
    login_ui(page, live_server, MAKER, DEMO_PASSWORD)
    page.goto(live_server + "/campaigns")
    page.get_by_test_id("template-mgm").get_by_text("使用此模板").click()
    page.get_by_label("活动名称").fill("深圳·邀请好友测额")
    today = date.today()
    page.get_by_label("开始时间").fill(f"{today - timedelta(days=1)}T00:00")
    page.get_by_label("结束时间").fill(f"{today + timedelta(days=30)}T00:00")
    page.get_by_label("预算(元)").fill("5000")
    page.get_by_label("库存(份)").fill("100")
    page.locator("#params_inviter_benefit_id").fill(str(benefit["inviter"]))
    page.locator("#params_invitee_benefit_id").fill(str(benefit["invitee"]))
    page.get_by_test_id("campaign-save").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    detail = page.url
    cid = int(detail.rstrip("/").rsplit("/", 1)[1])
    for side in ("inviter", "invitee"):  # the campaign's stock and budget of each reward
        res = api.post("/api/benefits/pools", headers=maker_api, json={
            "benefit_id": benefit[side], "campaign_id": cid, "stock": 50, "budget_fen": 250_000})
        assert res.status_code == 201, res.text
    page.get_by_test_id("campaign-submit").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("待审批")

    checker = _screen(browser, 1366, 768)
    login_ui(checker, live_server, CHECKER, DEMO_PASSWORD)
    checker.goto(live_server + "/campaigns?tab=approvals")
    card = checker.locator("[data-testid^=approval-]").filter(has_text="深圳·邀请好友测额")
    expect(card).to_contain_text("邀请人奖励")
    card.locator("[data-testid^=approve-]").click()
    expect(checker.get_by_text("没有待处理的审批")).to_be_visible()
    checker.context.close()

    page.goto(detail)
    expect(page.get_by_test_id("campaign-status")).to_have_text("已审批")
    page.get_by_test_id("campaign-launch").click()
    page.locator(".ant-popconfirm .ant-btn-primary").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("进行中")

    # The bank's app: the inviter's code, and the invitee's signed link in the invitation message.
    inviter, invitee, key = demo["inviter"], demo["invitee"], demo["key"]
    res = api.post(f"/api/campaign-api/campaigns/{cid}/invite-code", json={"customer_id": inviter},
                   headers={**key, "Idempotency-Key": "code-1"})
    assert res.status_code == 200, res.text
    code = res.json()["code"]
    link = api.post(f"/api/campaign-api/campaigns/{cid}/h5-link", json={"customer_id": invitee}, headers=key).json()
    phone = _screen(browser, 375, 812)
    phone.goto(f"{live_server}{link['path']}?code={code}")
    expect(phone.get_by_role("heading", name="深圳·邀请好友测额")).to_be_visible()
    phone.get_by_role("button", name="接受邀请").click()
    expect(phone.locator("#result")).to_have_text("已接受邀请，完成任务后双方得奖励")
    for attempt in ("quota-1", "quota-1", "quota-2"):  # a retry and a second report reward nobody twice
        res = api.post(f"/api/campaign-api/campaigns/{cid}/actions", headers={**key, "Idempotency-Key": attempt},
                       json={"customer_id": invitee, "action": "loan_quota_check"})
        assert res.status_code == 200, res.text
    phone.reload()
    expect(phone.locator("#progress")).to_contain_text("已得奖励 1 个")
    phone.context.close()

    ledger = api.get("/api/benefits/ledger", params={"campaign_id": cid}, headers=maker_api).json()
    assert sorted((r["customer_id"], r["benefit_id"], r["status"]) for r in ledger["items"]) == sorted(
        [(inviter, benefit["inviter"], "issued"), (invitee, benefit["invitee"], "issued")])

    page.reload()
    for side, left in (("inviter", "2490.00"), ("invitee", "2495.00")):
        caption = page.get_by_test_id(f"campaign-burn-caption-{benefit[side]}")
        expect(caption).to_contain_text("已发放 1 份")
        expect(caption).to_contain_text("剩余库存 49")
        expect(caption).to_contain_text(f"剩余预算 ¥{left}")
        expect(page.get_by_test_id(f"campaign-burn-chart-{benefit[side]}").locator("canvas")).to_be_visible()
    for stage, n in (("joined", "2"), ("completed", "2"), ("rewarded", "2")):  # inviter and invitee
        expect(page.get_by_test_id(f"funnel-{stage}").locator(".ant-statistic-content-value")).to_have_text(n)
    invites = page.get_by_test_id("campaign-invites")
    expect(invites.get_by_test_id("invite-status-inviter")).to_be_visible()
    expect(invites.get_by_test_id("invite-status-completed")).to_be_visible()
    expect(invites).not_to_contain_text(inviter)  # customer numbers are masked
    page.context.close()


@pytest.fixture
def small_bank(platform: Platform, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Four customers of 广州天河, a maker and an approver, an administrator, and the bank app's write key."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    add_customers(platform, {f"GZ{i:07d}": {"name": f"广州客户{i}", "org_code": "GD-GZ-001",
                                            "phone": f"1390000000{i}"} for i in range(1, 5)})
    profiles.refresh_profiles(platform=platform)
    for name, role, org in (("gz_maker", "branch_operator", "GD-GZ"), ("gd_checker", "approver", "GD"),
                            ("boss", "admin", "HQ")):
        make_user(name, role, org)
    with platform.metadata.session() as s:
        return {"X-Api-Key": gov.create_key(session=s, name="bank app", actor="test").key}


def test_an_administrator_releases_and_refuses_held_invites_on_the_detail_page(
        live_server: str, api: httpx.Client, browser: Any, small_bank: dict[str, str]) -> None:
    tokens = {u: _login(api, u) for u in ("gz_maker", "gd_checker")}
    today = date.today()
    cid = api.post("/api/campaigns", headers=tokens["gz_maker"], json={
        "name": "广州·邀请有礼", "template_id": "mgm", "budget": 100, "stock": 10,
        "params": {"inviter_benefit_id": 1, "invitee_benefit_id": 2, "velocity_per_hour": 1},
        "starts_at": f"{today - timedelta(days=1)}T00:00:00Z", "ends_at": f"{today + timedelta(days=9)}T00:00:00Z",
    }).json()["id"]
    approval = api.post(f"/api/campaigns/{cid}/submit", headers=tokens["gz_maker"]).json()["id"]
    api.post(f"/api/approvals/{approval}/decide", headers=tokens["gd_checker"], json={"approve": True})
    assert api.post(f"/api/campaigns/{cid}/launch", headers=tokens["gz_maker"]).json()["status"] == "running"
    code = api.post(f"/api/campaign-api/campaigns/{cid}/invite-code", json={"customer_id": "GZ0000001"},
                    headers={**small_bank, "Idempotency-Key": "c1"}).json()["code"]
    statuses = [api.post(f"/api/campaign-api/campaigns/{cid}/invite-accept", headers={
        **small_bank, "Idempotency-Key": f"a{i}"}, json={"customer_id": f"GZ000000{i}", "code": code,
                                                        "device_id": "farm"}).json()["status"] for i in (2, 3, 4)]
    assert statuses == ["pending", "held", "held"]  # one device, three friends within the hour

    page = _screen(browser, 1366, 768)
    login_ui(page, live_server, "boss")
    page.goto(f"{live_server}/campaigns/{cid}")
    held = page.get_by_test_id("campaign-held")
    expect(held.locator("tbody tr.ant-table-row")).to_have_count(2)
    expect(held).to_contain_text("同一设备/IP 短时间内邀请过多")
    expect(held).not_to_contain_text("GZ0000003")  # customer numbers masked
    first, second = (api.get("/api/campaigns/referrals/held", params={"campaign_id": cid},
                             headers=_login(api, "boss")).json()[i]["id"] for i in (0, 1))
    page.get_by_test_id(f"held-release-{first}").click()
    expect(held.locator("tbody tr.ant-table-row")).to_have_count(1)
    page.get_by_test_id(f"held-refuse-{second}").click()
    page.locator(".ant-popconfirm .ant-btn-primary").click()
    expect(held).to_contain_text("没有待审核的邀请")
    tree = page.get_by_test_id("campaign-invites")
    expect(tree.get_by_test_id("invite-status-pending")).to_have_count(2)  # the first friend and the released one
    expect(tree.get_by_test_id("invite-status-refused")).to_have_count(1)
    expect(tree).to_contain_text("审核拒绝")
    audit = api.get("/api/admin/audit", params={"action": "mgm.review"}, headers=_login(api, "boss")).json()
    assert sorted(r["target_id"] for r in audit["items"]) == sorted([str(first), str(second)])
    page.context.close()

"""The campaign H5 page on a phone (375×812, zh-CN): an invitee opens the signed link from the message with the
inviter's code, accepts, completes the action; both sides are rewarded once and the page shows the reward."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from ui import serve

import mofang.campaigns
from factories import PASSWORD, add_customers
from mofang.insight import profiles
from mofang.integration import identities
from mofang.platform.context import Platform
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings

pytestmark = pytest.mark.browser
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def server(settings: Settings, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app (API and H5 pages; the console build is not needed) on a free loopback port."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with serve(settings, platform, console=False) as url:
        yield url


def _bank(platform: Platform) -> str:
    add_customers(platform, {"g1": {"name": "广州1", "org_code": "GD-GZ-001", "phone": "13900000001"},
                             "g2": {"name": "广州2", "org_code": "GD-GZ-001", "phone": "13900000002"}})
    identities.sync_master(platform=platform)
    profiles.refresh_profiles(platform=platform)
    platform.extras["clock"] = lambda: NOW
    with platform.metadata.session() as s:
        for name, role, org in (("maker", "branch_operator", "GD-GZ"), ("checker", "approver", "GD")):
            gov.create_user(session=s, data=UserCreate(username=name, password=PASSWORD, role=role, org_code=org),
                            actor="test")
        return gov.create_key(session=s, name="app", actor="test").key


def _login(c: httpx.Client, name: str) -> dict[str, str]:
    res = c.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def test_an_invitee_accepts_on_the_phone_page_and_both_are_rewarded_once(server: str, platform: Platform, page: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    issued: dict[str, tuple[str, int]] = {}
    monkeypatch.setattr(mofang.campaigns, "issue_benefit", lambda **kw: issued.setdefault(
        kw["idempotency_key"], (kw["customer_id"], kw["benefit_id"])) and {"ok": True}, raising=False)
    key = {"X-Api-Key": _bank(platform)}
    with httpx.Client(base_url=server, timeout=30) as c:
        maker, checker = _login(c, "maker"), _login(c, "checker")
        cid = c.post("/api/campaigns", headers=maker, json={
            "name": "邀请好友测额", "template_id": "mgm", "budget": 1000, "stock": 100,
            "params": {"inviter_benefit_id": 12, "invitee_benefit_id": 13},
            "starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-31T00:00:00Z"}).json()["id"]
        approval = c.post(f"/api/campaigns/{cid}/submit", headers=maker).json()["id"]
        assert c.post(f"/api/approvals/{approval}/decide", headers=checker, json={"approve": True}).status_code == 200
        assert c.post(f"/api/campaigns/{cid}/launch", headers=maker).json()["status"] == "running"
        code = c.post(f"/api/campaign-api/campaigns/{cid}/invite-code", json={"customer_id": "g1"},
                      headers={**key, "Idempotency-Key": "code-g1"}).json()["code"]
        link = c.post(f"/api/campaign-api/campaigns/{cid}/h5-link", json={"customer_id": "g2"}, headers=key).json()

        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{server}{link['path']}?code={code}")
        expect(page.get_by_role("heading", name="邀请好友测额")).to_be_visible()
        expect(page.locator("#code")).to_have_value(code)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
        page.get_by_role("button", name="接受邀请").click()
        expect(page.locator("#result")).to_have_text("已接受邀请，完成任务后双方得奖励")
        page.get_by_role("button", name="接受邀请").click()  # a second tap: already accepted, nothing new
        expect(page.locator("#result")).to_have_text("您已接受过邀请")

        for attempt in ("done-1", "done-1", "done-2"):  # a retry and a second report reward nobody twice
            c.post(f"/api/campaign-api/campaigns/{cid}/actions", json={"customer_id": "g2",
                                                                       "action": "loan_quota_check"},
                   headers={**key, "Idempotency-Key": attempt})
        assert sorted(issued.values()) == [("g1", 12), ("g2", 13)]
        page.reload()
        expect(page.locator("#progress")).to_contain_text("已得奖励 1 个")

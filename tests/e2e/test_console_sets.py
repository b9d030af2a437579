"""The console in a real browser: head office packs two segments and a strategy into a set (客群集), shares it with
Shenzhen; Shenzhen references it and sees only its own customers."""

from __future__ import annotations

import time
from datetime import date

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers

pytestmark = pytest.mark.browser

STRATEGY = "工资日后一天推送基金定投权益，客户经理电话跟进"


@pytest.fixture
def bank(platform, make_user) -> None:
    """Ten customers in Shenzhen, Guangzhou and Hangzhou; an HQ operator and a Shenzhen branch operator."""
    people = {
        "SZ1": ("GD-SZ-001", 500_000.0, date(1995, 1, 1)), "SZ2": ("GD-SZ-001", 300_000.0, date(1970, 1, 1)),
        "SZ3": ("GD-SZ-001", 20_000.0, date(1998, 1, 1)), "SZ4": ("GD-SZ-001", 50_000.0, date(1999, 1, 1)),
        "GZ1": ("GD-GZ-001", 800_000.0, date(1996, 1, 1)), "GZ2": ("GD-GZ-001", 10_000.0, date(1960, 1, 1)),
        "GZ3": ("GD-GZ-001", 10_000.0, date(1965, 1, 1)),
        "HZ1": ("ZJ-HZ-001", 900_000.0, date(1980, 1, 1)), "HZ2": ("ZJ-HZ-001", 250_000.0, date(1997, 1, 1)),
        "HZ3": ("ZJ-HZ-001", 5_000.0, date(1975, 1, 1)),
    }
    add_customers(platform, {cid: {"name": f"客户{cid}", "org_code": org, "aum": aum, "birth_date": born}
                             for cid, (org, aum, born) in people.items()})
    make_user("hq_sets", "hq_operator", "HQ")
    make_user("sz_sets", "branch_operator", "GD-SZ")


def headers(base: str, username: str) -> dict[str, str]:
    """Authorization header of a user, for checking the console against the API."""
    res = httpx.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def committed(base: str, headers: dict[str, str], path: str) -> None:
    """Wait until GET `path` answers 200: the API commits a write just after answering it."""
    deadline = time.monotonic() + 10
    while (res := httpx.get(base + path, headers=headers)).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert res.status_code == 200, res.text


@pytest.mark.usefixtures("bank")
def test_hq_shares_a_set_and_the_branch_references_it_within_its_scope(live_server: str, page, browser) -> None:
    hq = headers(live_server, "hq_sets")
    ids = {}
    for name, definition in (("高净值客户", {"type": "attribute", "field": "aum", "op": "gte", "value": 200_000}),
                             ("年轻客户", {"type": "attribute", "field": "age", "op": "lt", "value": 35})):
        res = httpx.post(live_server + "/api/insight/segments", headers=hq,
                         json={"name": name, "definition": definition})
        assert res.status_code == 201, res.text
        ids[name] = res.json()["id"]
        committed(live_server, hq, f"/api/insight/segments/{ids[name]}")

    # Head office builds the set with a written strategy and shares it with the Shenzhen branch.
    login_ui(page, live_server, "hq_sets")
    page.goto(live_server + "/insight/sets")
    page.get_by_test_id("set-new").click()
    page.get_by_test_id("set-name").fill("四季度财富提升")
    pick(page, "set-segments", "高净值客户")
    pick(page, "set-segments", "年轻客户", close=True)
    page.get_by_test_id("set-strategy").fill(STRATEGY)
    page.get_by_test_id("set-create-confirm").click()
    row = page.locator("[data-testid^='set-row-']", has_text="四季度财富提升")
    expect(row).to_contain_text(STRATEGY)
    set_id = int(row.get_attribute("data-testid").removeprefix("set-row-"))
    page.get_by_test_id(f"set-share-{set_id}").click()
    pick(page, "set-share-orgs", "深圳市分行", close=True)
    page.get_by_test_id("set-share-confirm").click()
    expect(row).to_contain_text("GD-SZ")
    expect(page.get_by_test_id(f"set-refs-{set_id}")).to_have_text("0")

    # The Shenzhen operator receives it, references it and sees only Shenzhen's members.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        branch = context.new_page()
        branch.set_default_timeout(15_000)
        login_ui(branch, live_server, "sz_sets")
        branch.goto(live_server + "/insight/sets")
        theirs = branch.get_by_test_id(f"set-row-{set_id}")
        expect(theirs).to_contain_text(STRATEGY)
        assert branch.get_by_test_id(f"set-share-{set_id}").count() == 0  # only the owner shares
        branch.get_by_test_id(f"set-ref-{set_id}").click()
        expect(branch.get_by_test_id(f"set-unref-{set_id}")).to_be_visible()
        theirs.locator(".ant-table-row-expand-icon").click()
        sz = headers(live_server, "sz_sets")
        scoped = {g["id"]: g["count"] for g in
                  httpx.get(live_server + f"/api/insight/segment-sets/{set_id}", headers=sz).json()["segments"]}
        for name, seg_id in ids.items():
            members = httpx.get(live_server + f"/api/insight/segments/{seg_id}/members", headers=sz).json()
            assert {m["org_code"] for m in members["items"]} == {"GD-SZ-001"}, name
            assert scoped[seg_id] == members["total"]
            expect(branch.get_by_test_id(f"set-count-{set_id}-{seg_id}")).to_have_attribute(
                "data-count", str(members["total"]))
        assert scoped == {ids["高净值客户"]: 2, ids["年轻客户"]: 3}  # SZ1, SZ2; SZ1, SZ3, SZ4
    finally:
        context.close()

    # The owner sees the reference and the bank-wide counts, larger than the branch's.
    page.reload()
    expect(page.get_by_test_id(f"set-refs-{set_id}")).to_have_text("1")
    page.get_by_test_id(f"set-row-{set_id}").locator(".ant-table-row-expand-icon").click()
    for seg_id in ids.values():
        shown = page.get_by_test_id(f"set-count-{set_id}-{seg_id}")
        expect(shown).not_to_have_attribute("data-count", "")
        assert int(shown.get_attribute("data-count")) > scoped[seg_id]
    expect(page.get_by_test_id(f"set-count-{set_id}-{ids['高净值客户']}")).to_have_attribute("data-count", "5")

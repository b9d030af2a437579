"""活动中心 → 权益 in the console: define a coupon, give it stock and a budget, hand Shenzhen a share, watch the claims
arrive in the ledger and the reconciliation (with its burn-down), and export it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from ui import login_ui

from mofang import campaigns
from mofang.platform.context import Platform

pytestmark = pytest.mark.browser


def test_operator_sets_up_a_coupon_and_reconciles_its_claims(live_server: str, page, make_user,
                                                             platform: Platform) -> None:
    make_user("boss", "admin", "HQ")
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "boss")
    page.goto(live_server + "/campaigns/benefits")
    expect(page.get_by_role("heading", name="权益管理")).to_be_visible()

    page.get_by_test_id("benefit-new").click()
    page.get_by_test_id("benefit-name").fill("新客礼10元红包")
    page.get_by_test_id("benefit-amount").fill("10")
    page.locator(".ant-modal .ant-btn-primary").click()
    catalogue = page.get_by_test_id("benefit-catalogue")
    expect(catalogue.get_by_text("新客礼10元红包")).to_be_visible()
    expect(catalogue.get_by_text("现金红包 / 返现")).to_be_visible()
    expect(catalogue.get_by_text("发放时")).to_be_visible()

    page.get_by_role("tab", name="库存与预算").click()
    page.get_by_test_id("pool-new").click()
    page.get_by_test_id("pool-benefit").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option").first.click()
    page.get_by_test_id("pool-stock").fill("5")
    page.get_by_test_id("pool-budget").fill("50")
    page.locator(".ant-modal .ant-btn-primary").click()
    pools = page.get_by_test_id("benefit-pools")
    expect(pools.get_by_text("¥50.00").first).to_be_visible()
    pools.locator("[data-testid^=pool-allocate-]").first.click()
    page.get_by_test_id("pool-org").fill("GD-SZ")
    page.get_by_test_id("pool-stock").fill("2")
    page.get_by_test_id("pool-budget").fill("20")
    page.locator(".ant-modal:visible .ant-btn-primary").click()
    expect(pools.get_by_text("GD-SZ", exact=True)).to_be_visible()

    now = datetime.now(UTC)
    answers = [campaigns.claim(platform=platform, benefit_id=1, customer_id=c, idempotency_key=c, org_code=org,
                               now=now)
               for c, org in (("sz1", "GD-SZ-001"), ("sz2", "GD-SZ-001"), ("sz3", "GD-SZ-001"), ("hz1", "ZJ"))]
    assert [a.status for a in answers] == ["issued", "issued", "refused", "issued"]

    page.get_by_role("tab", name="发放台账").click()
    ledger = page.get_by_test_id("benefit-ledger")
    expect(ledger.get_by_text("库存已领完")).to_be_visible()
    expect(ledger.get_by_text("已发放")).to_have_count(3)

    page.get_by_role("tab", name="对账").click()
    rec = page.get_by_test_id("benefit-reconciliation")
    expect(rec.get_by_text("库存已领完 1")).to_have_count(2)  # Shenzhen's row and the total
    expect(rec.get_by_text("合计")).to_be_visible()
    expect(page.get_by_test_id("benefit-burndown").locator("canvas")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("benefit-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "已发放" in text and "GD-SZ" in text
    page.screenshot(path="/tmp/benefits-console.png", full_page=True)

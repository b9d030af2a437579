"""The console in a real browser: head office trains the churn model, reads its held-out quality, works the masked
warning list and turns it into a segment."""

from __future__ import annotations

import time
from datetime import date, datetime

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD
from mofang.demo.service import generate_bank
from mofang.platform.governance.logic import mask_name, mask_phone

pytestmark = pytest.mark.browser

END = date(2026, 11, 20)


@pytest.fixture
def demo(platform, make_user) -> None:
    """A small generated bank: 400 customers over 120 days ending END (enough history to hold out 60 days)."""
    generate_bank(platform=platform, customers=400, days=120, seed=11, end_date=END)
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    make_user("hq_churn", "hq_operator", "HQ")


def shown_number(page, test_id: str) -> float:
    """The number a Statistic shows (a trailing % is dropped)."""
    return float(page.get_by_test_id(test_id).locator(".ant-statistic-content").inner_text().strip().rstrip("%"))


@pytest.mark.usefixtures("demo")
def test_hq_trains_reads_metrics_and_opens_the_warning_segment(live_server: str, page, platform) -> None:
    login_ui(page, live_server, "hq_churn")
    page.goto(live_server + "/insight/ml/churn")
    expect(page.get_by_test_id("churn-segment")).to_be_disabled()  # nothing to warn about before a model exists
    page.get_by_test_id("churn-train").click()
    expect(page.get_by_test_id("churn-auc")).not_to_contain_text("—", timeout=60_000)

    res = httpx.post(live_server + "/api/auth/login", json={"username": "hq_churn", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {res.json()['access_token']}"}
    churn = httpx.get(live_server + "/api/insight/ml/churn", headers=headers).json()
    metrics = churn["metrics"]
    assert metrics["auc"] is not None and metrics["precision_top5"] is not None
    assert abs(shown_number(page, "churn-auc") - metrics["auc"]) <= 0.005
    assert abs(shown_number(page, "churn-precision-top5") - 100 * metrics["precision_top5"]) <= 0.05
    expect(page.get_by_test_id("churn-metrics")).to_contain_text(metrics["holdout_cutoff"])

    # The high-risk list: as many as the model marked 高, names and phones masked.
    high = next(b["count"] for b in churn["distribution"] if b["level"] == "高")
    assert high > 0
    expect(page.get_by_test_id("churn-high-total")).to_have_attribute("data-total", str(high))
    rows = page.locator("[data-testid^='churn-row-']")
    expect(rows.first).to_be_visible()
    ids = [rows.nth(i).get_attribute("data-testid").removeprefix("churn-row-") for i in range(rows.count())]
    assert len(ids) == min(high, 20)
    people = platform.store.query("SELECT customer_id, name, phone_enc FROM customers WHERE list_contains(?, "
                                  "customer_id)", [ids])
    table = page.get_by_test_id("churn-table").inner_text()
    assert len(people) == len(ids)
    for person in people:
        shown = page.get_by_test_id(f"churn-row-{person['customer_id']}").inner_text()
        assert person["name"] not in table and mask_name(person["name"]) in shown
        phone = platform.cipher.decrypt(person["phone_enc"])
        assert phone not in table and mask_phone(phone) in shown

    # The warning list as a segment a journey can enter: it holds exactly the high-risk customers.
    page.get_by_test_id("churn-segment").click()
    expect(page.get_by_test_id("churn-segment-saved")).to_be_visible()
    path = page.get_by_test_id("churn-segment-link").get_attribute("href")
    deadline = time.monotonic() + 10  # the API commits just after answering: wait until the segment is readable
    while httpx.get(live_server + "/api" + path, headers=headers).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    page.get_by_test_id("churn-segment-link").click()
    page.wait_for_url("**/insight/segments/*")
    expect(page.get_by_test_id("segment-members")).to_be_visible()
    expect(page.get_by_text(f"共 {high} 条", exact=True)).to_be_visible()  # the members table's total

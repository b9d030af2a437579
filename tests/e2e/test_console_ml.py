"""The console in a real browser: an HQ operator trains a decision tree and saves a leaf as a segment."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser

END = date(2026, 11, 20)
START = END - timedelta(days=119)


def _ts(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


@pytest.fixture
def planted(platform, make_user) -> dict[str, int]:
    """300 customers aged 20–49: those under 30 buy funds far more often (60% vs 5% a month).

    Birthdays all fall in January–August, so every age is the same on the training cutoff, the holdout
    cutoff and today: the leaf's training count must equal the segment's member count today.
    """
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    rng = random.Random(7)
    orgs = ["GD-SZ-001", "GD-GZ-001", "ZJ-HZ-001"]
    people: dict[str, dict] = {}
    ages: dict[str, int] = {}
    events: dict[str, list] = {}
    for i in range(300):
        cid = f"P{i:03d}"
        age = 20 + i % 30
        ages[cid] = age
        people[cid] = {"name": f"客户{i}", "org_code": orgs[i % 3],
                       "birth_date": date(END.year - age, 1 + i % 8, 1 + i % 27),
                       "gender": "M" if rng.random() < 0.5 else "F", "aum": float(rng.randint(1_000, 500_000)),
                       "open_date": date(2020, 1, 1)}
        rate = 0.6 if age < 30 else 0.05
        items = [("login", _ts(START + timedelta(days=rng.randrange(120))), {}) for _ in range(3)]
        for month in range(4):
            if rng.random() < rate:
                items.append(("fund_purchase", _ts(START + timedelta(days=month * 30 + rng.randrange(30)), 11),
                              {"amount": 1000}))
        events[cid] = items
    add_customers(platform, people)
    events_for(platform, events)
    with platform.store.write() as cur:
        cur.execute("""INSERT INTO aum_daily SELECT c.customer_id, CAST(d AS DATE), c.aum
                       FROM customers c, range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY) t(d)""",
                    [START, END + timedelta(days=1)])
    make_user("hq_ml", "hq_operator", "HQ")
    return ages






def test_hq_operator_saves_a_tree_leaf_as_a_segment(live_server: str, page, planted: dict[str, int]) -> None:
    login_ui(page, live_server, "hq_ml")
    page.goto(live_server + "/insight/ml/tree")
    pick(page, "tree-target", "fund_purchase", close=True)
    pick(page, "tree-features", "age", close=True)
    page.get_by_test_id("tree-max-depth").fill("1")
    page.get_by_test_id("tree-min-leaf").fill("20")
    page.get_by_test_id("tree-train").click()

    expect(page.get_by_test_id("tree-node-0")).to_contain_text("300")
    young = page.locator("[data-testid^='tree-node-']", has_text="年龄 ≤")
    expect(young).to_have_count(1)
    node_id = young.get_attribute("data-testid").removeprefix("tree-node-")
    shown = int(page.get_by_test_id(f"tree-count-{node_id}").inner_text().replace(",", ""))
    assert 0 < shown < 300
    expect(page.get_by_test_id("tree-rules")).to_contain_text("若 年龄 ≤")

    page.get_by_test_id(f"tree-leaf-save-{node_id}").click()
    page.get_by_test_id("tree-leaf-name").fill("年轻基金客群")
    page.get_by_test_id("tree-leaf-confirm").click()
    saved = page.get_by_test_id("tree-saved")
    expect(saved).to_contain_text("年轻基金客群")
    segment_id = saved.get_attribute("data-segment-id")

    token = httpx.post(live_server + "/api/auth/login", json={"username": "hq_ml", "password": PASSWORD}).json()
    res = httpx.get(live_server + f"/api/insight/segments/{segment_id}/members", params={"limit": 1},
                    headers={"Authorization": f"Bearer {token['access_token']}"})
    assert res.status_code == 200, res.text
    assert res.json()["total"] == shown
    cut = max(age for age in planted.values() if age < 30)  # the planted rule's boundary
    assert shown == sum(1 for age in planted.values() if age <= cut)

    page.get_by_test_id("tree-saved-link").click()
    page.wait_for_url(f"**/insight/segments/{segment_id}")


def test_churn_rules_form_shows_the_servers_field_error(live_server: str, page, planted: dict[str, int]) -> None:
    login_ui(page, live_server, "hq_ml")
    page.goto(live_server + "/insight/ml/churn")
    drop = page.get_by_test_id("churn-aum-drop")
    expect(drop).to_have_value("50")
    drop.fill("500")
    page.get_by_test_id("churn-rules-save").click()
    # FastAPI's 422 (type less_than_equal) in the console's language, beside the field.
    expect(page.get_by_test_id("churn-rules")).to_contain_text("应小于或等于 100")
    drop.fill("40")
    page.get_by_test_id("churn-rules-save").click()
    expect(page.get_by_text("流失定义已保存")).to_be_visible()
    expect(page.get_by_test_id("churn-rules")).not_to_contain_text("应小于或等于 100")
    token = httpx.post(live_server + "/api/auth/login", json={"username": "hq_ml", "password": PASSWORD}).json()
    res = httpx.get(live_server + "/api/insight/ml/churn", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert res.json()["rules"]["aum_drop_pct"] == 40

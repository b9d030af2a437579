"""The console in a real browser: a branch operator builds a segment with a behaviour condition."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser


def ago(days: int) -> datetime:
    """Noon `days` days ago (well inside a rolling window that counts today)."""
    return (datetime.now() - timedelta(days=days)).replace(hour=4, minute=0, second=0, microsecond=0)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Shenzhen customers who viewed products more or less often, plus one in Hangzhou (out of scope)."""
    add_customers(platform, {
        "S1": {"name": "李一", "org_code": "GD-SZ-001"},
        "S2": {"name": "李二", "org_code": "GD-SZ-001"},
        "S3": {"name": "李三", "org_code": "GD-SZ-001"},
        "S4": {"name": "李四", "org_code": "GD-SZ-001"},
        "H1": {"name": "王五", "org_code": "ZJ-HZ-001"},
    })

    def views(*days: int) -> list:
        return [("product_view", ago(d), {"product_type": "基金"}) for d in days]

    events_for(platform, {
        "S1": views(1, 2, 3),            # 3 in the last 30 days: in
        "S2": views(1, 5, 9, 12, 20),    # 5: in
        "S3": views(2, 4),               # 2: out
        "S4": views(40, 41, 42, 43),     # 4, but too long ago: out
        "H1": views(1, 2, 3),            # 3, but another branch: out of the operator's scope
    })
    make_user("sz_ops", "branch_operator", "GD-SZ")






@pytest.mark.usefixtures("bank")
def test_branch_operator_builds_a_behaviour_segment(live_server: str, page) -> None:
    login_ui(page, live_server, "sz_ops")
    page.goto(live_server + "/insight/segments/new")
    page.get_by_test_id("segment-name").fill("近30天浏览产品3次以上")
    page.get_by_test_id("add-condition").click()
    page.get_by_test_id("add-condition-behaviour").click()
    pick(page, "cond-0-event", "product_view")
    page.get_by_test_id("cond-0-value").locator("input").fill("3")
    page.get_by_test_id("cond-0-days").locator("input").fill("30")

    estimate = page.get_by_test_id("segment-estimate")
    expect(estimate).to_have_attribute("data-loading", "0")
    expect(estimate).to_have_text("2")
    expect(page.get_by_test_id("segment-estimate-ratio")).to_contain_text("4")  # of the 4 Shenzhen customers
    assert page.get_by_test_id("segment-export").count() == 0  # no data:export for a branch operator

    page.get_by_test_id("segment-save").click()
    page.wait_for_url(re.compile(r"/insight/segments/\d+$"))
    page.get_by_test_id("segment-members").get_by_text("S2").wait_for()

    page.goto(live_server + "/insight/segments")
    row = page.get_by_test_id("segment-table").locator("tr", has_text="近30天浏览产品3次以上")
    expect(row).to_be_visible()
    expect(row).to_contain_text("sz_ops")


@pytest.mark.usefixtures("bank")
def test_segment_builder_nests_groups_and_negates(live_server: str, page) -> None:
    login_ui(page, live_server, "sz_ops")
    page.goto(live_server + "/insight/segments/new")
    page.get_by_test_id("add-condition").click()
    page.get_by_test_id("add-condition-behaviour").click()
    pick(page, "cond-0-event", "product_view")
    expect(page.get_by_test_id("segment-estimate")).to_have_text("3")  # viewed at least once in 30 days
    page.get_by_test_id("cond-not-0").click()
    expect(page.get_by_test_id("segment-estimate")).to_have_text("1")  # S4 only


@pytest.mark.usefixtures("bank")
def test_hq_operator_exports_a_saved_segment_as_csv(live_server: str, page, make_user) -> None:
    make_user("hq_ops", "hq_operator", "HQ")
    token = httpx.post(live_server + "/api/auth/login", json={"username": "hq_ops", "password": PASSWORD}).json()
    definition = {"type": "group", "op": "and", "conditions": [
        {"type": "behaviour", "event": "product_view", "op": "gte", "value": 3, "window": {"last_days": 30}}]}
    res = httpx.post(live_server + "/api/insight/segments", json={"name": "导出测试", "definition": definition},
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert res.status_code == 201, res.text

    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + f"/insight/segments/{res.json()['id']}")
    with page.expect_download() as info:
        page.get_by_test_id("segment-export").click()
    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert {"S1", "S2", "H1"} <= set(re.findall(r"^(\w+),", content, flags=re.M))  # HQ sees Hangzhou too
    assert "S3" not in content

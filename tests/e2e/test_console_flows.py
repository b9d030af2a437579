"""The console in a real browser: tier flows (客群流向) by a tag and by an ordered list of segments."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for
from mofang.insight.segments import tasks as segment_tasks
from mofang.insight.tags import tasks as tag_tasks

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 20)
EARLIER = date(2026, 10, 20)
NONE = "(无)"


def at(days_ago: int, hour: int = 10) -> datetime:
    """A timestamp `days_ago` before TODAY."""
    d = TODAY - timedelta(days=days_ago)
    return datetime(d.year, d.month, d.day, hour)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Six customers whose lifecycle stages are computed on EARLIER and TODAY (V6 wakes up in between)."""
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18)
    add_customers(platform, {
        "V1": {"name": "冠军", "org_code": "GD-SZ-001", "aum": 800_000.0, "open_date": date(2015, 1, 1)},
        "V2": {"name": "流失大户", "org_code": "GD-SZ-001", "aum": 300_000.0, "open_date": date(2016, 1, 1)},
        "V3": {"name": "新客", "org_code": "GD-GZ-001", "aum": 20_000.0, "open_date": date(2026, 10, 1)},
        "V4": {"name": "沉睡", "org_code": "ZJ-HZ-001", "aum": 60_000.0, "open_date": date(2018, 1, 1)},
        "V5": {"name": "潜客", "org_code": "ZJ-HZ-001", "aum": 0.0, "open_date": date(2019, 1, 1)},
        "V6": {"name": "稳健", "org_code": "GD-GZ-001", "aum": 100_000.0, "open_date": date(2017, 1, 1)},
    })
    with platform.store.write() as cur:
        rows = [("V1", at(d), "card_spend", "out", 20_000.0) for d in (1, 3, 5, 8, 12, 20)]
        rows += [("V2", at(d), "purchase", "out", 50_000.0) for d in (70, 72, 75, 80)]
        rows += [("V3", at(2), "card_spend", "out", 100.0), ("V6", at(4), "card_spend", "out", 50.0)]
        cur.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, '餐饮', 'app', NULL)",
                        [[f"T{i}", c, ts, t, d, a] for i, (c, ts, t, d, a) in enumerate(rows)])
    events_for(platform, {
        "V1": [("login", at(d, 13), {}) for d in (0, 1, 2, 7)],
        "V3": [("login", at(1, 1), {})],
        "V4": [("login", at(60, 4), {})],
        "V6": [("login", at(3, 0), {}), ("login", at(10, 0), {})],
    })
    make_user("hq_flow", "hq_operator", "HQ")


def token(base: str, username: str) -> dict[str, str]:
    """Authorization header of a user, for checking the console against the API."""
    res = httpx.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def committed(base: str, headers: dict[str, str], path: str) -> httpx.Response:
    """GET `path` until it answers 200: the API commits a write just after answering it, so an immediate read by
    another connection (the daily job here, the next request) may not see it yet."""
    deadline = time.monotonic() + 10
    while (res := httpx.get(base + path, headers=headers)).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert res.status_code == 200, res.text
    return res


def api_flow(base: str, headers: dict[str, str], body: dict) -> dict:
    """The flow the API answers for `body`."""
    res = httpx.post(base + "/api/insight/flows", json=body, headers=headers)
    assert res.status_code == 200, res.text
    return res.json()


def matrix_order(flow: dict) -> tuple[list[str], list[str]]:
    """Rows and columns of the matrix as the console lays them out: the server's tier order, present tiers only."""
    def present(labels: set[str]) -> list[str]:
        return [t for t in flow["tiers"] if t in labels] + sorted(labels - set(flow["tiers"]))

    return present({c["source"] for c in flow["cells"]}), present({c["target"] for c in flow["cells"]})


def shown_cells(page) -> int:
    """Sum of the counts in every cell of the matrix on screen."""
    cells = page.locator("[data-testid^='flows-cell-']")
    return sum(int(cells.nth(i).get_attribute("data-count")) for i in range(cells.count()))


def test_tag_flow_matrix_matches_the_api_and_a_cell_becomes_a_segment(live_server: str, page, bank, platform
                                                                      ) -> None:
    tag_tasks.run_daily(platform, EARLIER)
    tag_tasks.run_daily(platform, TODAY)
    headers = token(live_server, "hq_flow")
    body = {"tag": "lifecycle_stage", "start": str(EARLIER), "end": str(TODAY)}
    api = api_flow(live_server, headers, body)
    api_total = sum(c["count"] for c in api["cells"])
    assert api_total == 6

    login_ui(page, live_server, "hq_flow")
    # A bookmarked flow: the URL carries the tiering and both dates.
    page.goto(live_server + f"/insight/flows?tag=lifecycle_stage&start={EARLIER}&end={TODAY}")
    expect(page.get_by_test_id("flows-total")).to_have_attribute("data-total", str(api_total))
    assert shown_cells(page) == api_total
    expect(page.get_by_test_id("flows-sankey")).to_be_visible()
    expect(page.get_by_test_id("flows-trend")).to_be_visible()

    rows, cols = matrix_order(api)
    woke = next(c for c in api["cells"] if (c["source"], c["target"]) == ("沉睡", "成长"))
    cell = page.get_by_test_id(f"flows-cell-{rows.index('沉睡')}-{cols.index('成长')}")
    expect(cell).to_have_attribute("data-count", str(woke["count"]))
    cell.click()
    page.get_by_test_id("flows-save-name").fill("沉睡唤醒客群")
    page.get_by_test_id("flows-save-confirm").click()
    expect(page.get_by_test_id("flows-saved")).to_contain_text("沉睡唤醒客群")
    href = page.get_by_test_id("flows-saved-link").get_attribute("href")
    segment_id = re.search(r"/insight/segments/(\d+)$", href).group(1)
    members = committed(live_server, headers, f"/api/insight/segments/{segment_id}/members").json()
    assert members["total"] == woke["count"] and [m["customer_id"] for m in members["items"]] == ["V6"]

    page.get_by_test_id("flows-saved-link").click()
    page.wait_for_url(f"**/insight/segments/{segment_id}")
    expect(page.get_by_test_id("segment-members")).to_contain_text("V6")
    expect(page.get_by_text(f"共 {woke['count']} 条", exact=True)).to_be_visible()  # the members table's total


def test_segment_tiering_of_two_segments_renders_and_reorders(live_server: str, page, bank, platform) -> None:
    headers = token(live_server, "hq_flow")

    def segment(name: str, definition: dict) -> int:
        res = httpx.post(live_server + "/api/insight/segments", headers=headers,
                         json={"name": name, "definition": definition})
        assert res.status_code == 201, res.text
        committed(live_server, headers, f"/api/insight/segments/{res.json()['id']}")
        return res.json()["id"]

    # Who logged in within 30 days changes between the two days (V4 then; V1, V3, V6 now).
    active = segment("近30天登录", {"type": "behaviour", "event": "login", "op": "gte", "value": 1,
                                    "window": {"last_days": 30}})
    wealthy = segment("五万以上", {"type": "attribute", "field": "aum", "op": "gte", "value": 50_000})
    for day in (EARLIER, TODAY):
        segment_tasks.run_daily(platform, day)

    login_ui(page, live_server, "hq_flow")
    page.goto(live_server + "/insight/flows")
    page.get_by_test_id("flows-mode").get_by_text("按客群").click()
    pick(page, "flows-segments", "近30天登录")
    pick(page, "flows-segments", "五万以上")
    expect(page.get_by_test_id("flows-tier-0")).to_contain_text("近30天登录")
    expect(page.get_by_test_id("flows-tier-1")).to_contain_text("五万以上")
    # Only the two snapshot days can be compared: the range moves onto them.
    expect(page.get_by_test_id("flows-snapshot-days")).to_contain_text("2026-11-20")
    page.get_by_test_id("flows-run").click()

    api = api_flow(live_server, headers, {"segment_ids": [active, wealthy], "start": str(EARLIER), "end": str(TODAY)})
    api_total = sum(c["count"] for c in api["cells"])
    assert api["tiers"][:2] == ["近30天登录", "五万以上"]
    # V1, V6: wealthy → logged in; V2: wealthy → wealthy; V3: other → logged in; V4: logged in → wealthy.
    assert {(c["source"], c["target"]): c["count"] for c in api["cells"]} == {
        ("近30天登录", "五万以上"): 1, ("五万以上", "近30天登录"): 2, ("五万以上", "五万以上"): 1,
        (NONE, "近30天登录"): 1}
    expect(page.get_by_test_id("flows-total")).to_have_attribute("data-total", str(api_total))
    assert shown_cells(page) == api_total == 5
    rows, cols = matrix_order(api)
    expect(page.get_by_test_id(f"flows-cell-{rows.index('五万以上')}-{cols.index('近30天登录')}")).to_have_attribute(
        "data-count", "2")
    matrix = page.get_by_test_id("flows-matrix")
    expect(matrix).to_contain_text("其他")  # V3 was in neither segment on the start day
    expect(matrix).not_to_contain_text(NONE)
    expect(page.get_by_test_id("flows-sankey")).to_be_visible()
    expect(page.get_by_test_id("flows-trend")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"mode=segments&segments={active}%2C{wealthy}&start={EARLIER}&end={TODAY}"))

    # Order matters: with the wealthy first, wealthy recent log-ins land in the first tier.
    page.get_by_test_id("flows-tier-down-0").click()
    expect(page.get_by_test_id("flows-tier-0")).to_contain_text("五万以上")
    page.get_by_test_id("flows-run").click()
    expect(page).to_have_url(re.compile(rf"segments={wealthy}%2C{active}"))
    swapped = api_flow(live_server, headers,
                       {"segment_ids": [wealthy, active], "start": str(EARLIER), "end": str(TODAY)})
    expect(page.get_by_test_id("flows-total")).to_have_attribute(
        "data-total", str(sum(c["count"] for c in swapped["cells"])))
    rows, cols = matrix_order(swapped)
    first = next(c for c in swapped["cells"] if c["source"] == rows[0])
    expect(page.get_by_test_id(f"flows-cell-0-{cols.index(first['target'])}")).to_have_attribute(
        "data-count", str(first["count"]))

"""Tiering by an ordered list of segments: the flow matrix, trend and cell → segment follow the first-match rule
over the segments' dated snapshots (static ones frozen), inside the viewer's scope."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from conftest import PEOPLE, TODAY
from mofang.insight.catalogue import SEGMENT_MEMBERS
from mofang.insight.ml.churn_service import ensure_churn_tags
from mofang.insight.segments import tasks
from mofang.insight.tags.service import write_values

EARLIER = TODAY - timedelta(days=20)
NONE = "(无)"


def fund_viewers() -> dict:
    """Viewed a fund product in the last 10 days: who that is moves with the evaluation day."""
    return {"type": "behaviour", "event": "product_view", "op": "gte", "value": 1, "window": {"last_days": 10},
            "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]}


def rich() -> dict:
    """AUM of 100k or more: the same on every day."""
    return {"type": "attribute", "field": "aum", "op": "gte", "value": 100_000}


def young() -> dict:
    """Under 30 (frozen on creation as a static segment)."""
    return {"type": "attribute", "field": "age", "op": "lt", "value": 30}


def snapshot(platform, segment_id: int, day: date) -> set[str]:
    """Members of a segment's stored snapshot of one day, read straight from the store."""
    rows = platform.store.query(f"SELECT customer_id FROM {SEGMENT_MEMBERS} WHERE segment_id = ? AND day = ?",
                                [segment_id, day])
    return {r["customer_id"] for r in rows}


def expected_cells(tiers: list[tuple[str, set[str], set[str]]], customers: set[str]) -> Counter:
    """Plain Python: each customer's first tier on each day ((无) when none), customers in none on both left out."""
    def tier_of(cid: str, which: int) -> str:
        return next((label for label, *days in tiers if cid in days[which]), NONE)

    cells = Counter((tier_of(c, 0), tier_of(c, 1)) for c in customers)
    cells.pop((NONE, NONE), None)
    return cells


@pytest.fixture
def tiering(app_client: TestClient, platform, admin_headers) -> dict:
    """Three HQ segments (two dynamic with snapshots on EARLIER and TODAY, one static) in a set shared with GD-SZ."""
    def create(name: str, definition: dict, kind: str = "dynamic") -> dict:
        res = app_client.post("/api/insight/segments", headers=admin_headers,
                              json={"name": name, "definition": definition, "kind": kind})
        assert res.status_code == 201, res.text
        return res.json()

    segs = [create("近10天看基金", fund_viewers()), create("AUM十万以上", rich()),
            create("青年客户", young(), "static")]
    tasks.run_daily(platform, EARLIER)
    tasks.run_daily(platform, TODAY)
    members = [(s["name"], snapshot(platform, s["id"], EARLIER if s["kind"] == "dynamic" else TODAY),
                snapshot(platform, s["id"], TODAY)) for s in segs]
    shared = app_client.post("/api/insight/segment-sets", headers=admin_headers,
                             json={"name": "分层", "segment_ids": [s["id"] for s in segs]}).json()
    app_client.post(f"/api/insight/segment-sets/{shared['id']}/share", json={"org_codes": ["GD-SZ"]},
                    headers=admin_headers)
    return {"ids": [s["id"] for s in segs], "members": members}


def _flow(client: TestClient, headers: dict, ids: list[int], start: date = EARLIER, end: date = TODAY):
    return client.post("/api/insight/flows", headers=headers,
                       json={"segment_ids": ids, "start": str(start), "end": str(end)})


@pytest.mark.usefixtures("bank")
def test_matrix_is_first_match_over_snapshots_and_scoped(app_client: TestClient, tiering, admin_headers, make_user,
                                                         login) -> None:
    ids, members = tiering["ids"], tiering["members"]
    viewers_then, viewers_now = members[0][1], members[0][2]
    assert viewers_then != viewers_now and "S10" in viewers_then - viewers_now  # the fixture really moves

    res = _flow(app_client, admin_headers, ids)
    assert res.status_code == 200, res.text
    flow = res.json()
    assert flow["tiers"][:3] == ["近10天看基金", "AUM十万以上", "青年客户"]
    cells = Counter({(c["source"], c["target"]): c["count"] for c in flow["cells"]})
    assert cells == expected_cells(members, set(PEOPLE))
    assert cells[("近10天看基金", "AUM十万以上")] >= 1  # S10 stopped viewing funds but stays rich
    for c in flow["cells"]:
        assert c["ratio"] == round(c["count"] / flow["start_sizes"][c["source"]], 4)
    assert sum(flow["start_sizes"].values()) == sum(flow["end_sizes"].values()) == sum(cells.values())

    # A Shenzhen operator receives the tiering through the set and sees only Shenzhen's customers move.
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    mine = _flow(app_client, sz, ids).json()
    shenzhen = {cid for cid, (org, *_rest) in PEOPLE.items() if org.startswith("GD-SZ")}
    assert Counter({(c["source"], c["target"]): c["count"] for c in mine["cells"]}) == \
        expected_cells(members, shenzhen)
    assert sum(c["count"] for c in mine["cells"]) < sum(cells.values())

    # The order matters: putting the static segment first changes who lands where.
    reordered = _flow(app_client, admin_headers, [ids[2], ids[0], ids[1]]).json()
    assert reordered["tiers"][:3] == ["青年客户", "近10天看基金", "AUM十万以上"]
    assert Counter({(c["source"], c["target"]): c["count"] for c in reordered["cells"]}) == \
        expected_cells([members[2], members[0], members[1]], set(PEOPLE))


@pytest.mark.usefixtures("bank")
def test_trend_and_cell_segment_follow_the_same_tiers(app_client: TestClient, tiering, admin_headers) -> None:
    ids, members = tiering["ids"], tiering["members"]
    flow = _flow(app_client, admin_headers, ids).json()
    trend = app_client.get("/api/insight/flows/trend", headers=admin_headers,
                           params={"segment_ids": ids, "days": [str(EARLIER), str(TODAY)]})
    assert trend.status_code == 200, trend.text
    sizes = [p["sizes"] for p in trend.json()]
    assert [p["day"] for p in trend.json()] == [str(EARLIER), str(TODAY)]
    assert sizes[0] == {k: v for k, v in flow["start_sizes"].items() if k != NONE}
    assert sizes[1] == {k: v for k, v in flow["end_sizes"].items() if k != NONE}
    gap = app_client.get("/api/insight/flows/trend", headers=admin_headers,
                         params={"segment_ids": ids, "days": [str(EARLIER + timedelta(days=1))]})
    assert gap.status_code == 422 and gap.json()["field"] == "segment_ids.0"  # no snapshot that day

    body = {"segment_ids": ids, "start": str(EARLIER), "end": str(TODAY), "source": "近10天看基金",
            "target": "AUM十万以上", "name": "不再看基金的大户"}
    saved = app_client.post("/api/insight/flows/segment", json=body, headers=admin_headers)
    assert saved.status_code == 201, saved.text
    assert saved.json()["kind"] == "static" and "近10天看基金" in saved.json()["description"]
    got = app_client.get(f"/api/insight/segments/{saved.json()['id']}/members", params={"limit": 50},
                         headers=admin_headers).json()
    cell = next(c["count"] for c in flow["cells"] if (c["source"], c["target"]) == ("近10天看基金", "AUM十万以上"))
    assert got["total"] == cell
    viewers_then, viewers_now = members[0][1], members[0][2]
    rich_now = members[1][2]
    assert {m["customer_id"] for m in got["items"]} == (viewers_then - viewers_now) & rich_now

    # Newcomers: in no tier on the start day, fund viewers at the end.
    untiered_then = set(PEOPLE) - set().union(*(m[1] for m in members))
    newcomers = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                                json=body | {"source": NONE, "target": "近10天看基金", "name": "新进分层"})
    assert newcomers.status_code == 201, newcomers.text
    got = app_client.get(f"/api/insight/segments/{newcomers.json()['id']}/members", params={"limit": 50},
                         headers=admin_headers).json()
    assert {m["customer_id"] for m in got["items"]} == untiered_then & viewers_now == {"S04", "S06"}
    # An empty cell is refused rather than saved as an empty segment.
    assert ("近10天看基金", NONE) not in {(c["source"], c["target"]) for c in flow["cells"]}
    empty = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                            json=body | {"target": NONE, "name": "流出分层"})
    assert empty.status_code == 422 and empty.json()["field"] == "target"


@pytest.mark.usefixtures("bank")
def test_bad_tierings_are_refused_naming_the_field(app_client: TestClient, tiering, admin_headers) -> None:
    ids = tiering["ids"]
    dup = _flow(app_client, admin_headers, [ids[0], ids[1], ids[0]])
    assert dup.status_code == 422 and dup.json()["field"] == "segment_ids.2"
    missing = _flow(app_client, admin_headers, ids, start=EARLIER - timedelta(days=1))
    assert missing.status_code == 422 and missing.json()["field"] == "segment_ids.0"
    unknown = _flow(app_client, admin_headers, [ids[0], 99_999])
    assert unknown.status_code == 422 and unknown.json()["field"] == "segment_ids.1"
    future = _flow(app_client, admin_headers, ids, end=TODAY + timedelta(days=1))
    assert future.status_code == 422 and future.json()["field"] == "end"

    body = {"segment_ids": ids, "start": str(EARLIER), "end": str(TODAY), "name": "x"}
    wrong = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                            json=body | {"source": "不存在", "target": "AUM十万以上"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "source"
    nowhere = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                              json=body | {"source": NONE, "target": NONE})
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "target"
    both = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                           json=body | {"tag": "aum_tier", "source": "a", "target": "b"})
    assert both.status_code == 422
    neither = app_client.get("/api/insight/flows/trend", headers=admin_headers, params={"days": [str(TODAY)]})
    assert neither.status_code == 422 and neither.json()["field"] == "tag"


@pytest.mark.usefixtures("bank")
def test_static_segments_are_frozen_on_every_day(app_client: TestClient, admin_headers) -> None:
    def static(name: str, definition: dict) -> int:
        res = app_client.post("/api/insight/segments", headers=admin_headers,
                              json={"name": name, "definition": definition, "kind": "static"})
        assert res.status_code == 201, res.text
        return res.json()["id"]

    ids = [static("青年客户", young()), static("AUM十万以上", rich())]
    flow = _flow(app_client, admin_headers, ids, start=TODAY - timedelta(days=45)).json()
    assert flow["cells"] and all(c["source"] == c["target"] for c in flow["cells"])
    assert flow["start_sizes"] == flow["end_sizes"]


@pytest.mark.usefixtures("bank")
def test_tag_cell_of_customers_without_a_value_is_saved(app_client: TestClient, platform, admin_headers) -> None:
    ensure_churn_tags(platform=platform)
    write_values(platform=platform, key="churn_risk", day=EARLIER, values={"S01": "高", "S02": "低"})
    write_values(platform=platform, key="churn_risk", day=TODAY, values={"S01": "低", "S02": "低", "S03": "高"})
    body = {"tag": "churn_risk", "start": str(EARLIER), "end": str(TODAY)}
    flow = app_client.post("/api/insight/flows", json=body, headers=admin_headers).json()
    assert {(c["source"], c["target"]): c["count"] for c in flow["cells"]} == {
        ("高", "低"): 1, ("低", "低"): 1, (NONE, "高"): 1}

    saved = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                            json=body | {"source": NONE, "target": "高", "name": "新进高风险"})
    assert saved.status_code == 201, saved.text
    got = app_client.get(f"/api/insight/segments/{saved.json()['id']}/members", headers=admin_headers).json()
    assert [m["customer_id"] for m in got["items"]] == ["S03"]
    nowhere = app_client.post("/api/insight/flows/segment", headers=admin_headers,
                              json=body | {"source": NONE, "target": NONE, "name": "x"})
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "target"

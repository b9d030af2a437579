"""Saved analyses and dashboards over HTTP: save, run over relative dates, permissions, sharing, pinning."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from analytics_bank import CUSTOMERS, EVENTS
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from factories import ORGS, PASSWORD, add_customers, events_for, postgres_url
from mofang.app import create_app
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings

SAVED = "/api/analytics/saved"
OPENS = {"series": [{"event": "app_open"}]}
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-10"}


@pytest.fixture
def users(bank: Platform, make_user, login) -> dict[str, dict[str, str]]:
    """Auth headers of an HQ analyst (the owner), a Shenzhen analyst, a Zhejiang branch operator."""
    return {"owner": login(make_user("owner", "analyst", "HQ")), "sz": login(make_user("sz", "analyst", "GD-SZ")),
            "zj": login(make_user("zj", "branch_operator", "ZJ"))}


def _save(client: TestClient, headers: dict, expect: int = 201, **body) -> dict:
    res = client.post(SAVED, json={"name": "开户趋势", "model": "trends", "query": {**MARCH, **OPENS},
                                   "range": {"kind": "fixed"}, **body}, headers=headers)
    assert res.status_code == expect, res.text
    return res.json()


def _run(client: TestClient, analysis_id: int, headers: dict, expect: int = 200) -> dict:
    res = client.post(f"{SAVED}/{analysis_id}/run", headers=headers)
    assert res.status_code == expect, res.text
    return res.json()


def test_last_days_runs_over_the_bank_days_ending_today(app_client: TestClient, bank: Platform, users):
    bank.extras["clock"] = lambda: date(2026, 3, 3)
    saved = _save(app_client, users["owner"], range={"kind": "last_days", "days": 3},
                  query={"date_from": "2025-01-01", "date_to": "2025-01-02", **OPENS})
    assert saved["range"] == {"kind": "last_days", "days": 3} and saved["owner"] == "owner"
    run = _run(app_client, saved["id"], users["owner"])
    assert (run["query"]["date_from"], run["query"]["date_to"]) == ("2026-03-01", "2026-03-03")
    assert run["result"]["buckets"] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert run["result"]["lines"][0]["values"] == [4, 1, 1]
    direct = app_client.post("/api/analytics/trends", json={**run["query"]}, headers=users["owner"]).json()
    assert run["result"] == direct

    bank.extras["clock"] = lambda: date(2026, 3, 4)  # a day later the window moves with it
    run = _run(app_client, saved["id"], users["owner"])
    assert run["result"]["buckets"][-1] == "2026-03-04" and run["result"]["lines"][0]["values"] == [1, 1, 1]

    fixed = _save(app_client, users["owner"])
    assert _run(app_client, fixed["id"], users["owner"])["query"]["date_to"] == "2026-03-10"
    # A model without a date range ignores the relative range.
    props = _save(app_client, users["owner"], model="properties", range={"kind": "last_days", "days": 7},
                  query={"dimensions": [{"attribute": "tier"}]})
    run = _run(app_client, props["id"], users["owner"])
    assert "date_from" not in run["query"] and run["result"]["customers"] == 5


def test_an_invalid_query_is_refused_naming_the_field_under_query(app_client: TestClient, users):
    h = users["owner"]
    one_step = _save(app_client, h, expect=422, model="funnel", query={**MARCH, "steps": [{"event": "a"}]})
    assert one_step["field"] == "query.steps"
    no_series = _save(app_client, h, expect=422, query=MARCH)
    assert no_series["field"] == "query.series"
    assert _save(app_client, h, expect=422, query=OPENS)["field"] == "query.date_from"
    bad_group = _save(app_client, h, expect=422, model="retention",
                      query={**MARCH, "initial": {"event": "a"}, "returning": {"event": "b"},
                             "group_by": {"kind": "property", "name": "product"}})
    assert bad_group["field"] == "query.group_by"
    too_long = app_client.post(SAVED, json={"name": "x", "model": "trends", "query": {**MARCH, **OPENS},
                                            "range": {"kind": "last_days", "days": 731}}, headers=h)
    assert too_long.status_code == 422
    unknown = app_client.post(SAVED, json={"name": "x", "model": "mau-aum", "query": {}}, headers=h)
    assert unknown.status_code == 422
    assert app_client.get(SAVED, headers=h).json() == []


def test_only_the_owner_or_an_admin_changes_a_saved_analysis(app_client: TestClient, users, admin_headers):
    private = _save(app_client, users["owner"], name="私有")
    shared = _save(app_client, users["owner"], name="共享", shared=True)
    assert [a["name"] for a in app_client.get(SAVED, headers=users["sz"]).json()] == ["共享"]
    assert app_client.get(f"{SAVED}/{private['id']}", headers=users["sz"]).status_code == 404
    seen = app_client.get(f"{SAVED}/{shared['id']}", headers=users["sz"]).json()
    assert seen["can_edit"] is False and seen["owner"] == "owner"

    body = {"name": "改名", "model": "trends", "query": {**MARCH, **OPENS}, "range": {"kind": "fixed"}}
    assert app_client.put(f"{SAVED}/{shared['id']}", json=body, headers=users["sz"]).status_code == 403
    assert app_client.delete(f"{SAVED}/{shared['id']}", headers=users["sz"]).status_code == 403
    assert app_client.put(f"{SAVED}/{private['id']}", json=body, headers=users["sz"]).status_code == 404
    assert app_client.delete(f"{SAVED}/99999", headers=users["owner"]).status_code == 404

    # The owner edits without the `shared` flag (as the console does): the analysis stays shared.
    res = app_client.put(f"{SAVED}/{shared['id']}", json={**body, "range": {"kind": "last_days", "days": 30}},
                         headers=users["owner"])
    assert res.status_code == 200 and res.json()["shared"] is True and res.json()["name"] == "改名"
    assert res.json()["range"] == {"kind": "last_days", "days": 30}
    assert app_client.put(f"{SAVED}/{private['id']}", json=body, headers=admin_headers).status_code == 200
    assert app_client.delete(f"{SAVED}/{private['id']}", headers=admin_headers).status_code == 204
    assert app_client.get(f"{SAVED}/{private['id']}", headers=users["owner"]).status_code == 404

    audit = app_client.get("/api/admin/audit", headers=admin_headers, params={"limit": 50}).json()["items"]
    actions = [(e["action"], e["username"]) for e in audit if e["action"].startswith("saved_analysis.")]
    assert sorted(actions) == sorted([("saved_analysis.create", "owner"), ("saved_analysis.create", "owner"),
                                      ("saved_analysis.update", "owner"), ("saved_analysis.update", "root"),
                                      ("saved_analysis.delete", "root")])


def test_each_viewer_runs_a_shared_analysis_over_their_own_org(app_client: TestClient, users):
    shared = _save(app_client, users["owner"], shared=True)
    totals = {who: _run(app_client, shared["id"], users[who])["result"]["lines"][0]["total"]
              for who in ("owner", "sz", "zj")}
    # App opens in March: c1 ×3, c2 ×2 (Shenzhen Nanshan), c3 ×1 (Guangzhou), c4 ×1 (Hangzhou).
    assert totals == {"owner": 7, "sz": 5, "zj": 1}
    direct = app_client.post("/api/analytics/trends", json={**MARCH, **OPENS}, headers=users["sz"]).json()
    assert direct["lines"][0]["total"] == totals["sz"]


def _board(client: TestClient, headers: dict, expect: int = 201, **body) -> dict:
    res = client.post("/api/dashboards", json={"name": "经营看板", **body}, headers=headers)
    assert res.status_code == expect, res.text
    return res.json()


def test_pin_reorder_resize_and_unpin(app_client: TestClient, users, admin_headers):
    h = users["owner"]
    a, b, c = (_save(app_client, h, name=n)["id"] for n in ("甲", "乙", "丙"))
    board = _board(app_client, h, description="每日看")
    assert board["items"] == [] and board["shared"] is False and board["owner"] == "owner"
    url = f"/api/dashboards/{board['id']}/items"
    pinned = [app_client.post(url, json={"analysis_id": x}, headers=h) for x in (a, b)]
    assert [p.status_code for p in pinned] == [201, 201]
    assert pinned[0].json()["size"] == "half" and pinned[0].json()["analysis"]["name"] == "甲"
    wide = app_client.post(url, json={"analysis_id": c, "size": "full"}, headers=h).json()
    again = app_client.post(url, json={"analysis_id": a}, headers=h)
    assert again.status_code == 409 and again.json()["field"] == "analysis_id"
    missing = app_client.post(url, json={"analysis_id": 4242}, headers=h)
    assert missing.status_code == 404 and missing.json()["field"] == "analysis_id"

    ids = [p.json()["id"] for p in pinned] + [wide["id"]]
    res = app_client.put(url, json={"order": [ids[2], ids[0], ids[1]]}, headers=h)
    assert res.status_code == 200
    assert [(i["analysis"]["name"], i["position"]) for i in res.json()["items"]] == [("丙", 0), ("甲", 1), ("乙", 2)]
    for order in ([ids[0], ids[1]], [ids[0], ids[0], ids[1]], [*ids, 777]):
        bad = app_client.put(url, json={"order": order}, headers=h)
        assert bad.status_code == 422 and bad.json()["field"] == "order"

    resized = app_client.patch(f"{url}/{ids[0]}", json={"size": "full"}, headers=h)
    assert resized.status_code == 200 and resized.json()["size"] == "full"
    assert app_client.patch(f"{url}/{ids[0]}", json={"size": "huge"}, headers=h).status_code == 422
    assert app_client.delete(f"{url}/{ids[2]}", headers=h).status_code == 204
    assert app_client.delete(f"{url}/{ids[2]}", headers=h).status_code == 404
    items = app_client.get(f"/api/dashboards/{board['id']}", headers=h).json()["items"]
    assert [(i["analysis"]["name"], i["position"], i["size"]) for i in items] == [("甲", 0, "full"), ("乙", 1, "half")]

    # Deleting a saved analysis takes it off every dashboard.
    assert app_client.delete(f"{SAVED}/{b}", headers=h).status_code == 204
    items = app_client.get(f"/api/dashboards/{board['id']}", headers=h).json()["items"]
    assert [i["analysis"]["name"] for i in items] == ["甲"]
    audit = app_client.get("/api/admin/audit", headers=admin_headers, params={"limit": 100}).json()["items"]
    board_actions = {e["action"] for e in audit if e["target_type"] == "dashboard"}
    assert board_actions == {"dashboard.create", "dashboard.pin", "dashboard.reorder", "dashboard.resize",
                             "dashboard.unpin"}


def test_shared_dashboards_are_seen_by_every_analyst_but_changed_by_the_owner(app_client: TestClient, users,
                                                                             admin_headers):
    owner, sz = users["owner"], users["sz"]
    private_analysis = _save(app_client, owner, name="私有分析")
    board = _board(app_client, owner)
    app_client.post(f"/api/dashboards/{board['id']}/items", json={"analysis_id": private_analysis["id"]},
                    headers=owner)
    assert app_client.get("/api/dashboards", headers=sz).json() == []
    assert app_client.get(f"/api/dashboards/{board['id']}", headers=sz).status_code == 404
    assert _run(app_client, private_analysis["id"], sz, expect=404)["detail"]

    body = {"name": "全行看板", "description": None, "shared": True}
    assert app_client.put(f"/api/dashboards/{board['id']}", json=body, headers=sz).status_code == 404
    shared = app_client.put(f"/api/dashboards/{board['id']}", json=body, headers=owner).json()
    assert shared["shared"] is True and shared["can_edit"] is True
    seen = app_client.get("/api/dashboards", headers=sz).json()
    assert [d["name"] for d in seen] == ["全行看板"] and seen[0]["can_edit"] is False
    # What is on a shared dashboard can be run by its viewers, over their own org only.
    assert _run(app_client, private_analysis["id"], sz)["result"]["lines"][0]["total"] == 5
    assert app_client.put(f"/api/dashboards/{board['id']}", json=body, headers=sz).status_code == 403
    assert app_client.delete(f"/api/dashboards/{board['id']}", headers=sz).status_code == 403
    mine = _save(app_client, sz, name="深圳分析")
    pin = app_client.post(f"/api/dashboards/{board['id']}/items", json={"analysis_id": mine["id"]}, headers=sz)
    assert pin.status_code == 403
    # Nor may the owner pin an analysis they cannot see (the Shenzhen analyst's private one).
    hidden = app_client.post(f"/api/dashboards/{board['id']}/items", json={"analysis_id": mine["id"]}, headers=owner)
    assert hidden.status_code == 404 and hidden.json()["field"] == "analysis_id"

    assert app_client.delete(f"/api/dashboards/{board['id']}", headers=admin_headers).status_code == 204
    assert app_client.get("/api/dashboards", headers=owner).json() == []
    # The analyses stay (only the dashboard went); the private one is the owner's alone again.
    assert app_client.get(f"{SAVED}/{private_analysis['id']}", headers=owner).status_code == 200
    assert app_client.get(f"{SAVED}/{private_analysis['id']}", headers=sz).status_code == 404


def test_analytics_permission_is_required(app_client: TestClient, bank, make_user, login: Callable):
    rm = login(make_user("rm1", "rm", "GD-SZ-001", rm_id="RM1"))
    assert app_client.get(SAVED, headers=rm).status_code == 403
    assert app_client.post("/api/dashboards", json={"name": "x"}, headers=rm).status_code == 403
    assert app_client.get("/api/dashboards").status_code == 401


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings over a fresh PostgreSQL database (dropped afterwards); skipped when none is configured."""
    admin = postgres_url()
    if admin is None:
        if os.environ.get("MOFANG_TEST_REQUIRE_ALL"):
            pytest.fail("MOFANG_TEST_POSTGRES_URL is required in CI")
        pytest.skip("PostgreSQL tests skipped: set MOFANG_TEST_POSTGRES_URL to run them")
    name = f"mofang_t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        yield Settings(data_dir=tmp_path / "data", metadata_url=url, scheduler=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_dashboards_work_on_postgresql(postgres_settings: Settings):
    plat = open_platform(postgres_settings)
    try:
        with plat.metadata.session() as session:
            gov.upsert_orgs(session=session, orgs=ORGS)
            for username, org in (("owner", "HQ"), ("sz", "GD-SZ")):
                gov.create_user(session=session, data=UserCreate(username=username, password=PASSWORD,
                                                                 role="analyst", org_code=org), actor="test")
        add_customers(plat, CUSTOMERS)
        events_for(plat, EVENTS)
        with TestClient(create_app(postgres_settings, platform=plat)) as client:
            owner, sz = ({"Authorization": "Bearer " + client.post("/api/auth/login", json={
                "username": u, "password": PASSWORD}).json()["access_token"]} for u in ("owner", "sz"))
            saved = _save(client, owner)
            board = _board(client, owner, shared=True)
            url = f"/api/dashboards/{board['id']}/items"
            assert client.post(url, json={"analysis_id": saved["id"]}, headers=owner).status_code == 201
            assert client.post(url, json={"analysis_id": saved["id"]}, headers=owner).status_code == 409
            [seen] = client.get("/api/dashboards", headers=sz).json()
            assert [i["analysis_id"] for i in seen["items"]] == [saved["id"]]
            assert _run(client, saved["id"], sz)["result"]["lines"][0]["total"] == 5
            assert client.delete(f"{SAVED}/{saved['id']}", headers=owner).status_code == 204
            assert client.get(f"/api/dashboards/{board['id']}", headers=sz).json()["items"] == []
    finally:
        plat.close()

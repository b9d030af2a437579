"""Segment counts a user is shown — last count, snapshots, counts in sets — are of the members in their scope,
for a head-office segment shared with a branch as for a branch's own segment seen by its RM."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import TODAY, fund_prospects
from factories import add_rms
from mofang.insight.segments import service


@pytest.mark.usefixtures("bank")
def test_counts_shown_are_of_the_members_in_the_viewers_scope(app_client: TestClient, platform, make_user,
                                                              login) -> None:
    hq = login(make_user("hq_ops", "hq_operator", "HQ"))
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    add_rms(platform, {"RM-X": ("王经理", "GD-SZ-001")})
    with platform.store.write() as cur:
        cur.execute("UPDATE customers SET rm_id = 'RM-X' WHERE customer_id = 'S09'")
    rm = login(make_user("rm_x", "rm", "GD-SZ-001", rm_id="RM-X"))
    seg = app_client.post("/api/insight/segments", json={"name": "基金潜客", "definition": fund_prospects(),
                                                         "kind": "dynamic"}, headers=hq).json()
    service.evaluate_dynamic(platform=platform, day=TODAY)
    set_id = app_client.post("/api/insight/segment-sets", headers=hq, json={
        "name": "基金攻坚", "strategy": "推送", "segment_ids": [seg["id"]]}).json()["id"]
    app_client.post(f"/api/insight/segment-sets/{set_id}/share", json={"all": True}, headers=hq)
    # S01, S03, S04, S09, S10 bank-wide; S01, S09, S10 in Shenzhen; S09 in RM-X's book.
    for headers, n in ((hq, 5), (sz, 3), (rm, 1)):
        assert app_client.get(f"/api/insight/segments/{seg['id']}", headers=headers).json()["last_count"] == n
        listed = app_client.get("/api/insight/segments", headers=headers).json()["items"]
        assert [s["last_count"] for s in listed if s["id"] == seg["id"]] == [n]
        snaps = app_client.get(f"/api/insight/segments/{seg['id']}/snapshots", headers=headers).json()
        assert snaps == [{"day": str(TODAY), "count": n}]
        sets = app_client.get("/api/insight/segment-sets", headers=headers).json()
        assert [s["segments"][0]["count"] for s in sets] == [n]
        estimate = app_client.post("/api/insight/segments/estimate", json={"definition": fund_prospects()},
                                   headers=headers).json()
        assert estimate["count"] == n  # 最近人数 next to 实时预估 agree
    # Receivers read; only the owner changes (a stable code the console translates).
    res = app_client.patch(f"/api/insight/segments/{seg['id']}", json={"name": "x"}, headers=sz)
    assert res.status_code == 403 and res.json()["code"] == "segment_not_owner"
    res = app_client.patch(f"/api/insight/segment-sets/{set_id}", json={"name": "x"}, headers=sz)
    assert res.status_code == 403 and res.json()["code"] == "segment_set_not_owner"

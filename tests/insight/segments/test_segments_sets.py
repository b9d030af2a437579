"""Segment sets (客群集): head office shares with a branch, receivers see members only in their scope and
reference the set; the owner sees the reference count."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import fund_prospects


@pytest.mark.usefixtures("bank")
def test_sets_are_shared_referenced_and_scoped(app_client: TestClient, make_user, login) -> None:
    hq = login(make_user("hq_ops", "hq_operator", "HQ"))
    gd = login(make_user("gd_ops", "branch_operator", "GD"))
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    zj = login(make_user("zj_ops", "branch_operator", "ZJ"))
    seg = app_client.post("/api/insight/segments", json={"name": "基金潜客", "definition": fund_prospects()},
                          headers=hq).json()
    assert app_client.get(f"/api/insight/segments/{seg['id']}", headers=gd).status_code == 404

    created = app_client.post("/api/insight/segment-sets", headers=hq, json={
        "name": "四季度基金攻坚", "strategy": "工资日后一天推送基金定投权益,客户经理跟进", "segment_ids": [seg["id"]]})
    assert created.status_code == 201, created.text
    set_id = created.json()["id"]
    bad = app_client.post(f"/api/insight/segment-sets/{set_id}/share", json={"org_codes": ["XX"]}, headers=hq)
    assert bad.status_code == 422 and bad.json()["field"] == "org_codes.0"
    shared = app_client.post(f"/api/insight/segment-sets/{set_id}/share", json={"org_codes": ["GD"]}, headers=hq)
    assert shared.json()["shared_with"] == ["GD"]

    # GD and its subtree receive it; ZJ does not.
    assert [s["id"] for s in app_client.get("/api/insight/segment-sets", headers=sz).json()] == [set_id]
    assert app_client.get("/api/insight/segment-sets", headers=zj).json() == []
    assert app_client.get(f"/api/insight/segment-sets/{set_id}", headers=zj).status_code == 404
    view = app_client.get(f"/api/insight/segment-sets/{set_id}", headers=sz).json()
    assert view["strategy"].startswith("工资日") and not view["owned"]
    assert view["segments"][0]["count"] == 3  # S01, S09, S10: only Shenzhen's members
    members = app_client.get(f"/api/insight/segments/{seg['id']}/members", headers=sz).json()
    assert {m["customer_id"] for m in members["items"]} == {"S01", "S09", "S10"}
    assert app_client.get(f"/api/insight/segment-sets/{set_id}", headers=hq).json()["segments"][0]["count"] == 5
    # Receivers may not change it.
    assert app_client.patch(f"/api/insight/segment-sets/{set_id}", json={"name": "x"}, headers=gd).status_code == 403
    assert app_client.patch(f"/api/insight/segments/{seg['id']}", json={"name": "x"}, headers=gd).status_code == 403

    for headers in (gd, sz, sz):
        assert app_client.post(f"/api/insight/segment-sets/{set_id}/reference", headers=headers).status_code == 200
    owner_view = app_client.get(f"/api/insight/segment-sets/{set_id}", headers=hq).json()
    assert owner_view["reference_count"] == 2 and owner_view["owned"]
    assert app_client.post(f"/api/insight/segment-sets/{set_id}/reference", headers=hq).status_code == 422
    app_client.delete(f"/api/insight/segment-sets/{set_id}/reference", headers=sz)
    assert app_client.get(f"/api/insight/segment-sets/{set_id}", headers=hq).json()["reference_count"] == 1

    # Sharing with the whole bank reaches Zhejiang too, still only inside their scope.
    app_client.post(f"/api/insight/segment-sets/{set_id}/share", json={"all": True}, headers=hq)
    assert app_client.get(f"/api/insight/segment-sets/{set_id}", headers=zj).json()["segments"][0]["count"] == 1

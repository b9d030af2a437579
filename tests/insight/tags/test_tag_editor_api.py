"""What the console's tag editor relies on: band errors named on `bands`, an owner org inside the user's scope,
versions only for real changes (with who saved them), and a run report right after saving."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

LOGINS_30D = {"kind": "aggregate", "event": "login", "agg": "count", "window": {"last_days": 30},
              "bands": [{"label": "0次", "lt": 1}, {"label": "1-4次", "lt": 5}, {"label": "5次及以上"}]}


def body(**changes) -> dict:
    """A valid new tag: logins in 30 days in three bands."""
    tag = {"key": "login_bands_30d", "name": "近30天登录次数分档", "family": "preference", "rule": LOGINS_30D}
    return tag | changes


def issue_locs(res) -> list[str]:
    """The field paths of a FastAPI 422 (after `body`)."""
    return [".".join(str(p) for p in i["loc"][1:]) for i in res.json()["detail"]]


@pytest.mark.usefixtures("tag_bank")
def test_overlapping_or_unsorted_bands_are_rejected_on_the_bands_field(app_client: TestClient, admin_headers
                                                                        ) -> None:
    same = {**LOGINS_30D, "bands": [{"label": "少", "lt": 5}, {"label": "多", "lt": 5}, {"label": "很多"}]}
    res = app_client.post("/api/insight/tags", json=body(rule=same), headers=admin_headers)
    assert res.status_code == 422
    assert issue_locs(res) == ["rule.aggregate.bands"]
    assert "overlap" in res.json()["detail"][0]["msg"]
    unsorted = {**LOGINS_30D, "bands": [{"label": "少", "lt": 5}, {"label": "多", "lt": 1}, {"label": "很多"}]}
    res = app_client.post("/api/insight/tags", json=body(rule=unsorted), headers=admin_headers)
    assert res.status_code == 422 and issue_locs(res) == ["rule.aggregate.bands"]
    assert "must increase: 1 comes after 5" in res.json()["detail"][0]["msg"]
    twice = {**LOGINS_30D, "bands": [{"label": "少", "lt": 1}, {"label": "少"}]}
    res = app_client.post("/api/insight/tags", json=body(rule=twice), headers=admin_headers)
    assert res.status_code == 422 and "labels must differ" in res.json()["detail"][0]["msg"]
    attr = {"kind": "attribute", "field": "aum", "bands": [{"label": "大众", "lt": 50_000}, {"label": "富裕"}]}
    assert app_client.post("/api/insight/tags", json=body(rule=attr), headers=admin_headers).status_code == 201


@pytest.mark.usefixtures("tag_bank")
def test_owner_org_defaults_to_the_user_and_must_be_inside_their_scope(app_client: TestClient, make_user, login
                                                                       ) -> None:
    gd = login(make_user("gd_ops", "branch_operator", "GD"))
    own = app_client.post("/api/insight/tags", json=body(), headers=gd)
    assert own.status_code == 201 and own.json()["owner_org"] == "GD"
    res = app_client.post("/api/insight/tags", json=body(key="sz_logins", owner_org="GD-SZ"), headers=gd)
    assert res.status_code == 201 and res.json()["owner_org"] == "GD-SZ"
    res = app_client.post("/api/insight/tags", json=body(key="zj_logins", owner_org="ZJ"), headers=gd)
    assert res.status_code == 422 and res.json()["field"] == "owner_org"
    res = app_client.post("/api/insight/tags", json=body(key="xx_logins", owner_org="NOPE"), headers=gd)
    assert res.status_code == 422 and res.json()["field"] == "owner_org" and "unknown org" in res.json()["detail"]
    res = app_client.patch(f"/api/insight/tags/{own.json()['id']}", json={"owner_org": "ZJ-HZ"}, headers=gd)
    assert res.status_code == 422 and res.json()["field"] == "owner_org"
    res = app_client.patch(f"/api/insight/tags/{own.json()['id']}", json={"owner_org": "GD-GZ"}, headers=gd)
    assert res.status_code == 200 and res.json()["owner_org"] == "GD-GZ"


@pytest.mark.usefixtures("tag_bank")
def test_saving_an_unchanged_form_is_not_a_new_version_and_versions_say_who(app_client: TestClient, make_user,
                                                                           login, admin_headers) -> None:
    ops = login(make_user("hq_ops", "hq_operator", "HQ"))
    tag = app_client.post("/api/insight/tags", json=body(), headers=ops).json()
    same = app_client.patch(f"/api/insight/tags/{tag['id']}", headers=admin_headers,
                            json={"name": tag["name"], "family": tag["family"], "rule": LOGINS_30D})
    assert same.status_code == 200 and same.json()["version"] == 1
    bands = [{"label": "0次", "lt": 1}, {"label": "1-2次", "lt": 3}, {"label": "3次及以上"}]
    changed = app_client.patch(f"/api/insight/tags/{tag['id']}", headers=admin_headers,
                               json={"name": tag["name"], "rule": {**LOGINS_30D, "bands": bands}})
    assert changed.json()["version"] == 2
    versions = app_client.get(f"/api/insight/tags/{tag['id']}/versions", headers=ops).json()
    assert [(v["version"], v["created_by"]) for v in versions] == [(2, "root"), (1, "hq_ops")]
    assert versions[0]["definition"]["rule"]["bands"][1] == {"label": "1-2次", "lt": 3}
    assert versions[1]["definition"]["rule"]["bands"][1] == {"label": "1-4次", "lt": 5}
    assert all(v["created_at"] for v in versions)
    audit = app_client.get("/api/admin/audit", params={"action": "tag.update"}, headers=admin_headers).json()
    assert audit["total"] == 1  # the save without changes is not audited as a change


@pytest.mark.usefixtures("tag_bank")
def test_run_after_save_reports_coverage_and_bands(app_client: TestClient, admin_headers) -> None:
    tag = app_client.post("/api/insight/tags", json=body(), headers=admin_headers).json()
    report = app_client.post(f"/api/insight/tags/{tag['id']}/run", json={}, headers=admin_headers).json()
    run = report["runs"][0]
    assert run["status"] == "ok" and run["customers"] == 6 and run["coverage"] == 1.0 and run["error"] is None
    dist = app_client.get(f"/api/insight/tags/{tag['id']}/distribution", headers=admin_headers).json()
    # V1 logged in 4 times, V3 once, V6 twice; V4's login is 60 days old.
    assert {b["value"]: b["count"] for b in dist["buckets"]} == {"0次": 3, "1-4次": 3}

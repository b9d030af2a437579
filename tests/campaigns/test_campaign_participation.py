"""The detail page's live numbers: the participation funnel, the MGM invite tree (masked, depth-limited, paged,
scoped) and the held-invite queue of one campaign."""

from __future__ import annotations

from typing import Any

import pytest
from campaign_bank import NOW, Issued, running_campaign
from fastapi.testclient import TestClient

from mofang.campaigns.lifecycle import participation
from mofang.campaigns.lifecycle import repository as repo
from mofang.insight import profiles
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Scope

MGM = {"inviter_benefit_id": 12, "invitee_benefit_id": 13, "cap_per_inviter": 5, "velocity_per_hour": 2}
API = "/api/campaign-api/campaigns"


def _call(client: TestClient, key: dict[str, str], cid: int, route: str, **body: Any) -> Any:
    res = client.post(f"{API}/{cid}/{route}", json=body, headers={**key, "Idempotency-Key": f"{route}:{body}"})
    assert res.status_code == 200, res.text
    return res.json()


def _invite(client: TestClient, key: dict[str, str], cid: int, inviter: str, invitee: str, device: str) -> str:
    code = _call(client, key, cid, "invite-code", customer_id=inviter, device_id=f"own-{inviter}")["code"]
    return _call(client, key, cid, "invite-accept", customer_id=invitee, code=code, device_id=device)["status"]


@pytest.fixture
def chain(app_client: TestClient, people: dict[str, Any], write_key: dict[str, str], issued: Issued) -> int:
    """g1 invites g2 and g3, g2 invites g4; g2 completes the action; g5 and g6 come from one device (g6 held)."""
    cid = running_campaign(app_client, people, "mgm", MGM)
    assert _invite(app_client, write_key, cid, "g1", "g2", "d2") == "pending"
    assert _invite(app_client, write_key, cid, "g1", "g3", "d3") == "pending"
    assert _invite(app_client, write_key, cid, "g2", "g4", "farm") == "pending"
    assert _invite(app_client, write_key, cid, "g3", "g5", "farm") == "pending"
    assert _invite(app_client, write_key, cid, "g3", "g6", "farm") == "held"
    _call(app_client, write_key, cid, "actions", customer_id="g2", action="loan_quota_check")
    return cid


def test_the_funnel_counts_takers_completers_and_the_rewarded(app_client: TestClient, people: dict[str, Any],
                                                              chain: int, issued: Issued) -> None:
    res = app_client.get(f"/api/campaigns/{chain}/funnel", headers=people["maker"])
    assert res.status_code == 200, res.text
    stages = {s["stage"]: s["count"] for s in res.json()["stages"]}
    assert list(stages) == ["targeted", "reached", "joined", "completed", "rewarded"]
    # took part: g1, g2, g3 (codes) and every accepted invitee g2..g6; completed: both sides of g1→g2
    assert (stages["joined"], stages["completed"], stages["rewarded"]) == (6, 2, 2)
    assert issued.to("g1") == [12] and issued.to("g2") == [13]


def test_the_invite_tree_is_masked_depth_limited_and_paged(app_client: TestClient, people: dict[str, Any],
                                                           chain: int) -> None:
    url = f"/api/campaigns/{chain}/invites"
    one = app_client.get(url, params={"depth": 1}, headers=people["maker"]).json()
    assert one["total_roots"] == 1
    [root] = one["roots"]
    assert root["status"] == "inviter" and root["name"] == "广**" and "g1" not in root["customer"]
    assert (root["invited"], root["completed"], root["more"], root["children"]) == (2, 1, 2, [])
    deep = app_client.get(url, params={"depth": 3}, headers=people["maker"]).json()["roots"][0]
    kids = {k["status"]: k for k in deep["children"]}
    assert set(kids) == {"completed", "pending"}
    assert [c["status"] for c in kids["completed"]["children"]] == ["pending"]  # g4 under g2
    assert sorted(c["status"] for c in kids["pending"]["children"]) == ["held", "pending"]  # g5, g6 under g3
    assert app_client.get(url, params={"offset": 1}, headers=people["maker"]).json()["roots"] == []
    for bad in ({"depth": 0}, {"depth": 9}, {"limit": 0}, {"offset": -1}):
        res = app_client.get(url, params=bad, headers=people["maker"])
        assert res.status_code == 422, bad
    assert app_client.get(url, headers=people["zj_approver"]).status_code == 404  # another province's campaign


def test_a_campaign_without_invitations_has_no_tree(app_client: TestClient, people: dict[str, Any],
                                                    issued: Issued) -> None:
    cid = running_campaign(app_client, people, "checkin", {"milestone_benefit_id": 5})
    res = app_client.get(f"/api/campaigns/{cid}/invites", headers=people["maker"])
    assert res.status_code == 409 and res.json()["code"] == "campaign.wrong_template"


def test_the_held_queue_of_one_campaign_is_reviewed_and_audited(app_client: TestClient, people: dict[str, Any],
                                                                chain: int, write_key: dict[str, str],
                                                                issued: Issued) -> None:
    held = app_client.get("/api/campaigns/referrals/held", params={"campaign_id": chain},
                          headers=people["boss"]).json()
    assert len(held) == 1 and held[0]["status"] == "held"
    assert app_client.get("/api/campaigns/referrals/held", params={"campaign_id": chain + 99},
                          headers=people["boss"]).json() == []
    assert app_client.get("/api/campaigns/referrals/held", headers=people["maker"]).status_code == 403
    res = app_client.post(f"/api/campaigns/referrals/{held[0]['id']}/review",
                          json={"release": False, "reason": "同一设备批量注册"}, headers=people["boss"])
    assert res.status_code == 200 and res.json()["status"] == "refused"
    again = app_client.post(f"/api/campaigns/referrals/{held[0]['id']}/review", json={"release": True},
                            headers=people["boss"])
    assert again.status_code == 409 and again.json()["code"] == "mgm.not_held"
    _call(app_client, write_key, chain, "actions", customer_id="g6", action="loan_quota_check")
    assert issued.to("g6") == []  # refused on review: never rewarded
    audit = app_client.get("/api/admin/audit", params={"action": "mgm.review"}, headers=people["boss"])
    assert audit.status_code == 200 and any(r["target_id"] == str(held[0]["id"]) for r in audit.json()["items"])


def test_a_narrower_scope_counts_and_lists_only_its_customers(bank: Platform, app_client: TestClient,
                                                              people: dict[str, Any], chain: int) -> None:
    # g4 moves to 深圳: a viewer of 广州's subtree no longer sees them, in the funnel or the tree.
    with bank.store.write() as cur:
        cur.execute("UPDATE customers SET org_code = 'GD-SZ-001' WHERE customer_id = 'g4'")
    profiles.refresh_profiles(platform=bank)
    gz = Scope(kind="org", org_code="GD-GZ")
    with bank.metadata.session() as s:
        c = repo.campaign(s, chain)
        assert c is not None
        f = participation.funnel(platform=bank, session=s, scope=gz, c=c, now=NOW)
        whole = participation.funnel(platform=bank, session=s, scope=Scope(kind="all"), c=c, now=NOW)
        tree = participation.invite_tree(platform=bank, session=s, scope=gz, c=c, depth=3, limit=20, offset=0)
    joined = {x.stage: x.count for x in f.stages}["joined"]
    assert (joined, {x.stage: x.count for x in whole.stages}["joined"]) == (5, 6)
    completed = next(k for k in tree.roots[0].children if k.status == "completed")
    assert (completed.invited, completed.children) == (0, [])

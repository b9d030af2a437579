"""The customer-facing API: MGM abuse refused, velocity holds, idempotent retries, scope, check-in, H5 tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from campaign_bank import NOW, Issued, running_campaign
from fastapi.testclient import TestClient

import mofang.campaigns
from mofang.campaigns.lifecycle import logic
from mofang.campaigns.templates import draw, draw_point
from mofang.platform.context import Platform

MGM = {"inviter_benefit_id": 12, "invitee_benefit_id": 13, "cap_per_inviter": 2, "velocity_per_hour": 2}
API = "/api/campaign-api/campaigns"


class Caller:
    """The bank's app server calling on customers' behalf, each call with a fresh idempotency key."""

    def __init__(self, client: TestClient, key: dict[str, str], campaign_id: int) -> None:
        self.client, self.key, self.cid, self.n = client, key, campaign_id, 0

    def post(self, route: str, idem: str | None = None, **body: Any) -> Any:
        self.n += 1
        headers = {**self.key, "Idempotency-Key": idem or f"k{self.n}"}
        return self.client.post(f"{API}/{self.cid}/{route}", json=body, headers=headers)


@pytest.fixture
def mgm(app_client: TestClient, people: dict[str, Any], write_key: dict[str, str], issued: Issued) -> Caller:
    return Caller(app_client, write_key, running_campaign(app_client, people, "mgm", MGM))


def _invite(mgm: Caller, inviter: str, invitee: str, **extra: Any) -> Any:
    code = mgm.post("invite-code", customer_id=inviter, device_id=f"dev-{inviter}").json()["code"]
    return mgm.post("invite-accept", customer_id=invitee, code=code, **{"device_id": f"dev-{invitee}", **extra})


def test_an_invitee_completing_the_action_rewards_both_sides_once(mgm: Caller, issued: Issued) -> None:
    assert _invite(mgm, "g1", "g2").json()["status"] == "pending"
    done = mgm.post("actions", customer_id="g2", action="loan_quota_check", idem="same")
    assert done.status_code == 200 and done.json()["referral"] == "completed"
    again = mgm.post("actions", customer_id="g2", action="loan_quota_check", idem="same")
    assert again.json() == done.json()  # the retry gets the first answer
    mgm.post("actions", customer_id="g2", action="loan_quota_check")  # a second report with a new key
    assert issued.to("g1") == [12] and issued.to("g2") == [13]
    mine = mgm.client.get(f"{API}/{mgm.cid}/benefits", params={"customer_id": "g1"}, headers=mgm.key).json()
    assert [b["benefit_id"] for b in mine["benefits"]] == [12]


@pytest.mark.parametrize(("case", "code"), [
    ("self", "mgm.self_invite"), ("device", "mgm.same_identity"), ("phone", "mgm.same_identity"),
    ("id", "mgm.same_identity"), ("circular", "mgm.circular"), ("cap", "mgm.cap_reached"),
    ("twice", "mgm.already_invited"),
])
def test_abuse_is_refused(mgm: Caller, issued: Issued, case: str, code: str) -> None:
    res = None
    if case == "self":
        res = _invite(mgm, "g1", "g1")
    elif case == "device":
        c = mgm.post("invite-code", customer_id="g1", device_id="shared").json()["code"]
        res = mgm.post("invite-accept", customer_id="g2", code=c, device_id="shared")
    elif case == "phone":  # the invitee gives the inviter's phone: found through identities by keyed hash
        res = _invite(mgm, "g1", "g2", phone="13900000001")
    elif case == "id":
        c = mgm.post("invite-code", customer_id="g1", id_number="440301199001011234").json()["code"]
        res = mgm.post("invite-accept", customer_id="g2", code=c, id_number="440301199001011234")
    elif case == "circular":
        assert _invite(mgm, "g1", "g2").status_code == 200
        res = _invite(mgm, "g2", "g1")
    elif case == "cap":
        for friend in ("g2", "g3"):
            assert _invite(mgm, "g1", friend).status_code == 200
            mgm.post("actions", customer_id=friend, action="loan_quota_check")
        res = _invite(mgm, "g1", "g4")
    elif case == "twice":
        assert _invite(mgm, "g1", "g2").status_code == 200
        res = _invite(mgm, "g3", "g2")
    assert res is not None and res.status_code == 409 and res.json()["code"] == code, res.text
    assert issued.to("g1") == ([12, 12] if case == "cap" else [])


def test_too_many_invitees_from_one_device_are_held_for_review(mgm: Caller, people: dict[str, Any],
                                                               issued: Issued) -> None:
    code = mgm.post("invite-code", customer_id="g1").json()["code"]
    statuses = [mgm.post("invite-accept", customer_id=c, code=code, device_id="farm").json()["status"]
                for c in ("g2", "g3", "g4")]
    assert statuses == ["pending", "pending", "held"]
    mgm.post("actions", customer_id="g4", action="loan_quota_check")
    assert issued.to("g4") == []  # held: no reward until reviewed
    queue = mgm.client.get("/api/campaigns/referrals/held", headers=people["boss"]).json()
    assert len(queue) == 1
    res = mgm.client.post(f"/api/campaigns/referrals/{queue[0]['id']}/review", json={"release": True},
                          headers=people["boss"])
    assert res.status_code == 200 and res.json()["status"] == "pending"
    mgm.post("actions", customer_id="g4", action="loan_quota_check")
    assert issued.to("g4") == [13]


def test_a_branch_campaign_reaches_only_its_subtree(mgm: Caller) -> None:
    res = mgm.client.get(f"{API}/{mgm.cid}/eligibility", params={"customer_id": "z1"}, headers=mgm.key)
    assert res.json() == {"campaign_id": mgm.cid, "template_id": "mgm", "eligible": False,
                          "reason": "campaign.not_in_scope"}
    assert mgm.post("invite-code", customer_id="z1").json()["code"] == "campaign.not_in_scope"
    assert mgm.client.get(f"{API}/{mgm.cid}/eligibility", params={"customer_id": "g1"},
                          headers=mgm.key).json()["eligible"] is True


def test_keys_and_idempotency_are_required(mgm: Caller) -> None:
    res = mgm.client.post(f"{API}/{mgm.cid}/invite-code", json={"customer_id": "g1"})
    assert res.status_code == 401
    res = mgm.client.post(f"{API}/{mgm.cid}/invite-code", json={"customer_id": "g1"},
                          headers={"X-Api-Key": "nope"})
    assert res.status_code == 401
    res = mgm.client.post(f"{API}/{mgm.cid}/invite-code", json={"customer_id": "g1"}, headers=mgm.key)
    assert res.status_code == 400 and res.json()["code"] == "campaign.idempotency_key_required"
    mgm.post("invite-code", idem="x", customer_id="g1")
    res = mgm.post("invite-code", idem="x", customer_id="g2")
    assert res.status_code == 409 and res.json()["code"] == "campaign.idempotency_key_reused"


def test_without_the_benefits_centre_rewards_answer_503_and_a_retry_issues_once(
        app_client: TestClient, people: dict[str, Any], write_key: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    params = {"milestone_days": [1], "milestone_benefit_id": 16}
    cal = Caller(app_client, write_key, running_campaign(app_client, people, "checkin", params))
    monkeypatch.delattr(mofang.campaigns, "issue_benefit", raising=False)
    res = cal.post("checkin", idem="c1", customer_id="g1")
    assert res.status_code == 503 and res.json()["code"] == "campaign.benefits_unavailable"
    fake = Issued()
    monkeypatch.setattr(mofang.campaigns, "issue_benefit", fake, raising=False)
    first = cal.post("checkin", idem="c1", customer_id="g1").json()
    assert first["streak"] == 1 and first["rewards"][0]["state"] == "issued"
    assert cal.post("checkin", idem="c1", customer_id="g1").json() == first
    assert cal.post("checkin", idem="c2", customer_id="g1").json()["first_today"] is False
    assert fake.to("g1") == [16]


def test_checkin_streak_rewards_on_day_n(app_client: TestClient, people: dict[str, Any], write_key: dict[str, str],
                                         issued: Issued, bank: Platform) -> None:
    cal = Caller(app_client, write_key, running_campaign(app_client, people, "checkin",
                                                         {"milestone_days": [3], "milestone_benefit_id": 16}))
    streaks = []
    for day in range(4):
        bank.extras["clock"] = lambda d=day: NOW + timedelta(days=d - 3)
        streaks.append(cal.post("checkin", customer_id="g2").json()["streak"])
    assert streaks == [1, 2, 3, 4] and issued.to("g2") == [16]


def test_h5_token_expiry_and_forgery_are_refused(app_client: TestClient, people: dict[str, Any],
                                                 write_key: dict[str, str], issued: Issued, bank: Platform) -> None:
    cid = running_campaign(app_client, people, "checkin", {"milestone_days": [1], "milestone_benefit_id": 16})
    link = app_client.post(f"{API}/{cid}/h5-link", json={"customer_id": "g3", "ttl_minutes": 10},
                           headers=write_key).json()
    page = app_client.get(link["path"])
    assert page.status_code == 200 and "立即签到" in page.text and "<script src=\"/h5/static/campaign.js\"" in page.text
    token = link["token"]
    ok = app_client.post(f"/api/campaign-api/h5/{token}/checkin", json={}, headers={"Idempotency-Key": "t1"})
    assert ok.status_code == 200 and issued.to("g3") == [16]
    # Another customer cannot be named in the body: the token decides who it is.
    app_client.post(f"/api/campaign-api/h5/{token}/checkin", json={"customer_id": "g4"},
                    headers={"Idempotency-Key": "t2"})
    assert issued.to("g4") == []
    forged = logic.sign_token(b"not the installation key", campaign_id=cid, customer_id="g4",
                              expires=NOW + timedelta(hours=1))
    assert app_client.get(f"/h5/c/{forged}").status_code == 401
    assert app_client.post(f"/api/campaign-api/h5/{forged}/checkin", json={},
                           headers={"Idempotency-Key": "t3"}).status_code == 401
    mac = token.split(".")[1]
    tampered = logic.sign_token(bank.token_key, campaign_id=cid, customer_id="g4",
                                expires=NOW + timedelta(hours=1)).split(".")[0] + "." + mac
    assert app_client.get(f"/h5/c/{tampered}").status_code == 401
    bank.extras["clock"] = lambda: NOW + timedelta(minutes=11)
    assert app_client.get(link["path"]).status_code == 401
    assert app_client.get(f"/api/campaign-api/h5/{token}/progress").status_code == 401


def test_lottery_draws_are_reproducible_and_respect_stock(app_client: TestClient, people: dict[str, Any],
                                                          write_key: dict[str, str], issued: Issued,
                                                          bank: Platform) -> None:
    prizes = [{"name": "大奖", "benefit_id": 11, "probability": 0.9, "stock": 2}]
    lot = Caller(app_client, write_key, running_campaign(app_client, people, "lottery",
                                                         {"prizes": prizes, "draws_per_customer": 2}))
    order = [(c, n) for c in ("g1", "g2", "g3") for n in (1, 2)]
    got = [lot.post("draw", customer_id=c).json()["won"] for c, _ in order]
    assert lot.post("draw", customer_id="g1").json()["code"] == "campaign.no_draws_left"
    # The same draws recomputed from (campaign, customer, draw number) and the stock: an auditor's replay.
    counts: dict[int, int] = {}
    replay = []
    for c, n in order:
        won = draw(prizes, draw_point(bank.token_key, lot.cid, c, n), counts)
        if won is not None:
            counts[won] = counts.get(won, 0) + 1
        replay.append(won is not None)
    landed = sum(1 for c, n in order if draw_point(bank.token_key, lot.cid, c, n) < 0.9)
    assert got == replay and sum(got) == min(2, landed) and len(issued.by_key) == sum(got)


def test_the_audience_says_who_invites_and_friends_outside_it_may_accept(
        app_client: TestClient, people: dict[str, Any], write_key: dict[str, str], issued: Issued,
        bank: Platform) -> None:
    from datetime import date

    from mofang.insight import profiles

    seg = app_client.post("/api/insight/segments", headers=people["maker"], json={
        "name": "邀请人", "definition": {"type": "attribute", "field": "org_code", "op": "eq",
                                        "value": "GD-GZ-001"}}).json()["id"]
    with bank.store.write() as cur:  # the daily snapshot: only g1 is a member
        cur.execute("INSERT INTO segment_members VALUES (?, ?, ?)", [seg, date(2026, 12, 6), "g1"])
    profiles.refresh_profiles(platform=bank)
    mgm = Caller(app_client, write_key, running_campaign(app_client, people, "mgm", MGM, segment_id=seg))
    checks = {x["code"]: x for x in app_client.get(f"/api/campaigns/{mgm.cid}/checks",
                                                   headers=people["maker"]).json()}
    assert checks["check.audience"]["params"]["size"] == 1
    assert mgm.post("invite-code", customer_id="g2").json()["code"] == "campaign.not_in_audience"
    assert _invite(mgm, "g1", "g2").json()["status"] == "pending"
    mgm.post("actions", customer_id="g2", action="loan_quota_check")
    assert issued.to("g1") == [12] and issued.to("g2") == [13]

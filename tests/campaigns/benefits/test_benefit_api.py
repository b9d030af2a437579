"""The benefit routes: the console's catalogue and reconciliation, and the bank's key-authenticated calls."""

from __future__ import annotations

import base64
from collections.abc import Callable

from fastapi.testclient import TestClient

from mofang.platform.context import Platform
from mofang.platform.governance import service as gov


def _key(platform: Platform) -> dict[str, str]:
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app server", actor="test").key
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_the_bank_claims_and_redeems_with_its_key_and_the_console_reconciles(
        app_client: TestClient, platform: Platform, admin_headers: dict[str, str],
        make_user: Callable[..., str], login: Callable[[str], dict[str, str]]) -> None:
    made = app_client.post("/api/benefits", headers=admin_headers, json={
        "name": "新客礼 10元红包", "spec": {"kind": "cash", "amount_fen": 1000}, "valid_days": 7})
    assert made.status_code == 201, made.text
    bid = made.json()["id"]
    assert made.json()["cost_on"] == "issue"
    pool = app_client.post("/api/benefits/pools", headers=admin_headers,
                           json={"benefit_id": bid, "campaign_id": 7, "stock": 2, "budget_fen": 5000})
    assert pool.status_code == 201, pool.text
    key = _key(platform)
    body = {"benefit_id": bid, "customer_id": "c1", "campaign_id": 7}
    assert app_client.post("/api/campaign-api/claim", json=body, headers=admin_headers).status_code == 401
    assert app_client.post("/api/campaign-api/claim", json=body, headers=key).json()["code"] == "benefits.bad_key"
    first = app_client.post("/api/campaign-api/claim", json=body, headers={**key, "Idempotency-Key": "tap-1"})
    assert first.status_code == 200 and first.json()["status"] == "issued"
    again = app_client.post("/api/campaign-api/claim", json=body, headers={**key, "Idempotency-Key": "tap-1"})
    assert again.json() == first.json()
    second = app_client.post("/api/campaign-api/claim", json=body, headers={**key, "Idempotency-Key": "tap-2"})
    assert second.json() == {"status": "refused", "reason": "limit_per_customer", "grant_id": None, "cost_fen": 0,
                             "expires_at": None}
    report = {"redemption_id": "core-77", "grant_id": first.json()["grant_id"]}
    red = app_client.post("/api/benefits/redemptions", json=report, headers=key)
    assert red.status_code == 200 and red.json()["cost_fen"] == 1000
    assert app_client.post("/api/benefits/redemptions", json=report, headers=key).json() == red.json()
    other = app_client.post("/api/benefits/redemptions", json={**report, "redemption_id": "core-78"}, headers=key)
    assert (other.status_code, other.json()["code"]) == (409, "benefits.already_redeemed")
    rec = app_client.get("/api/benefits/reconciliation", headers=admin_headers, params={"campaign_id": 7}).json()
    assert [(r["issued"], r["redeemed"], r["stock_remaining"], r["refused"]) for r in rec] == \
        [(1, 1, 1, {"limit_per_customer": 1})]
    csv = app_client.get("/api/benefits/reconciliation/export.csv", headers=admin_headers)
    assert csv.status_code == 200 and "已发放" in csv.text and "新客礼 10元红包" in csv.text
    audit = app_client.get("/api/admin/audit", headers=admin_headers, params={"action": "benefit.export"}).json()
    assert audit["total"] == 1
    # A branch operator cannot export, nor change head office's benefit.
    ops = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    assert app_client.get("/api/benefits/reconciliation/export.csv", headers=ops).status_code == 403
    assert app_client.patch(f"/api/benefits/{bid}", headers=ops, json={"name": "改"}).status_code == 403
    assert app_client.get("/api/benefits/reconciliation", headers=ops).json() == []


def test_bad_input_is_a_4xx_naming_the_field(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    res = app_client.post("/api/benefits", headers=admin_headers, json={
        "name": "x", "spec": {"kind": "discount", "rate": 1.5, "cap_fen": 10}, "valid_days": 3})
    assert res.status_code == 422
    res = app_client.post("/api/benefits", headers=admin_headers, json={
        "name": "x", "spec": {"kind": "rate_boost", "boost_bp": 50, "product_code": "D1", "days": 30},
        "valid_days": 3})
    assert (res.status_code, res.json()["field"]) == (422, "cost_fen")
    res = app_client.post("/api/benefits/pools", headers=admin_headers,
                          json={"benefit_id": 999, "stock": 1, "budget_fen": 1})
    assert res.status_code == 404

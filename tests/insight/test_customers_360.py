"""Customer 360 through the API: search, scope per role, masking, audited unmasking, timeline."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from factories import add_customers, add_products_and_holdings, add_rms, events_for

CANARY_PHONE = "13912345678"
CANARY_ID = "440301198807069876"


@pytest.fixture
def bank(platform) -> None:
    """Four customers in three branches of two provinces; two share an RM in Nanshan."""
    add_rms(platform, {"RM-SZ-01": ("王经理", "GD-SZ-001"), "RM-SZ-02": ("李经理", "GD-SZ-001")})
    add_customers(platform, {
        "C001": {"name": "张三", "org_code": "GD-SZ-001", "rm_id": "RM-SZ-01", "aum": 800_000.0,
                 "phone": CANARY_PHONE, "id_number": CANARY_ID},
        "C002": {"name": "李四", "org_code": "GD-SZ-001", "rm_id": "RM-SZ-02", "aum": 50_000.0,
                 "phone": "13700005555"},
        "C003": {"name": "王五", "org_code": "GD-GZ-001", "aum": 20_000.0, "phone": "13600006666"},
        "C004": {"name": "欧阳娜娜", "org_code": "ZJ-HZ-001", "aum": 9_000_000.0, "phone": "13500007777"},
    })
    add_products_and_holdings(platform, "C001", [("P-FUND-1", "魔方优选混合基金A", "基金", 300_000.0),
                                                 ("P-DEP-1", "魔方活期", "活期", 500_000.0)])
    events_for(platform, {"C001": [("login", datetime(2026, 11, 1, 9), {}),
                                   ("product_view", datetime(2026, 11, 1, 9, 5), {"product_id": "P-FUND-1"})]})


def ids(res) -> set[str]:
    assert res.status_code == 200, res.text
    return {c["customer_id"] for c in res.json()["items"]}


@pytest.mark.usefixtures("bank")
def test_scope_per_role_on_the_list(app_client: TestClient, make_user, login) -> None:
    cases = {
        ("hq", "hq_operator", "HQ", None): {"C001", "C002", "C003", "C004"},
        ("an", "analyst", "HQ", None): {"C001", "C002", "C003", "C004"},
        ("ap", "approver", "HQ", None): {"C001", "C002", "C003", "C004"},
        ("gd", "branch_operator", "GD", None): {"C001", "C002", "C003"},
        ("sz", "branch_operator", "GD-SZ", None): {"C001", "C002"},
        ("zj", "branch_operator", "ZJ", None): {"C004"},
        ("rm1", "rm", "GD-SZ-001", "RM-SZ-01"): {"C001"},
    }
    for (user, role, org, rm), expected in cases.items():
        headers = login(make_user(user, role, org, rm_id=rm))
        res = app_client.get("/api/customers", headers=headers)
        assert ids(res) == expected, user
        assert res.json()["total"] == len(expected)
        for cid in {"C001", "C002", "C003", "C004"}:
            status = app_client.get(f"/api/customers/{cid}", headers=headers).status_code
            assert status == (200 if cid in expected else 404), (user, cid)
            ev = app_client.get(f"/api/customers/{cid}/events", headers=headers).status_code
            assert ev == (200 if cid in expected else 404), (user, cid)


@pytest.mark.usefixtures("bank")
def test_org_tree_is_scoped(app_client: TestClient, make_user, login) -> None:
    headers = login(make_user("gd", "branch_operator", "GD"))
    codes = {o["code"] for o in app_client.get("/api/orgs", headers=headers).json()["items"]}
    assert codes == {"GD", "GD-SZ", "GD-SZ-001", "GD-GZ", "GD-GZ-001"}


@pytest.mark.usefixtures("bank")
def test_search_by_id_name_and_phone_suffix(app_client: TestClient, admin_headers) -> None:
    get = lambda q: ids(app_client.get("/api/customers", params={"q": q}, headers=admin_headers))  # noqa: E731
    assert get("C003") == {"C003"}
    assert get("欧阳") == {"C004"}
    assert get("5678") == {"C001"}
    assert get("2345678") == {"C001"}
    assert get("9995678") == set()
    assert get("%") == set() and get("_") == set()


@pytest.mark.usefixtures("bank")
def test_list_pages_largest_aum_first(app_client: TestClient, admin_headers) -> None:
    page = app_client.get("/api/customers", params={"limit": 2, "offset": 1}, headers=admin_headers).json()
    assert page["total"] == 4
    assert [c["customer_id"] for c in page["items"]] == ["C001", "C002"]
    assert page["items"][0]["org_code"] == "GD-SZ-001" and page["items"][0]["rm_name"] == "王经理"
    assert app_client.get("/api/customers", params={"limit": 0}, headers=admin_headers).status_code == 422


@pytest.mark.usefixtures("bank")
def test_pii_is_masked_by_default(app_client: TestClient, admin_headers) -> None:
    item = next(c for c in app_client.get("/api/customers", headers=admin_headers).json()["items"]
                if c["customer_id"] == "C004")
    assert item["name"] == "欧***" and item["phone"] == "135****7777"
    body = app_client.get("/api/customers/C001", headers=admin_headers).json()
    profile = body["profile"]
    assert profile["masked"] is True
    assert profile["name"] == "张*"
    assert profile["phone"] == "139****5678"
    assert profile["id_number"] == "440***********9876"
    assert CANARY_PHONE not in str(body) and CANARY_ID not in str(body)


@pytest.mark.usefixtures("bank")
def test_unmasking_needs_the_permission_and_is_audited(app_client: TestClient, admin_headers, make_user,
                                                       login) -> None:
    body = app_client.get("/api/customers/C001", params={"unmask": True}, headers=admin_headers).json()
    assert body["profile"]["phone"] == CANARY_PHONE and body["profile"]["name"] == "张三"
    assert body["profile"]["masked"] is False
    audit = app_client.get("/api/admin/audit", params={"action": "pii.unmask"}, headers=admin_headers).json()
    assert audit["total"] == 1 and audit["items"][0]["target_id"] == "C001"

    ops = login(make_user("sz", "branch_operator", "GD-SZ"))
    res = app_client.get("/api/customers/C001", params={"unmask": True}, headers=ops)
    assert res.status_code == 403 and res.json()["field"] == "unmask"


@pytest.mark.usefixtures("bank")
def test_360_shows_holdings_and_timeline(app_client: TestClient, admin_headers) -> None:
    body = app_client.get("/api/customers/C001", headers=admin_headers).json()
    assert [h["product_type"] for h in body["holdings"]] == ["活期", "基金"]
    assert body["profile"]["consent"] == {"sms": True, "push": True, "inbox": True, "wechat": False,
                                          "email": True, "call": False}
    assert [e["event"] for e in body["recent_events"]] == ["product_view", "login"]
    events = app_client.get("/api/customers/C001/events", params={"limit": 1}, headers=admin_headers).json()
    assert len(events["items"]) == 1
    first = events["items"][0]
    assert first["event"] == "product_view" and first["properties"] == {"product_id": "P-FUND-1"}
    assert first["message_id"]
    assert first["timestamp"] == "2026-11-01T09:05:00Z"


@pytest.mark.usefixtures("bank")
def test_logs_never_hold_unmasked_pii(app_client: TestClient, admin_headers, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    app_client.get("/api/customers/C001", params={"unmask": True}, headers=admin_headers)
    app_client.get("/api/customers", params={"q": CANARY_PHONE[-7:]}, headers=admin_headers)
    logging.getLogger("mofang").warning("lookup by phone %s id %s", CANARY_PHONE, CANARY_ID)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert CANARY_PHONE not in text and CANARY_ID not in text
    assert "139****5678" in text


@pytest.mark.usefixtures("bank")
def test_profile_shows_the_lifecycle_stage_once_tags_ran(app_client: TestClient, admin_headers, platform) -> None:
    from mofang.insight.tags import service as tags

    assert app_client.get("/api/customers/C001", headers=admin_headers).json()["profile"]["lifecycle"] is None
    tags.run_tags(platform=platform, day=date(2026, 11, 2))
    stage = app_client.get("/api/customers/C001", headers=admin_headers).json()["profile"]["lifecycle"]
    assert stage in {"潜客", "新客", "成长", "成熟", "沉睡", "流失"}

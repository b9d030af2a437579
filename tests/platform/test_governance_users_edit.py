"""Admins edit users: role, org, name, re-enabling and password resets, audited; never losing the last admin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import PASSWORD


def _user(client: TestClient, headers: dict[str, str], username: str) -> dict:
    users = client.get("/api/admin/users", headers=headers).json()["items"]
    return next(u for u in users if u["username"] == username)


def _audit(client: TestClient, headers: dict[str, str], action: str) -> list[dict]:
    return client.get("/api/admin/audit", params={"action": action}, headers=headers).json()["items"]


def test_admin_changes_role_org_and_name_and_the_user_sees_the_new_scope(
        app_client: TestClient, make_user, login, admin_headers) -> None:
    make_user("gd_ops", "branch_operator", "GD")
    uid = _user(app_client, admin_headers, "gd_ops")["id"]
    res = app_client.patch(f"/api/admin/users/{uid}", headers=admin_headers,
                           json={"org_code": "GD-SZ", "role": "analyst", "display_name": "  王五 "})
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["org_code"], body["org_name"], body["role"], body["display_name"]) == (
        "GD-SZ", "深圳市分行", "analyst", "王五")
    me = app_client.get("/api/me", headers=login("gd_ops")).json()
    assert me["org_code"] == "GD-SZ" and me["role"] == "analyst"
    entry = _audit(app_client, admin_headers, "user.update")[0]
    assert entry["username"] == "root" and entry["target_id"] == "gd_ops"
    assert entry["detail"]["org_code"] == "GD-SZ" and entry["detail"]["before"]["org_code"] == "GD"
    assert entry["detail"]["before"]["role"] == "branch_operator"


def test_unknown_role_or_org_is_422_naming_the_field(app_client: TestClient, make_user, admin_headers) -> None:
    make_user("dave", "analyst", "HQ")
    uid = _user(app_client, admin_headers, "dave")["id"]
    for body, field in (({"role": "boss"}, "role"), ({"org_code": "NOWHERE"}, "org_code")):
        res = app_client.patch(f"/api/admin/users/{uid}", json=body, headers=admin_headers)
        assert res.status_code == 422 and res.json()["field"] == field
    assert _user(app_client, admin_headers, "dave")["role"] == "analyst"


def test_password_reset_follows_creation_rules_and_replaces_the_old_password(
        app_client: TestClient, make_user, login, admin_headers) -> None:
    make_user("erin", "analyst", "HQ")
    uid = _user(app_client, admin_headers, "erin")["id"]
    short = app_client.patch(f"/api/admin/users/{uid}", json={"password": "short"}, headers=admin_headers)
    assert short.status_code == 422
    assert short.json()["field"] == "password" and short.json()["code"] == "password_too_short"
    ok = app_client.patch(f"/api/admin/users/{uid}", json={"password": "N3w-Secret!"}, headers=admin_headers)
    assert ok.status_code == 200
    old = app_client.post("/api/auth/login", json={"username": "erin", "password": PASSWORD})
    assert old.status_code == 401
    assert login("erin", "N3w-Secret!")
    entry = _audit(app_client, admin_headers, "user.password_reset")[0]
    assert entry["target_id"] == "erin" and "N3w-Secret!" not in str(entry["detail"])


def test_disabled_user_can_be_enabled_again(app_client: TestClient, make_user, login, admin_headers) -> None:
    make_user("fay", "analyst", "HQ")
    uid = _user(app_client, admin_headers, "fay")["id"]
    app_client.patch(f"/api/admin/users/{uid}", json={"active": False}, headers=admin_headers)
    assert app_client.post("/api/auth/login", json={"username": "fay", "password": PASSWORD}).status_code == 401
    res = app_client.patch(f"/api/admin/users/{uid}", json={"active": True}, headers=admin_headers)
    assert res.status_code == 200 and res.json()["active"] is True
    assert app_client.get("/api/me", headers=login("fay")).status_code == 200


def test_the_last_active_admin_cannot_be_demoted_or_disabled(
        app_client: TestClient, make_user, login, admin_headers) -> None:
    root = _user(app_client, admin_headers, "root")["id"]
    demote = app_client.patch(f"/api/admin/users/{root}", json={"role": "analyst"}, headers=admin_headers)
    assert demote.status_code == 409 and demote.json()["field"] == "role"
    disable = app_client.patch(f"/api/admin/users/{root}", json={"active": False}, headers=admin_headers)
    assert disable.status_code == 409 and disable.json()["field"] == "active"
    assert _user(app_client, admin_headers, "root")["role"] == "admin"
    # With a second active admin, stepping down is allowed.
    make_user("root2", "admin", "HQ")
    res = app_client.patch(f"/api/admin/users/{root}", json={"role": "analyst"}, headers=admin_headers)
    assert res.status_code == 200 and res.json()["role"] == "analyst"
    # root2 is now the only admin: they cannot disable themselves either.
    headers2 = login("root2")
    root2 = _user(app_client, headers2, "root2")["id"]
    last = app_client.patch(f"/api/admin/users/{root2}", json={"active": False}, headers=headers2)
    assert last.status_code == 409 and last.json()["field"] == "active"


def test_non_admins_cannot_edit_users(app_client: TestClient, make_user, login, admin_headers) -> None:
    make_user("gina", "hq_operator", "HQ")
    uid = _user(app_client, admin_headers, "gina")["id"]
    headers = login("gina")
    for body in ({"role": "admin"}, {"password": "N3w-Secret!"}, {"active": False}):
        res = app_client.patch(f"/api/admin/users/{uid}", json=body, headers=headers)
        assert res.status_code == 403
    assert _user(app_client, admin_headers, "gina")["role"] == "hq_operator"

"""Login, tokens, rate limiting and the admin pages, as users meet them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from factories import PASSWORD


def test_login_gives_a_bearer_token_that_opens_api_routes(app_client: TestClient, make_user, login) -> None:
    make_user("alice", "hq_operator", "HQ")
    res = app_client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert res.status_code == 200
    body = res.json()
    assert body["token_type"] == "bearer"
    me = app_client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "hq_operator" and me.json()["role_name"] == "总行运营"


def test_every_api_route_but_login_and_health_needs_a_token(app_client: TestClient) -> None:
    assert app_client.get("/api/health").json()["status"] == "ok"
    for path in ("/api/me", "/api/orgs", "/api/customers", "/api/customers/C1", "/api/admin/users",
                 "/api/admin/audit", "/api/admin/keys", "/api/admin/roles"):
        res = app_client.get(path)
        assert res.status_code == 401, path
    bad = app_client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "invalid" in bad.json()["detail"]


def test_wrong_password_is_401_and_repeated_failures_are_rate_limited(app_client: TestClient, make_user) -> None:
    make_user("bob", "analyst", "HQ")
    for _ in range(5):
        res = app_client.post("/api/auth/login", json={"username": "bob", "password": "wrong-password"})
        assert res.status_code == 401
    blocked = app_client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "too many" in blocked.json()["detail"]


def test_login_with_missing_field_names_it(app_client: TestClient) -> None:
    res = app_client.post("/api/auth/login", json={"username": "x"})
    assert res.status_code == 422
    assert any(err["loc"][-1] == "password" for err in res.json()["detail"])


def test_disabled_user_loses_access(app_client: TestClient, make_user, login, admin_headers) -> None:
    make_user("carol", "analyst", "HQ")
    headers = login("carol")
    users = app_client.get("/api/admin/users", headers=admin_headers).json()["items"]
    carol = next(u for u in users if u["username"] == "carol")
    res = app_client.patch(f"/api/admin/users/{carol['id']}", json={"active": False}, headers=admin_headers)
    assert res.status_code == 200 and res.json()["active"] is False
    assert app_client.get("/api/me", headers=headers).status_code == 401
    assert app_client.post("/api/auth/login", json={"username": "carol", "password": PASSWORD}).status_code == 401


def test_admin_creates_users_with_clear_errors(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    ok = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "gz_ops", "password": "Secret#2026", "role": "branch_operator", "org_code": "GD-GZ",
        "display_name": "广州运营"})
    assert ok.status_code == 201 and ok.json()["org_name"] == "广州市分行"
    dup = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "gz_ops", "password": "Secret#2026", "role": "branch_operator", "org_code": "GD-GZ"})
    assert dup.status_code == 409 and dup.json()["field"] == "username"
    bad_role = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "x1", "password": "Secret#2026", "role": "king", "org_code": "HQ"})
    assert bad_role.status_code == 422 and bad_role.json()["field"] == "role"
    bad_org = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "x2", "password": "Secret#2026", "role": "analyst", "org_code": "NOPE"})
    assert bad_org.status_code == 422 and bad_org.json()["field"] == "org_code"
    short = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "x3", "password": "short", "role": "analyst", "org_code": "HQ"})
    assert short.status_code == 422 and short.json()["field"] == "password"
    assert short.json()["code"] == "password_too_short"
    names = [u["username"] for u in app_client.get("/api/admin/users", headers=admin_headers).json()["items"]]
    assert "x1" not in names and "x2" not in names and "x3" not in names


def test_only_admins_reach_admin_pages(app_client: TestClient, make_user, login: Callable) -> None:
    for role, org in (("hq_operator", "HQ"), ("branch_operator", "GD"), ("analyst", "HQ"), ("approver", "HQ"),
                      ("rm", "GD-SZ-001")):
        headers = login(make_user(f"u_{role}", role, org, rm_id="RM-X" if role == "rm" else None))
        for path in ("/api/admin/users", "/api/admin/audit", "/api/admin/keys"):
            assert app_client.get(path, headers=headers).status_code == 403, (role, path)


def test_roles_are_the_six_of_the_bank(app_client: TestClient, admin_headers) -> None:
    roles = {r["id"]: r for r in app_client.get("/api/admin/roles", headers=admin_headers).json()["items"]}
    assert set(roles) == {"admin", "hq_operator", "branch_operator", "analyst", "approver", "rm"}
    assert "pii:unmask" in roles["admin"]["permissions"]
    assert "pii:unmask" not in roles["branch_operator"]["permissions"]


def test_write_keys_show_once_and_can_be_revoked(app_client: TestClient, admin_headers, platform) -> None:
    from mofang.platform.governance import service as gov

    created = app_client.post("/api/admin/keys", json={"name": "手机银行App"}, headers=admin_headers).json()
    assert created["key"].startswith(created["prefix"])
    listed = app_client.get("/api/admin/keys", headers=admin_headers).json()["items"]
    assert all("key" not in k for k in listed)
    with platform.metadata.session() as session:
        assert gov.write_key_valid(session=session, key=created["key"])
    assert app_client.delete(f"/api/admin/keys/{created['id']}", headers=admin_headers).status_code == 204
    with platform.metadata.session() as session:
        assert not gov.write_key_valid(session=session, key=created["key"])


def test_audit_log_records_logins_failures_and_changes(app_client: TestClient, make_user, admin_headers) -> None:
    make_user("dave", "analyst", "HQ")
    app_client.post("/api/auth/login", json={"username": "dave", "password": "nope-nope"})
    app_client.post("/api/admin/keys", json={"name": "h5"}, headers=admin_headers)
    entries = app_client.get("/api/admin/audit?limit=100", headers=admin_headers).json()["items"]
    actions = [(e["action"], e["username"]) for e in entries]
    assert ("auth.login_failed", "dave") in actions
    assert ("auth.login", "root") in actions
    assert ("key.create", "root") in actions
    assert all(e["ip"] for e in entries if e["action"].startswith("auth."))
    only_failed = app_client.get("/api/admin/audit?action=auth.login_failed", headers=admin_headers).json()
    assert only_failed["total"] == 1


def test_log_filter_masks_pii_and_keeps_access_log_args_usable() -> None:
    import logging

    from mofang.platform.logging import PiiFilter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/customers?q=13912345678", "1.1", 200), None)
    assert PiiFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/customers?q=139****5678 HTTP/1.1" 200'

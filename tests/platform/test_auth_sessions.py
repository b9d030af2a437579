"""Sessions as users meet them: logout ends a token, a reset or role change ends every login, refresh rotates."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient

from factories import PASSWORD
from mofang.platform.storage.models import AuthSession, utcnow


def _login(client: TestClient, username: str, password: str = PASSWORD):
    res = client.post("/api/auth/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.text
    return res


def _bearer(res) -> dict[str, str]:
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def _uid(client: TestClient, admin: dict[str, str], username: str) -> int:
    return next(u["id"] for u in client.get("/api/admin/users", headers=admin).json()["items"]
                if u["username"] == username)


def test_login_gives_a_short_access_token_and_an_httponly_refresh_cookie_for_auth_routes_only(
        app_client: TestClient, make_user) -> None:
    make_user("alice", "analyst", "HQ")
    res = _login(app_client, "alice")
    assert res.json()["expires_in"] == 15 * 60
    claims = jwt.decode(res.json()["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60
    cookie = res.headers["set-cookie"]
    assert cookie.startswith("mofang_refresh=") and "HttpOnly" in cookie and "Path=/api/auth" in cookie
    assert "samesite=strict" in cookie.lower()
    assert res.json()["access_token"] not in cookie


def test_logout_revokes_the_token_at_once(app_client: TestClient, make_user, admin_headers) -> None:
    make_user("bob", "analyst", "HQ")
    headers = _bearer(_login(app_client, "bob"))
    assert app_client.get("/api/me", headers=headers).status_code == 200
    out = app_client.post("/api/auth/logout", headers=headers)
    assert out.status_code == 204
    gone = app_client.get("/api/me", headers=headers)
    assert gone.status_code == 401 and gone.json()["code"] == "session_ended"
    # The refresh cookie is gone too: a reload cannot bring the session back.
    assert app_client.post("/api/auth/refresh").status_code == 401
    audit = app_client.get("/api/admin/audit", params={"action": "auth.logout"}, headers=admin_headers).json()
    assert [e["username"] for e in audit["items"]] == ["bob"]


def test_logout_of_one_login_keeps_the_users_other_logins(app_client: TestClient, make_user) -> None:
    make_user("cara", "analyst", "HQ")
    laptop = _bearer(_login(app_client, "cara"))
    phone = _bearer(_login(app_client, "cara"))
    app_client.post("/api/auth/logout", headers=laptop)
    assert app_client.get("/api/me", headers=laptop).status_code == 401
    assert app_client.get("/api/me", headers=phone).status_code == 200


def test_password_reset_role_org_change_and_deactivation_end_every_login(
        app_client: TestClient, make_user, admin_headers) -> None:
    for name, change in (("dan", {"password": "Rotated#Pass2026"}), ("eve", {"role": "hq_operator"}),
                         ("fox", {"org_code": "GD"}), ("gil", {"active": False})):
        make_user(name, "analyst", "HQ")
        first, second = _bearer(_login(app_client, name)), _bearer(_login(app_client, name))
        res = app_client.patch(f"/api/admin/users/{_uid(app_client, admin_headers, name)}", json=change,
                               headers=admin_headers)
        assert res.status_code == 200, res.text
        for headers in (first, second):
            assert app_client.get("/api/me", headers=headers).status_code == 401, (name, change)
        assert app_client.post("/api/auth/refresh").status_code == 401, name
    # A change of display name alone keeps the user logged in.
    make_user("hal", "analyst", "HQ")
    headers = _bearer(_login(app_client, "hal"))
    app_client.patch(f"/api/admin/users/{_uid(app_client, admin_headers, 'hal')}", json={"display_name": "小哈"},
                     headers=admin_headers)
    assert app_client.get("/api/me", headers=headers).status_code == 200


def _use_cookie(client: TestClient, value: str) -> None:
    """Make the client a browser holding this refresh cookie (another tab, or a thief)."""
    client.cookies.clear()
    client.cookies.set("mofang_refresh", value, domain="testserver.local", path="/api/auth")


def test_refresh_cookie_recovers_the_session_and_rotates(app_client: TestClient, platform, make_user) -> None:
    make_user("ivy", "analyst", "HQ")
    _login(app_client, "ivy")
    first = app_client.cookies.get("mofang_refresh")
    # A page reload: no access token in memory, only the cookie.
    res = app_client.post("/api/auth/refresh")
    assert res.status_code == 200
    assert app_client.get("/api/me", headers=_bearer(res)).json()["username"] == "ivy"
    second = app_client.cookies.get("mofang_refresh")
    assert second and second != first
    # The replaced token presented again after the grace period means it was stolen: the session ends.
    with platform.metadata.session() as s:
        for row in s.query(AuthSession):
            row.rotated_at = utcnow() - timedelta(minutes=5)
    _use_cookie(app_client, first)
    assert app_client.post("/api/auth/refresh").status_code == 401
    assert app_client.get("/api/me", headers=_bearer(res)).status_code == 401
    _use_cookie(app_client, second)
    assert app_client.post("/api/auth/refresh").status_code == 401


def test_two_tabs_refreshing_with_the_same_cookie_both_stay_logged_in(app_client: TestClient, make_user) -> None:
    make_user("jay", "analyst", "HQ")
    _login(app_client, "jay")
    cookie = app_client.cookies.get("mofang_refresh")
    assert app_client.post("/api/auth/refresh").status_code == 200
    rotated = app_client.cookies.get("mofang_refresh")
    _use_cookie(app_client, cookie)  # the other tab still sent the old cookie
    late = app_client.post("/api/auth/refresh")
    assert late.status_code == 200
    assert app_client.get("/api/me", headers=_bearer(late)).status_code == 200
    _use_cookie(app_client, rotated)
    assert app_client.post("/api/auth/refresh").status_code == 200


def test_an_expired_session_cannot_be_refreshed(app_client: TestClient, make_user, platform) -> None:
    make_user("kim", "analyst", "HQ")
    headers = _bearer(_login(app_client, "kim"))
    with platform.metadata.session() as s:
        for row in s.query(AuthSession):
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert app_client.post("/api/auth/refresh").status_code == 401
    assert app_client.get("/api/me", headers=headers).status_code == 401


def test_a_token_without_a_session_is_refused(app_client: TestClient, make_user, platform) -> None:
    make_user("lee", "analyst", "HQ")
    _login(app_client, "lee")
    forged = jwt.encode({"sub": "2", "exp": 4102444800}, platform.token_key, algorithm="HS256")
    assert app_client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_user_changes_their_own_password_under_the_policy_and_other_logins_end(
        app_client: TestClient, make_user, admin_headers) -> None:
    make_user("nia", "analyst", "HQ")
    other = _bearer(_login(app_client, "nia"))
    here = _bearer(_login(app_client, "nia"))
    wrong = app_client.post("/api/auth/password", headers=here,
                            json={"current_password": "not-it", "new_password": "Brand#New2026"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    weak = app_client.post("/api/auth/password", headers=here,
                           json={"current_password": PASSWORD, "new_password": "password123"})
    assert weak.status_code == 422
    assert (weak.json()["field"], weak.json()["code"]) == ("password", "password_too_simple")
    ok = app_client.post("/api/auth/password", headers=here,
                         json={"current_password": PASSWORD, "new_password": "Brand#New2026"})
    assert ok.status_code == 204
    assert app_client.get("/api/me", headers=here).status_code == 200
    assert app_client.get("/api/me", headers=other).status_code == 401
    assert app_client.post("/api/auth/login", json={"username": "nia", "password": PASSWORD}).status_code == 401
    _login(app_client, "nia", "Brand#New2026")
    audit = app_client.get("/api/admin/audit", params={"action": "user.password_change"}, headers=admin_headers)
    assert [e["target_id"] for e in audit.json()["items"]] == ["nia"]

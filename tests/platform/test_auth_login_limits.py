"""Failed logins back off per (username, address); passwords follow a policy that keeps out the obvious ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD
from mofang.platform.governance.auth import LoginLimiter
from mofang.platform.governance.password_policy import password_problem


@pytest.fixture
def two_addresses(app_client) -> Iterator[tuple[TestClient, TestClient]]:
    """Clients calling from two addresses into the same running app."""
    app = app_client.app
    yield (TestClient(app, client=("10.0.0.1", 5000)), TestClient(app, client=("10.0.0.2", 5000)))


def test_wrong_passwords_from_one_address_never_lock_the_user_out_elsewhere(two_addresses, make_user) -> None:
    make_user("root", "admin", "HQ")
    attacker, admin = two_addresses
    for _ in range(5):
        assert attacker.post("/api/auth/login", json={"username": "root", "password": "guess-guess"}).status_code == 401
    blocked = attacker.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "login_throttled" and int(blocked.headers["Retry-After"]) > 0
    assert blocked.json()["params"]["seconds"] == int(blocked.headers["Retry-After"])
    assert admin.post("/api/auth/login", json={"username": "root", "password": PASSWORD}).status_code == 200


def test_failures_of_one_user_do_not_lock_the_other_users_of_the_address(two_addresses, make_user) -> None:
    make_user("teller1", "analyst", "HQ")
    make_user("teller2", "analyst", "HQ")
    branch, _ = two_addresses
    for _ in range(6):
        branch.post("/api/auth/login", json={"username": "teller1", "password": "wrong-one"})
    assert branch.post("/api/auth/login", json={"username": "teller2", "password": PASSWORD}).status_code == 200


def test_each_further_failure_doubles_the_wait_and_success_forgets() -> None:
    now = [1000.0]
    limiter = LoginLimiter(max_failures=3, window_seconds=300, backoff_seconds=30, max_backoff_seconds=200,
                           clock=lambda: now[0])
    waits = [limiter.failed("ann", "1.2.3.4") for _ in range(6)]
    assert waits == [0, 0, 30, 60, 120, 200]
    assert limiter.retry_after("ann", "1.2.3.4") == 200
    assert limiter.retry_after("ann", "5.6.7.8") == 0 and limiter.retry_after("bo", "1.2.3.4") == 0
    now[0] += 201
    assert limiter.retry_after("ann", "1.2.3.4") == 0
    assert limiter.failed("ann", "1.2.3.4") == 200  # still within the window: the count goes on
    now[0] += 200 + 301
    assert limiter.failed("ann", "1.2.3.4") == 0  # long quiet: the failures are forgotten
    limiter.failed("ann", "1.2.3.4")
    limiter.succeeded("ann", "1.2.3.4")
    assert limiter.failed("ann", "1.2.3.4") == 0


@pytest.mark.parametrize(("password", "code"), [
    ("12345678", "password_too_short"),
    ("abcdefghijkl", "password_too_simple"),
    ("alllowercase123", "password_too_simple"),
    ("Newadmin#2026", "password_contains_username"),
    ("P@ssw0rd2026", "password_common"),
    ("Password@123", "password_common"),
    ("Qwerty@123456", "password_common"),
])
def test_weak_passwords_are_refused_with_a_code_naming_the_password(
        app_client: TestClient, admin_headers, password: str, code: str) -> None:
    res = app_client.post("/api/admin/users", headers=admin_headers, json={
        "username": "newadmin", "password": password, "role": "admin", "org_code": "HQ"})
    assert res.status_code == 422, password
    assert (res.json()["field"], res.json()["code"]) == ("password", code)
    users = app_client.get("/api/admin/users", headers=admin_headers).json()["items"]
    assert "newadmin" not in [u["username"] for u in users]


def test_password_reset_follows_the_policy_and_the_old_password_stays(
        app_client: TestClient, make_user, admin_headers, login) -> None:
    make_user("mia", "analyst", "HQ")
    uid = next(u["id"] for u in app_client.get("/api/admin/users", headers=admin_headers).json()["items"]
               if u["username"] == "mia")
    res = app_client.patch(f"/api/admin/users/{uid}", json={"password": "mia-Password-1"}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["code"] == "password_contains_username"
    assert login("mia")


def test_the_demo_password_and_good_passwords_pass() -> None:
    assert password_problem("Mofang@2026", username="admin") is None
    assert password_problem("Test@Pass2026", username="root") is None
    assert password_problem("长城-Great-Wall-9", username="hq_ops") is None

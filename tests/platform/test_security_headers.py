"""Every console and API response tells the browser not to frame it, not to sniff it, not to run foreign scripts,
and API answers (customer data) are never cached."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _assert_hardened(res) -> None:
    csp = res.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert res.headers["x-frame-options"] == "DENY"
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"


def test_api_answers_are_hardened_and_never_cached(app_client: TestClient, admin_headers, make_user) -> None:
    for res in (app_client.get("/api/me", headers=admin_headers), app_client.get("/api/me"),
                app_client.get("/api/customers", headers=admin_headers), app_client.get("/api/nowhere"),
                app_client.post("/api/auth/login", json={"username": "root", "password": "wrong-password"})):
        _assert_hardened(res)
        assert res.headers["cache-control"] == "no-store", res.request.url


def test_console_pages_are_hardened(app_client: TestClient, settings) -> None:
    res = app_client.get("/insight/customers")
    _assert_hardened(res)
    if (settings.console_dir / "index.html").is_file():
        # The built console loads only its own scripts: no inline <script> the policy would block.
        assert res.status_code == 200 and "<script>" not in res.text
        assert "no-store" not in res.headers.get("cache-control", "")


def test_the_api_explorer_keeps_working_and_stays_unframeable(app_client: TestClient) -> None:
    res = app_client.get("/docs")
    assert res.status_code == 200
    assert "https://cdn.jsdelivr.net" in res.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in res.headers["content-security-policy"]
    assert res.headers["x-frame-options"] == "DENY"

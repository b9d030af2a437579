"""Alert webhooks cannot point into the bank's network unless an administrator allow-lists the host (audited);
a failed delivery records the status code only, never what the server answered."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mofang.monitor.alerts import service as alerts

DAY = date(2026, 3, 2)


@pytest.fixture
def leaky_server() -> Iterator[int]:
    """A loopback service that answers every POST with a 500 carrying internal data."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"AccessKeyId": "ASIA-INTERNAL", "Token": "s3cr3t"}'
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _metric(client, headers) -> int:
    res = client.post("/api/monitor/metrics", headers=headers, json={
        "key": "buys", "name": "Purchases", "definition": {"event": {"event": "purchase"}, "days": 1}})
    assert res.status_code == 201, res.text
    return res.json()["id"]


def _rule(client, headers, metric_id: int, url: str):
    return client.post("/api/monitor/alert-rules", headers=headers, json={
        "metric_id": metric_id, "name": "any purchase", "op": "gt", "threshold": 0, "webhook_url": url})


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/admin", "http://169.254.169.254/latest/meta-data/iam/", "http://localhost:5432/",
    "http://10.0.0.5/hook", "http://[::1]:8000/", "http://metadata.google.internal/",
])
def test_an_analyst_cannot_point_a_webhook_at_internal_addresses(
        app_client, make_user, login, bank, admin_headers, url: str) -> None:
    analyst = login(make_user("ana", "analyst", "HQ"))
    res = _rule(app_client, analyst, _metric(app_client, analyst), url)
    assert res.status_code == 422
    assert (res.json()["field"], res.json()["code"]) == ("webhook_url", "webhook_url_refused")
    assert app_client.get("/api/monitor/alert-rules", headers=analyst).json() == []


def test_an_allow_listed_host_is_accepted_and_failures_keep_only_the_status(
        app_client, make_user, login, bank, admin_headers, leaky_server: int) -> None:
    analyst = login(make_user("ana", "analyst", "HQ"))
    metric_id = _metric(app_client, analyst)
    url = f"http://127.0.0.1:{leaky_server}/hook"
    assert _rule(app_client, analyst, metric_id, url).status_code == 422
    # Only an administrator can allow-list, and it is audited.
    assert app_client.post("/api/admin/outbound-hosts", json={"host": "127.0.0.1"},
                           headers=analyst).status_code == 403
    bad = app_client.post("/api/admin/outbound-hosts", json={"host": "http://127.0.0.1:8000/x"},
                          headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["field"] == "host"
    added = app_client.post("/api/admin/outbound-hosts", json={"host": "127.0.0.1"}, headers=admin_headers)
    assert added.status_code == 201 and added.json()["source"] == "admin"
    audit = app_client.get("/api/admin/audit", params={"action": "outbound.allow"}, headers=admin_headers).json()
    assert [(e["username"], e["target_id"]) for e in audit["items"]] == [("root", "127.0.0.1")]

    assert _rule(app_client, analyst, metric_id, url).status_code == 201
    fired = alerts.evaluate(platform=bank, day=DAY).fired
    assert fired[0].notifications["webhook"] == "http_error (HTTP 500)"
    shown = app_client.get("/api/monitor/alerts", headers=analyst).text
    assert "ASIA-INTERNAL" not in shown and "s3cr3t" not in shown

    assert app_client.delete("/api/admin/outbound-hosts/127.0.0.1", headers=admin_headers).status_code == 204
    assert app_client.get("/api/admin/outbound-hosts", headers=admin_headers).json()["items"] == []
    assert _rule(app_client, analyst, metric_id, url).status_code == 422


def test_hosts_allow_listed_in_settings_are_listed_and_accepted(
        settings, app_client, make_user, login, bank, admin_headers) -> None:
    settings.outbound_allow_hosts = "hooks.bank.internal, 10.0.0.5"
    listed = app_client.get("/api/admin/outbound-hosts", headers=admin_headers).json()["items"]
    assert [(h["host"], h["source"]) for h in listed] == [("10.0.0.5", "settings"), ("hooks.bank.internal", "settings")]
    analyst = login(make_user("ana", "analyst", "HQ"))
    assert _rule(app_client, analyst, _metric(app_client, analyst), "http://10.0.0.5/hook").status_code == 201

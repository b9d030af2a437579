"""Outgoing HTTP calls cannot be aimed at the bank's own network or the cloud's metadata (SSRF), and never echo."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mofang.platform import outbound


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server: /ok answers 200, /secret 500 with internal data, /jump redirects to metadata."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/jump":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                return
            code, body = (200, b"fine") if self.path == "/ok" else (500, b"root:x:0:0 internal-secret")
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/x", "http://localhost/x", "http://api.localhost/x", "http://169.254.169.254/latest/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://10.1.2.3/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://100.100.100.200/latest/meta-data/", "http://[::1]/", "http://[fe80::1]/",
    "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://2130706433/", "ftp://example.com/", "http:///nohost",
])
def test_internal_and_non_http_addresses_are_refused(url: str) -> None:
    assert outbound.check_url(url) is not None, url
    result = outbound.post_json(url, {"a": 1}, timeout=1)
    assert not result.ok and result.outcome in ("refused", "invalid_url", "unresolvable"), url


def test_public_addresses_pass_the_check() -> None:
    assert outbound.check_url("https://8.8.8.8/hook") is None
    assert outbound.check_url("https://[2001:4860:4860::8888]/hook") is None


def test_a_name_resolving_to_an_internal_address_is_refused_at_the_call(monkeypatch, local_server) -> None:
    port, hits = local_server
    monkeypatch.setattr(outbound, "_resolve", lambda host, p: [outbound.ipaddress.ip_address("127.0.0.1")])
    result = outbound.post_json(f"http://hooks.example.com:{port}/ok", {"a": 1})
    assert (result.outcome, result.reason) == ("refused", "loopback address")
    assert hits == []


def test_an_allow_listed_host_is_reached_and_the_answer_body_never_comes_back(local_server) -> None:
    port, hits = local_server
    assert outbound.post_json(f"http://127.0.0.1:{port}/ok", {"a": 1}).outcome == "refused"
    ok = outbound.post_json(f"http://127.0.0.1:{port}/ok", {"a": 1}, allow_hosts={"127.0.0.1"})
    assert ok.ok and ok.status == 200 and ok.summary() == "sent (HTTP 200)"
    failed = outbound.post_json(f"http://127.0.0.1:{port}/secret", {"a": 1}, allow_hosts={"127.0.0.1"})
    assert (failed.outcome, failed.status) == ("http_error", 500)
    assert "secret" not in failed.summary() and "root" not in repr(failed)
    assert hits == ["/ok", "/secret"]


def test_redirects_are_not_followed(local_server) -> None:
    port, hits = local_server
    result = outbound.post_json(f"http://127.0.0.1:{port}/jump", {"a": 1}, allow_hosts={"127.0.0.1"})
    assert (result.outcome, result.status) == ("redirect", 302)
    assert hits == ["/jump"]


def test_a_silent_server_times_out() -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        result = outbound.post_json(url, {}, allow_hosts={"127.0.0.1"}, timeout=0.3)
    assert result.outcome == "timeout"

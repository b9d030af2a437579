"""Batched outgoing calls: the same guard as single calls, answers read right, kept connections reused."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mofang.platform import outbound
from mofang.platform.outbound import Target
from mofang.platform.outbound_batch import Call, exchange_many, parse_answer, request_bytes

T = Target("http", "127.0.0.1", "127.0.0.1", 8080, "/sms?x=1")


def test_request_bytes_is_what_http_client_writes() -> None:
    wire = request_bytes("POST", T, b'{"a":1}', {"Content-Type": "application/json"})
    assert wire == (b"POST /sms?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept-Encoding: identity\r\n"
                    b"Content-Length: 7\r\nContent-Type: application/json\r\n\r\n{\"a\":1}")
    get = request_bytes("GET", T._replace(port=80), None, {})
    assert get == b"GET /sms?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n"


@pytest.mark.parametrize("headers", [{"X-A": "1\r\nX-Injected: 2"}, {"X-A\n": "1"}, {"X-A": "中文"}, {"A:B": "1"}])
def test_request_bytes_refuses_header_injection(headers: dict[str, str]) -> None:
    out = request_bytes("POST", T, b"", headers)
    assert isinstance(out, outbound.OutboundResult) and out.outcome == "refused"


def test_parse_answer_lengths_chunks_and_interim_answers() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    assert parse_answer(ok, eof=False, limit=100) == (200, b"hello", True)
    assert parse_answer(ok[:-1], eof=False, limit=100) is None
    with pytest.raises(ValueError):
        parse_answer(ok[:-1], eof=True, limit=100)
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
    assert parse_answer(chunked, eof=False, limit=100) == (200, b"abcde", True)
    assert parse_answer(chunked[:-2], eof=False, limit=100) is None
    interim = b"HTTP/1.1 100 Continue\r\n\r\n" + ok
    assert parse_answer(interim, eof=False, limit=100) == (200, b"hello", True)
    old = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert parse_answer(old, eof=False, limit=100) == (200, b"ok", False)  # 1.0 closes unless keep-alive
    close = b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\nbusy"
    assert parse_answer(close, eof=False, limit=100) is None  # no length: read to the close
    assert parse_answer(close, eof=True, limit=100) == (503, b"busy", False)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"
    assert parse_answer(big, eof=False, limit=4) == (200, b"0123", False)  # cut, and the connection not reused
    for bad in (b"HTP/1.1 200 OK\r\n\r\n", b"HTTP/1.1 2000 OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        with pytest.raises(ValueError):
            parse_answer(bad, eof=False, limit=100)


@pytest.fixture(params=[None], ids=["kept"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[dict[str, Any]], list[int]]]:
    """A loopback server keeping connections alive (HTTP/1.1; closed after `param` idle seconds); its requests and
    the client ports it saw."""
    seen: list[dict[str, Any]] = []
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = request.param

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            ports.append(self.client_address[1])
            if self.path == "/slow":
                threading.Event().wait(1.0)
            status = 500 if self.path == "/fail" else 302 if self.path == "/jump" else 200
            out = b'{"code":0,"echo":"' + body + b'"}'
            self.send_response(status)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *_args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen, ports
    httpd.shutdown()
    httpd.server_close()


def test_many_calls_answered_in_order_over_few_connections(server: Any) -> None:
    url, seen, ports = server
    calls = [Call("POST", f"{url}/sms", str(i).encode(), {"Content-Type": "text/plain"}) for i in range(40)]
    out = exchange_many(calls, allow_hosts={"127.0.0.1"}, timeout=5, connections=4)
    assert [r.outcome for r, _ in out] == ["sent"] * 40
    assert [raw for _, raw in out] == [b'{"code":0,"echo":"%d"}' % i for i in range(40)]
    assert len(set(ports)) <= 4  # kept alive: four connections carried forty calls
    again = exchange_many(calls[:4], allow_hosts={"127.0.0.1"}, timeout=5, connections=4)
    assert all(r.ok for r, _ in again) and len(set(ports)) <= 4  # and were kept for the next batch
    assert len(seen) == 44


def test_the_guard_applies_to_every_call(server: Any) -> None:
    url, seen, _ports = server
    out = exchange_many([Call("POST", f"{url}/sms", b"1", {}), Call("POST", "http://169.254.169.254/x", b"", {}),
                         Call("POST", "ftp://example.com/", b"", {}), Call("POST", f"{url}/fail", b"", {}),
                         Call("POST", f"{url}/jump", b"", {})], allow_hosts={"127.0.0.1"}, timeout=5)
    assert [r.outcome for r, _ in out] == ["sent", "refused", "invalid_url", "http_error", "redirect"]
    assert out[3][0].status == 500 and out[4][1] == b""  # a redirect's body is never handed back
    refused = exchange_many([Call("POST", f"{url}/sms", b"1", {})], timeout=5)  # loopback, not allow-listed
    assert refused[0][0].outcome == "refused" and len(seen) == 3


def test_timeouts_and_closed_ports_are_results(server: Any) -> None:
    url, _seen, _ports = server
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    out = exchange_many([Call("POST", f"{url}/slow", b"", {}), Call("POST", f"http://127.0.0.1:{closed}/", b"", {}),
                         Call("POST", f"{url}/sms", b"2", {})], allow_hosts={"127.0.0.1"}, timeout=0.3)
    assert [r.outcome for r, _ in out] == ["timeout", "unreachable", "sent"]


@pytest.mark.parametrize("server", [0.2], indirect=True, ids=["idle-closed"])
def test_a_connection_the_server_closed_while_idle_is_not_used_again(server: Any) -> None:
    url, seen, ports = server
    calls = [Call("POST", f"{url}/sms", str(i).encode(), {"X-Tab": "a\tb"}) for i in range(4)]
    assert all(r.ok for r, _ in exchange_many(calls, allow_hosts={"127.0.0.1"}, timeout=5, connections=2))
    threading.Event().wait(0.6)  # the server drops both kept connections meanwhile
    again = exchange_many(calls, allow_hosts={"127.0.0.1"}, timeout=5, connections=2)
    assert [r.outcome for r, _ in again] == ["sent"] * 4 and len(seen) == 8
    assert len(set(ports)) == 4  # two fresh connections for the second batch

"""Fixtures for analytics tests: the small bank loaded, and an analyst posting queries."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from analytics_bank import CUSTOMERS, EVENTS

from factories import add_customers, events_for
from mofang.platform.context import Platform
from mofang.platform.governance import allow_list


@pytest.fixture
def bank(platform: Platform) -> Platform:
    """The platform with the small bank loaded."""
    add_customers(platform, CUSTOMERS)
    events_for(platform, EVENTS)
    return platform


@pytest.fixture
def analyst(app_client, make_user, login, bank) -> Callable[..., dict]:
    """POST a query as a head-office analyst; returns the response."""
    headers = login(make_user("ana", "analyst", "HQ"))

    def _post(model: str, body: dict, expect: int = 200, as_headers: dict | None = None) -> dict:
        res = app_client.post(f"/api/analytics/{model}", json=body, headers=as_headers or headers)
        assert res.status_code == expect, res.text
        return res.json()

    return _post


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message and keep it."""

    def handle(self) -> None:
        self.wfile.write(b"220 test\r\n")
        data = False
        lines: list[str] = []
        for raw in self.rfile:
            line = raw.decode().rstrip("\r\n")
            if data:
                if line == ".":
                    self.server.messages.append("\n".join(lines))  # type: ignore[attr-defined]
                    data = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ")[0].upper()
            if verb == "DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp() -> Iterator[socketserver.ThreadingTCPServer]:
    """A local SMTP server; received messages are in `.messages`."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.messages = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(platform: Platform) -> Iterator[tuple[str, list[dict]]]:
    """A local HTTP receiver, explicitly allow-listed (loopback is refused otherwise): its URL and the JSON bodies
    POSTed to it."""
    with platform.metadata.session() as session:
        allow_list.allow_outbound_host(session=session, host="127.0.0.1", actor="test")
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", got
    server.shutdown()
    server.server_close()

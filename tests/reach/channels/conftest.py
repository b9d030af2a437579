"""Vendor-shaped receivers on loopback and an address book holding each channel's addresses (encrypted)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.reach.channels import ProviderContext
from mofang.reach.delivery.logic import mask_address
from mofang.reach.delivery.ports import Address
from mofang.reach.delivery.routing import Deps
from reach.conftest import FakePolicy

ADDRESSES = {"sms": "13800001111", "call": "13800001111", "push": "1a0018970a8f2b4c",
             "wechat": "oLVPpjqs9BhvzwPj5A-vTYAX3GLc", "email": "zhang.san@bank-customer.example"}


@dataclass
class Vendor:
    """A local vendor: `handle(method, path, headers, body) -> (status, JSON or bytes)`; every request kept."""

    url: str
    handle: Callable[[str, str, Mapping[str, str], bytes], tuple[int, Any]]
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def vendor() -> Iterator[Callable[[Callable[..., tuple[int, Any]]], Vendor]]:
    """Start a vendor whose behaviour the test gives."""
    servers: list[ThreadingHTTPServer] = []

    def start(handle: Callable[..., tuple[int, Any]]) -> Vendor:
        holder: dict[str, Vendor] = {}

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                v = holder["v"]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): val for k, val in self.headers.items()}
                v.requests.append({"method": self.command, "path": self.path, "headers": headers, "body": body})
                status, doc = v.handle(self.command, self.path, headers, body)
                out = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _serve

            def log_message(self, *_args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        holder["v"] = Vendor(url=f"http://127.0.0.1:{server.server_address[1]}", handle=handle)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return holder["v"]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def context(platform: Platform | None = None, channel_id: int = 1) -> ProviderContext:
    """What a provider gets: loopback allow-listed for the local vendor."""
    return ProviderContext(channel_id=channel_id, allow_hosts=frozenset({"127.0.0.1"}), timeout=3.0,
                           metadata=platform.metadata if platform else None,  # type: ignore[arg-type]
                           cipher=platform.cipher if platform else None,
                           public_url="http://mofang.test")


@dataclass
class Book:
    """Every customer reachable on every channel at ADDRESSES (encrypted like the identities centre keeps them)."""

    def address(self, *, platform: Platform, session: Session, customer_id: str, channel: str,
                home: Mapping[str, Any] | None = None) -> Address | None:
        value = ADDRESSES.get(channel)
        if value is None:
            return None
        return Address(masked=mask_address(channel, value), value_enc=platform.cipher.encrypt(value))

    def reveal(self, *, platform: Platform, address: Address) -> str:
        return platform.cipher.decrypt(address.value_enc or "") or ""


@pytest.fixture
def reachable(bank: Platform) -> FakePolicy:
    """The bank's customers, reachable on every channel, under an allowing policy; loopback allow-listed."""
    fake = FakePolicy()
    bank.settings.outbound_allow_hosts = "127.0.0.1"
    bank.extras["reach_deps"] = Deps(policy=fake, addresses=Book(), rand=lambda: 0.0)  # type: ignore[arg-type]
    return fake

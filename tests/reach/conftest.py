"""Reach fixtures: customers, a fake contact policy, a local vendor-shaped HTTP receiver, configured channels."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from factories import add_customers, add_rms
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of
from mofang.reach.contracts import Channel
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.delivery.routing import Deps
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision

PHONES = {"k1": "13800001111", "k2": "13900002222", "k3": "13700003333"}


@dataclass
class FakePolicy:
    """A contact policy that allows unless told otherwise, and remembers opt-outs."""

    suppress: dict[str, str] = field(default_factory=dict)  # customer → reason
    checks: list[ContactRequest] = field(default_factory=list)
    opt_outs: list[tuple[str, str, str]] = field(default_factory=list)

    def check(self, *, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
        self.checks.append(request)
        if (customer := request.customer_id) in self.suppress or (customer, request.channel) in {
                (c, ch) for c, ch, _ in self.opt_outs}:
            return PolicyDecision(verdict="suppress", reason=self.suppress.get(customer, "opted_out"))
        return PolicyDecision(verdict="allow")

    def record_opt_out(self, *, session: object, customer_id: str, channel: Channel, now: datetime,
                       source: str) -> None:
        self.opt_outs.append((customer_id, channel, source))


@dataclass
class Receiver:
    """A vendor-shaped gateway on loopback: counts requests, answers as told (status, JSON body)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # consumed first, then the default
    default: tuple[int, dict[str, Any]] = (200, {"code": 0, "data": {"msgid": "m-default"}})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, dict[str, Any]]:
        with self.lock:
            n = len(self.requests)
            return self.answers.pop(0) if self.answers else (self.default[0], {
                **self.default[1], "data": {"msgid": f"m{n}"}})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """The local receiver, running in a thread."""
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = holder["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, doc = rec.answer()
            with rec.lock:
                rec.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            out = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/sms/send")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def bank(platform: Platform) -> Platform:
    """Three customers: k1 and k2 in Shenzhen (k1 in RM-S's book), k3 in Guangzhou without SMS consent."""
    add_rms(platform, {"RM-S": ("深圳经理", "GD-SZ-001")})
    add_customers(platform, {
        "k1": {"name": "张三", "org_code": "GD-SZ-001", "rm_id": "RM-S", "phone": PHONES["k1"]},
        "k2": {"name": "李四", "org_code": "GD-SZ-001", "phone": PHONES["k2"]},
        "k3": {"name": "王五", "org_code": "GD-GZ-001", "phone": PHONES["k3"], "consent_sms": False},
    })
    return platform


@pytest.fixture
def policy(platform: Platform) -> FakePolicy:
    """The fake policy, installed with instant retries (no jitter)."""
    fake = FakePolicy()
    platform.extras["reach_deps"] = Deps(policy=fake, rand=lambda: 0.0)
    return fake


def admin() -> Principal:
    """A head-office administrator acting in a service call."""
    return Principal(user_id=1, username="root", display_name="root", role="admin", org_code="HQ", rm_id=None,
                     permissions=permissions_of("admin"), scope=Scope(kind="all"))


@pytest.fixture
def sms_channel(platform: Platform, receiver: Receiver) -> Callable[..., int]:
    """Configure an SMS HTTP gateway pointing at the receiver (loopback allow-listed for the test)."""
    platform.settings.outbound_allow_hosts = "127.0.0.1"

    def make(**over: Any) -> int:
        config = {"url": receiver.url, "method": "POST", "body_format": "json",
                  "body": {"mobile": "{{address}}", "content": "{{content}}", "apikey": "{{key}}",
                           "requestId": "{{idempotency_key}}"},
                  "auth_header": "X-Auth", "success_path": "code", "success_value": "0",
                  "vendor_id_path": "data.msgid", "sign": "【魔方银行】", **over.pop("config", {})}
        data = ChannelCreate(channel="sms", name="测试短信", provider="http_gateway", config=config,
                             secrets={"key": "k-secret", "auth_value": "Bearer s3cret", "callback_secret": "cb-secret"},
                             unit_cost_fen=5, **over)
        with platform.metadata.session() as session:
            return channels_service.create(platform=platform, session=session, data=data, who=admin()).id

    return make

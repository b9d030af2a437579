"""The 沙箱 vendor sandboxes on a real server: each speaks its vendor's shape and its receipts come back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mofang import reach
from mofang.platform import outbound
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.contracts import Channel, SendRequest
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.delivery.routing import Deps
from mofang.reach.models import Delivery
from mofang.tracking.service import ingestor_of
from reach.channels.conftest import Book
from reach.conftest import FakePolicy, admin
from reach.test_sandbox import wait_for
from servers import free_port
from servers import served as serve_app


@pytest.fixture
def served(settings: Settings, bank: Platform) -> Iterator[str]:
    """The app on a real port; every customer reachable (the sandbox posts its receipts back to it)."""
    bank.extras["reach_deps"] = Deps(policy=FakePolicy(), addresses=Book(), rand=lambda: 0.0)  # type: ignore[arg-type]
    settings.port = free_port()
    with serve_app(settings, bank, port=settings.port) as url:
        yield url


@pytest.mark.parametrize(("channel", "kind", "receipt"), [
    ("sms", "aliyun_sms_sandbox", "delivered"), ("push", "jpush_sandbox", "delivered"),
    ("wechat", "wechat_sandbox", "delivered"), ("call", "ai_call_sandbox", None)])
def test_each_vendor_sandbox_accepts_like_its_vendor_and_reports_back(
        served: str, bank: Platform, channel: Channel, kind: str, receipt: str | None) -> None:
    assert bank.settings.outbound_allow_list() == frozenset()  # loopback only for sandboxes
    with bank.metadata.session() as session:
        made = channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel=channel, name="沙箱", provider=kind, config={"delay_seconds": 1}))
    assert made.sandbox and set(made.secrets.values()) == {"***"}
    out = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel=channel, purpose="service",
                                                        idempotency_key=f"sb-{kind}", variables={"content": "沙箱"}))
    assert out.status == "accepted", out

    def row() -> Delivery:
        with bank.metadata.session() as session:
            found = session.get(Delivery, out.delivery_id)
            session.expunge(found)
            return found  # type: ignore[return-value]

    got = wait_for(lambda: row().receipt, timeout=30)
    if receipt:
        assert got == receipt
    else:  # a call: connected or not, and a call_completed event either way
        assert got in ("delivered", "undelivered")

        def completed() -> list[dict[str, Any]]:
            ingestor_of(bank).flush()
            rows = bank.store.query("SELECT properties FROM events WHERE event = 'call_completed'", [])
            return [json.loads(r["properties"]) for r in rows]

        assert wait_for(completed, timeout=30)[0]["delivery_id"] == out.delivery_id


def test_the_sandboxes_refuse_what_their_vendors_refuse(served: str, bank: Platform) -> None:
    allow = {"127.0.0.1"}
    sms = outbound.send("GET", f"{served}/sandbox/aliyun/?AccessKeyId=SANDBOX999&Signature=x", None,
                        allow_hosts=allow)
    assert sms.status == 404
    with bank.metadata.session() as session:
        made = channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel="sms", name="沙箱", provider="aliyun_sms_sandbox", config={}))
    forged = outbound.exchange("GET", f"{served}/sandbox/aliyun/?AccessKeyId=SANDBOX{made.id}&Action=SendSms"
                               "&Signature=AAAA", None, allow_hosts=allow)
    assert forged[0].status == 400 and json.loads(forged[1])["Code"] == "SignatureDoesNotMatch"
    push = outbound.post_json(f"{served}/sandbox/jpush/v3/push", {"audience": {"registration_id": ["x"]}},
                              allow_hosts=allow, headers={"Authorization": "Basic c2FuZGJveDE6bm9wZQ=="})
    assert push.status == 401
    wx = outbound.exchange("POST", f"{served}/sandbox/wechat/cgi-bin/message/template/send?access_token=nope",
                           b"{}", allow_hosts=allow, headers={"Content-Type": "application/json"})
    assert json.loads(wx[1])["errcode"] == 40001
    call = outbound.post_json(f"{served}/sandbox/call/{made.id}/tasks", {"taskId": "1", "phone": "1"},
                              allow_hosts=allow, headers={"Authorization": "Bearer nope"})
    assert call.status == 401

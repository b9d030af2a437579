"""The 沙箱 sandbox gateway closes the loop on a real server: accepted, then a signed status report comes back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from mofang import reach
from mofang.platform import outbound
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.contracts import SendRequest
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.models import Delivery, ReachChannel
from reach.conftest import FakePolicy, admin
from servers import free_port
from servers import served as serve_app


@pytest.fixture
def served(settings: Settings, bank: Platform, policy: FakePolicy) -> Iterator[str]:
    """The app on a real port (the sandbox posts its reports back to it)."""
    settings.port = free_port()
    with serve_app(settings, bank, port=settings.port) as url:
        yield url


def wait_for(fn, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_sandbox_sms_accepts_reports_back_and_takes_a_td_reply(served: str, bank: Platform,
                                                              policy: FakePolicy) -> None:
    assert bank.settings.outbound_allow_list() == frozenset()  # loopback is allowed for the sandbox alone
    with bank.metadata.session() as session:
        made = channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel="sms", name="沙箱短信", provider="sandbox", config={"delay_seconds": 0}, unit_cost_fen=3))
    assert made.sandbox is True and made.secrets == {"key": "***", "callback_secret": "***"}
    out = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="sms", idempotency_key="sb-1",
                                                        variables={"content": "沙箱测试"}))
    assert out.status == "accepted" and out.cost_fen == 3

    def receipt() -> str | None:
        with bank.metadata.session() as session:
            return session.get(Delivery, out.delivery_id).receipt  # type: ignore[union-attr]

    assert wait_for(receipt) == "delivered"
    with bank.metadata.session() as session:
        row = session.get(Delivery, out.delivery_id)
        channel = session.scalars(select(ReachChannel)).one()
        key = json.loads(bank.cipher.decrypt(channel.secrets_enc) or "{}")["key"]
        vendor_id = row.vendor_id  # type: ignore[union-attr]
    # The customer replies TD; the sandbox passes it on like a vendor would.
    res = outbound.post_json(f"{served}/sandbox/sms/reply", {"channelId": made.id, "apiKey": key,
                                                              "msgid": vendor_id, "text": "TD"},
                             allow_hosts={"127.0.0.1"})
    assert res.ok
    assert wait_for(lambda: policy.opt_outs) == [("k1", "sms", "sms_reply")]
    assert wait_for(lambda: receipt() == "unsubscribed")
    # Without the channel's key the sandbox refuses, like a vendor.
    bad = outbound.post_json(f"{served}/sandbox/sms/send", {"channelId": made.id, "apiKey": "x", "to": "1"},
                             allow_hosts={"127.0.0.1"})
    assert bad.status == 401
    # Other providers may not reach the loopback: an HTTP gateway pointed at the sandbox is refused when saved.
    with bank.metadata.session() as session, pytest.raises(Exception, match="may not be called"):
        channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel="sms", name="x", provider="http_gateway",
            config={"url": f"{served}/sandbox/sms/send", "body": {"to": "{{address}}"}}))

"""E-mail over SMTP against a real local SMTP server (aiosmtpd): both parts, unsubscribe headers, open pixel."""

from __future__ import annotations

import email
import email.header
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mofang.platform.context import Platform
from mofang.reach.channels.email_smtp import OPEN_MARK, UNSUBSCRIBE_MARK, SmtpEmail
from mofang.reach.contracts import RenderedMessage
from mofang.reach.models import TrackedLink
from reach.channels.conftest import context


class Inbox:
    """Keeps every message; refuses recipients or answers temporary failures as told."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []
        self.rcpt_code: str | None = None

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if self.rcpt_code:
            return self.rcpt_code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append((envelope, email.message_from_bytes(envelope.content)))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks readiness by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mailer(platform: Platform, port: int, **over: Any) -> SmtpEmail:
    cfg = {"smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False, "from_address": "noreply@mofang.bank",
           "from_name": "魔方银行", **over}
    return SmtpEmail(cfg, {}, context(platform))


MESSAGE = RenderedMessage(channel="email", title="您的理财即将到期", body="张先生，您好：详情 http://mofang.test/r/tok1",
                          html="<p>张先生，您好：<a href=\"http://mofang.test/r/tok1\">详情</a></p>",
                          url="http://mofang.test/r/tok1", delivery_id=9)


def test_a_message_arrives_with_text_and_html_and_one_click_unsubscribe(
        platform: Platform, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    out = mailer(platform, port).send(MESSAGE, address="zhang.san@bank-customer.example", idempotency_key="k")
    assert out.accepted and out.vendor_id and out.vendor_id.endswith("@mofang.bank")
    envelope, msg = inbox.messages[0]
    assert envelope.rcpt_tos == ["zhang.san@bank-customer.example"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.walk()  # type: ignore[union-attr]
             if not p.is_multipart()}
    assert "详情 http://mofang.test/r/tok1" in parts["text/plain"]
    assert '<a href="http://mofang.test/r/tok1">详情</a>' in parts["text/html"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub = "".join(msg["List-Unsubscribe"].split()).strip("<>")
    assert unsub.startswith("http://mofang.test/r/") and unsub.endswith("/unsubscribe")
    pixel = parts["text/html"].split('<img src="')[1].split('"')[0]
    assert pixel.startswith("http://mofang.test/r/") and pixel.endswith("/open.gif")
    with platform.metadata.session() as session:
        links = {link.url: link.delivery_id for link in session.query(TrackedLink)}
    assert links == {UNSUBSCRIBE_MARK: 9, OPEN_MARK: 9}
    assert email.header.make_header(email.header.decode_header(msg["Subject"])).__str__() == "您的理财即将到期"


def test_refused_recipients_are_final_temporary_failures_retry(
        platform: Platform, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    inbox.rcpt_code = "550 5.1.1 No such user"
    refused = mailer(platform, port).send(MESSAGE, address="nobody@bank-customer.example", idempotency_key="k")
    inbox.rcpt_code = "451 4.7.1 Try again later"
    later = mailer(platform, port).send(MESSAGE, address="busy@bank-customer.example", idempotency_key="k")
    assert (refused.accepted, refused.retryable, refused.reason) == (False, False, "smtp_recipient_refused")
    assert (later.accepted, later.retryable) == (False, True)
    assert inbox.messages == []


def test_starttls_required_by_config_but_not_offered_is_refused_not_sent_in_clear(
        platform: Platform, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    out = mailer(platform, port, starttls=True).send(MESSAGE, address="a@b.example", idempotency_key="k")
    assert (out.accepted, out.reason) == (False, "smtp_starttls_unsupported")
    assert inbox.messages == []


def test_an_internal_smtp_host_is_refused_by_the_outbound_guard(platform: Platform) -> None:
    ctx = context(platform)
    guarded = SmtpEmail({"smtp_host": "10.0.0.25", "smtp_port": 25, "from_address": "a@b.example"}, {},
                        ctx.__class__(**{**ctx.__dict__, "allow_hosts": frozenset()}))
    out = guarded.send(MESSAGE, address="a@b.example", idempotency_key="k")
    assert (out.accepted, out.retryable, out.reason) == (False, False, "smtp_host_refused")


def test_an_email_sent_by_the_delivery_service_unsubscribes_its_own_customer(
        app_client: Any, bank: Platform, reachable: Any, smtp_server: tuple[Inbox, int]) -> None:
    from mofang import reach
    from mofang.reach.contracts import SendRequest
    from mofang.reach.delivery import channels_service
    from mofang.reach.delivery.contracts import ChannelCreate
    from reach.conftest import admin

    inbox, port = smtp_server
    with bank.metadata.session() as session:
        channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel="email", name="邮件", provider="smtp",
            config={"smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False,
                    "from_address": "noreply@mofang.bank"}))
    out = reach.send(platform=bank, request=SendRequest(
        customer_id="k1", channel="email", idempotency_key="mail-e2e", purpose="service",
        variables={"content": "理财到期提醒 https://bank.example/p/1", "title": "到期提醒",
                   "url": "https://bank.example/p/1"}))
    assert out.status == "accepted", out
    _envelope, msg = inbox.messages[0]
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "https://bank.example/p/1" not in text and "/r/" in text  # the link is a tracked one
    unsub = "".join(msg["List-Unsubscribe"].split()).strip("<>").removeprefix(bank.settings.public_url())
    assert app_client.post(unsub).status_code == 200
    assert reachable.opt_outs == [("k1", "email", "email_unsubscribe")]

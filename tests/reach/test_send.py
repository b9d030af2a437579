"""The one delivery service: exactly once per key, every refusal a value, retries then dead letters, crashes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mofang import reach
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.contracts import SendRequest
from mofang.reach.delivery import service, steps
from mofang.reach.models import Delivery, InboxMessage, ReachEvent
from reach.conftest import PHONES, FakePolicy, Receiver

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The delivery log on SQLite, and on a fresh PostgreSQL database when configured."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=True, scheduler=False)


def sms(key: str, customer: str = "k1", **kw: object) -> SendRequest:
    return SendRequest(customer_id=customer, channel="sms", idempotency_key=key,
                       variables={"content": "您的理财到期了，详情 https://bank.example/p/1",
                                  "url": "https://bank.example/p/1"}, strategy_id=7,
                       node_id="n1", **kw)  # type: ignore[arg-type]


def rows(platform: Platform) -> list[Delivery]:
    with platform.metadata.session() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def events(platform: Platform) -> list[dict]:
    with platform.metadata.session() as session:
        return [e.message for e in session.scalars(select(ReachEvent).order_by(ReachEvent.id))]


def test_a_repeated_key_returns_the_first_answer_and_sends_once(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    first = reach.send(platform=bank, request=sms("s-1"), now=NOW)
    again = reach.send(platform=bank, request=sms("s-1"), now=NOW + timedelta(minutes=5))
    assert first.status == "accepted" and first.cost_fen == 5
    assert again == first
    assert len(receiver.requests) == 1
    sent = json.loads(receiver.requests[0]["body"])
    # The gateway got the phone in clear (only there), the signature prefixed, the key, the idempotency key.
    assert sent["mobile"] == PHONES["k1"] and sent["content"].startswith("【魔方银行】")
    assert sent["apikey"] == "k-secret" and sent["requestId"] == "s-1"
    assert receiver.requests[0]["headers"]["X-Auth"] == "Bearer s3cret"
    # The link in the text became a tracked /r/ link.
    assert "/r/" in sent["content"] and "bank.example" not in sent["content"]
    [row] = rows(bank)
    assert row.address_masked == "138****1111" and row.vendor_id == "m0" and row.strategy_id == 7
    assert [e["event"] for e in events(bank)] == ["message_sent"]
    assert len(policy.checks) == 1  # the repeat never reached the policy either


def test_refusals_are_values_each_logged_with_its_reason(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    policy.suppress["k2"] = "cap_day_channel"
    assert reach.send(platform=bank, request=sms("r-1", "k2"), now=NOW).reason == "cap_day_channel"
    consent = reach.send(platform=bank, request=sms("r-2", "k3"), now=NOW)
    assert (consent.status, consent.reason) == ("suppressed", "no_consent")
    # A service message does not need marketing consent.
    assert reach.send(platform=bank, request=sms("r-3", "k3", purpose="service"), now=NOW).status == "accepted"
    nobody = reach.send(platform=bank, request=sms("r-4", "k-unknown"), now=NOW)
    assert (nobody.status, nobody.reason) == ("unreachable", "no_address")
    push = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="push", idempotency_key="r-5",
                                                         variables={"content": "hi"}), now=NOW)
    assert (push.status, push.reason) == ("not_configured", "channel_not_configured")
    template = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="sms", idempotency_key="r-6",
                                                             template_id=3), now=NOW)
    # No such template in the content library: nothing is sent, and the log says why.
    assert (template.status, template.reason) == ("failed", "content.template_not_found")
    assert len(receiver.requests) == 1  # only the service message went out
    assert [r.status for r in rows(bank)] == ["suppressed", "suppressed", "accepted", "unreachable",
                                              "not_configured", "failed"]
    names = [e["event"] for e in events(bank)]
    assert names.count("message_suppressed") == 2 and "message_unreachable" in names


def test_timeouts_and_5xx_retry_with_backoff_then_dead_letter(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel(max_attempts=3)
    receiver.answers = [(503, {"code": 1})] * 3
    first = reach.send(platform=bank, request=sms("d-1"), now=NOW)
    assert first.status == "deferred" and first.reason == "http_503"
    assert first.defer_until == NOW + timedelta(seconds=1)  # half the 2 s base, no jitter in tests
    # Not yet due: nothing is sent.
    assert reach.send(platform=bank, request=sms("d-1"), now=NOW).status == "deferred"
    assert len(receiver.requests) == 1
    second = reach.send(platform=bank, request=sms("d-1"), now=NOW + timedelta(seconds=1))
    assert second.status == "deferred" and second.defer_until == NOW + timedelta(seconds=3)
    # The background pump makes the third and last try.
    service.process_due(platform=bank, now=NOW + timedelta(seconds=10))
    [row] = rows(bank)
    assert (row.status, row.dead, row.attempts, row.reason) == ("failed", True, 3, "http_503")
    assert len(receiver.requests) == 3
    # A dead letter retried from the console goes out again (the gateway has recovered).
    result = service.retry_dead(platform=bank, delivery_id=row.id, now=NOW + timedelta(minutes=1))
    assert result.status == "accepted" and len(receiver.requests) == 4


def test_a_business_refusal_is_final_and_not_retried(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    receiver.answers = [(200, {"code": 41, "msg": "blacklisted"})]
    result = reach.send(platform=bank, request=sms("b-1"), now=NOW)
    assert (result.status, result.reason) == ("failed", "vendor_refused")
    assert reach.send(platform=bank, request=sms("b-1"), now=NOW + timedelta(hours=1)).status == "failed"
    assert len(receiver.requests) == 1


class Crash(BaseException):
    """The process dying between the provider's answer and saving it."""


def test_a_crash_after_the_gateway_accepted_never_sends_twice(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sms_channel()

    def crash(*_a: object, **_k: object) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(steps, "save_answers", crash)
        with pytest.raises(Crash):
            reach.send(platform=bank, request=sms("c-1"), now=NOW)
    assert len(receiver.requests) == 1
    [row] = rows(bank)
    assert row.status == "attempting"
    # The engine retries at once: the attempt may still be running, so it waits.
    soon = reach.send(platform=bank, request=sms("c-1"), now=NOW + timedelta(seconds=5))
    assert (soon.status, soon.reason) == ("deferred", "in_flight")
    # After the lease, recovery: the HTTP gateway cannot be asked, so the outcome is unknown and nothing is resent.
    late = reach.send(platform=bank, request=sms("c-1"), now=NOW + timedelta(minutes=5))
    assert (late.status, late.reason) == ("failed", "outcome_unknown")
    service.process_due(platform=bank, now=NOW + timedelta(hours=1))
    assert len(receiver.requests) == 1
    assert rows(bank)[0].status == "unknown"


def test_a_crash_on_a_channel_that_can_be_asked_is_resolved_by_asking(
        bank: Platform, policy: FakePolicy, monkeypatch: pytest.MonkeyPatch) -> None:
    request = SendRequest(customer_id="k1", channel="inbox", idempotency_key="i-1",
                          variables={"content": "您有一张券待领取", "title": "权益提醒"})

    def crash(*_a: object, **_k: object) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(steps, "save_answers", crash)
        with pytest.raises(Crash):
            reach.send(platform=bank, request=request, now=NOW)
    service.process_due(platform=bank, now=NOW + timedelta(minutes=5))
    [row] = rows(bank)
    assert row.status == "accepted" and row.vendor_id and row.vendor_id.startswith("inbox-")
    with bank.metadata.session() as session:
        assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1
    assert reach.send(platform=bank, request=request, now=NOW + timedelta(hours=1)).status == "accepted"
    with bank.metadata.session() as session:
        assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1


def test_a_crash_before_the_inbox_got_it_sends_it_once_on_recovery(
        bank: Platform, policy: FakePolicy, monkeypatch: pytest.MonkeyPatch) -> None:
    request = SendRequest(customer_id="k2", channel="inbox", idempotency_key="i-2", variables={"content": "你好"})

    def crash(*_a: object, **_k: object) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(steps, "attempt", crash)
        with pytest.raises(Crash):
            reach.send(platform=bank, request=request, now=NOW)
    assert reach.send(platform=bank, request=request, now=NOW + timedelta(minutes=5)).status == "accepted"
    with bank.metadata.session() as session:
        assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1


def test_a_provider_bug_is_retried_like_a_timeout(
        bank: Platform, policy: FakePolicy) -> None:
    class Broken:
        channel = "push"

        def send(self, *_a: object, **_k: object) -> None:
            raise RuntimeError("vendor SDK bug")

        def parse_receipt(self, *_a: object) -> list:
            return []

    bank.extras["reach_deps"].providers["push"] = Broken()
    out = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="push", idempotency_key="p-1",
                                                        variables={"content": "x"}), now=NOW)
    # Push has no address for k1 until identities know a token: unreachable comes first.
    assert out.status == "unreachable"


def test_a_channel_over_its_rate_defers_the_send_without_a_row(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel(rate_per_second=0.5, burst=1)
    assert reach.send(platform=bank, request=sms("rl-1"), now=NOW).status == "accepted"
    over = reach.send(platform=bank, request=sms("rl-2", "k2"), now=NOW)
    assert (over.status, over.reason) == ("deferred", "rate_limited")
    assert over.defer_until is not None and over.defer_until > NOW + timedelta(seconds=1)
    assert len(receiver.requests) == 1 and [r.idempotency_key for r in rows(bank)] == ["rl-1"]


def test_a_batch_sends_each_once_and_answers_in_order(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    batch = [sms("m-1", "k1"), sms("m-2", "k2"), sms("m-1", "k1"), sms("m-3", "k3"), sms("m-4", "nobody")]
    out = service.send_many(platform=bank, requests=batch, now=NOW)
    assert [o.status for o in out] == ["accepted", "accepted", "accepted", "suppressed", "unreachable"]
    assert out[0] == out[2]  # the same key twice in one batch is one send
    assert sorted(json.loads(r["body"])["requestId"] for r in receiver.requests) == ["m-1", "m-2"]
    again = service.send_many(platform=bank, requests=batch, now=NOW)
    assert again == out and len(receiver.requests) == 2


def test_a_batch_through_the_gateway_reads_each_answer_by_the_success_rule(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    receiver.answers = [(200, {"code": 0, "data": {"msgid": "v-1"}}), (503, {"code": 9}), (200, {"code": 7})]
    batch = [sms("g-1", "k1"), sms("g-2", "k2"), sms("g-3", "k1")]
    out = service.send_many(platform=bank, requests=batch, now=NOW, workers=1)  # one connection: answers in order
    assert [(o.status, o.reason) for o in out] == [("accepted", None), ("deferred", "http_503"),
                                                   ("failed", "vendor_refused")]
    assert [json.loads(r["body"])["requestId"] for r in receiver.requests] == ["g-1", "g-2", "g-3"]
    assert {r["headers"]["X-Auth"] for r in receiver.requests} == {"Bearer s3cret"}
    assert {r.idempotency_key: (r.status, r.vendor_id) for r in rows(bank)} == {
        "g-1": ("accepted", "v-1"), "g-2": ("retrying", None), "g-3": ("failed", None)}


def test_a_key_the_log_cannot_hold_is_refused_before_anything_happens(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    with pytest.raises(ValueError, match="idempotency_key"):
        reach.send(platform=bank, request=sms("k" * 192), now=NOW)
    with pytest.raises(ValueError):
        reach.send(platform=bank, request=sms(""), now=NOW)
    assert rows(bank) == [] and receiver.requests == [] and policy.checks == []


def test_a_template_is_rendered_for_the_customer_with_the_surname_only(
        bank: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    from mofang.reach.content import contracts as cc
    from mofang.reach.content import service as library
    from reach.conftest import admin

    sms_channel()
    with bank.metadata.session() as session:
        made = library.create(platform=bank, session=session, who=admin(), data=cc.TemplateCreate(
            name="到期提醒", channel="sms", content=cc.TemplateContent(
                body="【魔方银行】{{客户.姓氏}}{{客户.称谓}}，您的理财即将到期 回T退订")))
        library.set_status(platform=bank, session=session, who=admin(), template_id=made.id,
                           data=cc.StatusChange(status="active"))
    result = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="sms", idempotency_key="t-1",
                                                           template_id=made.id), now=NOW)
    assert result.status == "accepted", result
    text = json.loads(receiver.requests[0]["body"])["content"]
    assert text.startswith("【魔方银行】张") and "张三" not in text and "{{" not in text
    assert rows(bank)[0].template_version == 1


def test_an_opt_out_by_reply_stops_the_next_marketing_sms_through_the_real_policy(bank: Platform) -> None:
    from mofang.reach.delivery.ports import DefaultPolicy
    from mofang.strategy import contact_policy
    from mofang.strategy.contact_policy.contracts import ContactRequest

    def ask(key: str, purpose: str = "marketing") -> str | None:
        return contact_policy.check(platform=bank, now=NOW, request=ContactRequest(
            key=key, customer_id="k1", channel="sms", purpose=purpose, consents={"sms": True})).reason

    assert ask("before") != "opted_out"
    with bank.metadata.session() as session:  # 回T退订, in the callback's own transaction
        DefaultPolicy().record_opt_out(session=session, customer_id="k1", channel="sms", now=NOW, source="sms_reply")
    assert ask("after") == "opted_out"
    assert ask("service", purpose="service") != "opted_out"

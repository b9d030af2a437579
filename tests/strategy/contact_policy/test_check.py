"""Every rule at the moment of sending, through the embedded store (counts persisted in the metadata database)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mofang.platform.context import Platform
from mofang.platform.errors import Invalid
from mofang.strategy.contact_policy import (
    admin,
    control_group_of,
    logic,
    record_opt_out,
    release,
    service,
    suppressions_of,
)
from mofang.strategy.contact_policy.contracts import (
    CapRule,
    ConsentRule,
    ContactRequest,
    ControlGroupWrite,
    DncWrite,
    Gates,
    PolicyDecision,
    QuietHoursRule,
)
from mofang.strategy.contact_policy.models import PolicyDecisionRow
from strategy.contact_policy.helpers import HQ, Send, check_a_batch, sh

pytestmark = pytest.mark.usefixtures("no_quiet")


def verdicts(decisions: list) -> list[str]:
    return [d.verdict for d in decisions]


def test_day_cap_per_channel_turns_at_shanghai_midnight(send: Send, add_rule: Callable[..., int]) -> None:
    rule = add_rule(CapRule(window="day", limit=2, channel="sms"))
    late = sh(2026, 3, 20, 23, 58)
    assert verdicts([send(late), send(late)]) == ["allow", "allow"]
    third = send(sh(2026, 3, 20, 23, 59))
    assert (third.verdict, third.reason, third.rule_id) == ("suppress", "cap_day_channel", rule)
    assert send(late, channel="push").verdict == "allow"  # another channel is not this cap's
    # 00:00 in Shanghai is 16:00 UTC the day before: the new bank day has room again.
    assert send(sh(2026, 3, 21, 0, 0)).verdict == "allow"


def test_week_cap_starts_on_monday_and_month_cap_on_the_first(send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="week", limit=2))
    sunday = sh(2026, 3, 29, 20)
    assert verdicts([send(sh(2026, 3, 23)), send(sunday, channel="push"), send(sunday)]) == [
        "allow", "allow", "suppress"]
    assert send(sunday).reason == "cap_week_all"
    assert send(sh(2026, 3, 30, 0, 1)).verdict == "allow"  # Monday in Shanghai (Sunday 16:01 UTC)


def test_month_cap_counts_across_a_week_that_began_last_month(send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="month", limit=1, channel="email"))
    add_rule(CapRule(window="week", limit=2, channel="email"))
    assert send(sh(2026, 3, 31, 10), channel="email").verdict == "allow"  # Tuesday
    # Wednesday 1 April: a new month (the month cap has room) but the same week (one of two used).
    assert send(sh(2026, 4, 1, 10), channel="email").verdict == "allow"
    refused = send(sh(2026, 4, 2, 10), channel="email")
    assert (refused.verdict, refused.reason) == ("suppress", "cap_month_channel")


def test_cross_channel_cap_counts_every_channel(send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=3))
    at = sh(2026, 3, 20, 10)
    got = [send(at, channel=c).verdict for c in ("sms", "push", "wechat", "email", "inbox")]
    assert got == ["allow", "allow", "allow", "suppress", "suppress"]
    assert send(at, channel="sms", purpose="service").verdict == "allow"  # caps count marketing unless told


def test_business_line_quota_and_priority_reserve(send: Send, add_rule: Callable[..., int]) -> None:
    quota = add_rule(CapRule(window="day", limit=1, business_line="loan"))
    add_rule(CapRule(window="day", limit=3, reserve=1, reserve_priority=10))
    at = sh(2026, 3, 20, 10)
    assert send(at, business_line="loan", priority=100).verdict == "allow"
    loan = send(at, business_line="loan", priority=1)
    assert (loan.verdict, loan.reason, loan.rule_id) == ("suppress", "quota_day_line", quota)
    assert send(at, business_line="wealth", priority=100).verdict == "allow"  # 2 of 3 used
    # The third contact is reserved for priority ≤ 10: a low-priority strategy loses it to a high one.
    low = send(at, business_line="card", priority=100)
    assert (low.verdict, low.reason) == ("suppress", "cap_reserved")
    assert send(at, business_line="card", priority=5).verdict == "allow"
    assert send(at, business_line="card", priority=1).reason == "cap_day_all"


def test_deferring_cap_waits_for_the_next_window_outside_quiet_hours(
        platform: Platform, send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=1, action="defer"))
    add_rule(QuietHoursRule(start="22:00", end="08:30"))
    at = sh(2026, 3, 20, 10)
    assert send(at).verdict == "allow"
    later = send(at, key="late")
    # Tomorrow's window opens at midnight, inside quiet hours: the send waits until 08:30.
    assert (later.verdict, later.reason, later.until) == ("defer", "cap_day_all", sh(2026, 3, 21, 8, 30))
    assert send(at + timedelta(hours=1), key="late") == later  # asked again too early: the same answer
    assert send(sh(2026, 3, 21, 8, 30), key="late").verdict == "allow"  # retried when due with the same key
    with platform.metadata.session() as session:
        reasons = [(s.verdict, s.reason) for s in suppressions_of(session=session, customer_id="c1")]
    assert reasons == [("defer", "cap_day_all")]


def test_quiet_hours_defer_or_drop_and_service_is_exempt(send: Send, add_rule: Callable[..., int]) -> None:
    rule = add_rule(QuietHoursRule(start="21:00", end="09:00", action="defer"))
    night = sh(2026, 3, 20, 23, 30)
    d = send(night)
    assert (d.verdict, d.reason, d.until, d.rule_id) == ("defer", "quiet_hours", sh(2026, 3, 21, 9, 0), rule)
    assert send(night, purpose="service").verdict == "allow"
    assert send(sh(2026, 3, 21, 9, 0)).verdict == "allow"
    add_rule(QuietHoursRule(start="12:00", end="13:00", channel="call", action="drop", exempt_service=False))
    noon = sh(2026, 3, 21, 12, 15)
    assert send(noon, channel="call", purpose="service").reason == "quiet_hours"
    assert send(noon, channel="call").verdict == "suppress"
    assert send(noon, channel="sms").verdict == "allow"


def test_bank_wide_quiet_hours_spare_the_channels_that_wait_for_the_customer(
        send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(QuietHoursRule(start="21:00", end="09:00", action="defer"))
    night = sh(2026, 3, 20, 23, 30)
    consents = {c: True for c in ("sms", "push", "inbox", "placement")}
    # An inbox message or a placement is seen when the customer opens the app; an RM task when the RM starts work.
    assert [send(night, channel=c, consents=consents).verdict for c in ("inbox", "placement", "rm_task")] == [
        "allow", "allow", "allow"]
    assert [send(night, channel=c, consents=consents).reason for c in ("sms", "push")] == ["quiet_hours"] * 2
    # The bank may hold them too; and a rule naming a channel holds that channel whatever the exemptions.
    add_rule(QuietHoursRule(start="21:00", end="09:00", exempt_channels=[]))
    assert send(night, channel="inbox", consents=consents).reason == "quiet_hours"
    assert logic.quiet_applies(QuietHoursRule(channel="inbox"), ContactRequest(
        key="k", customer_id="c1", channel="inbox", purpose="marketing", strategy_id=1))


def test_consent_marketing_always_service_only_by_rule(send: Send, add_rule: Callable[..., int]) -> None:
    at = sh(2026, 3, 20, 10)
    no = {"sms": False, "push": True}
    assert send(at, consents=no).reason == "no_consent"
    assert send(at, consents={}).reason == "no_consent"  # unknown consent is no consent
    assert send(at, consents=no, purpose="service").verdict == "allow"
    assert send(at, channel="rm_task", consents={}).verdict == "allow"  # the RM's own call
    rule = add_rule(ConsentRule(channel="sms"))
    d = send(at, consents=no, purpose="service")
    assert (d.verdict, d.reason, d.rule_id) == ("suppress", "no_consent", rule)
    assert send(at, consents={"sms": False, "sms:service": True}, purpose="service").verdict == "allow"


def test_do_not_contact_stops_marketing_not_service(platform: Platform, send: Send) -> None:
    at = sh(2026, 3, 20, 10)
    with platform.metadata.session() as session:
        admin.add_dnc(platform=platform, session=session, who=HQ, data=DncWrite(customer_id="c1", reason="投诉"))
    assert send(at).reason == "do_not_contact"
    assert send(at, purpose="service").verdict == "allow"
    assert send(at, customer_id="c2").verdict == "allow"
    with platform.metadata.session() as session:
        admin.remove_dnc(platform=platform, session=session, who=HQ, customer_id="c1")
    assert send(at).verdict == "allow"


def test_opt_out_committed_stops_every_later_send_of_it(platform: Platform, send: Send) -> None:
    at = sh(2026, 3, 20, 10)
    assert send(at, key="before").verdict == "allow"
    with platform.metadata.session() as session:
        record_opt_out(session=session, customer_id="c1", channel="sms", purpose="marketing", source="回T退订")
        record_opt_out(session=session, customer_id="c1", channel="sms", purpose="marketing", source="回T退订")
    # Customers waiting in a delay reach their send node later: the check happens then, and refuses.
    for minutes in (1, 60, 60 * 24 * 40):
        assert send(at + timedelta(minutes=minutes)).reason == "opted_out"
    assert send(at, channel="push").verdict == "allow"
    assert send(at, purpose="service").verdict == "allow"
    assert send(at, key="before").verdict == "allow"  # a retry of a send decided before keeps its answer
    with platform.metadata.session() as session, pytest.raises(Invalid):
        record_opt_out(session=session, customer_id="c1", channel="fax", purpose="marketing", source="x")


def test_global_control_group_suppresses_marketing_stably(platform: Platform, send: Send) -> None:
    at = sh(2026, 3, 20, 10)
    with platform.metadata.session() as session:
        admin.set_control_group(session=session, who=HQ, data=ControlGroupWrite(percent=10))
    ids = [f"G{i:04d}" for i in range(600)]
    first = {c for c in ids if send(at, customer_id=c).reason == "global_control"}
    assert 30 < len(first) < 95
    assert first == {c for c in ids if send(at, customer_id=c).reason == "global_control"}
    assert all(send(at, customer_id=c, purpose="service").verdict == "allow" for c in first)
    with platform.metadata.session() as session:
        admin.redraw_control_group(session=session, who=HQ)
    redrawn = {c for c in ids if send(at, customer_id=c).reason == "global_control"}
    assert redrawn != first and 30 < len(redrawn) < 95
    with platform.metadata.session() as session:
        assert control_group_of(session=session, customer_ids=ids) == redrawn  # what effect evaluation reads


def test_same_key_same_answer_counted_once(platform: Platform, send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=1))
    at = sh(2026, 3, 20, 10)
    first = send(at, key="send-1")
    assert [send(at, key="send-1") for _ in range(3)] == [first] * 3
    assert send(at, key="send-2").reason == "cap_day_all"
    assert send(at, key="send-2").reason == "cap_day_all"
    with platform.metadata.session() as session:
        n = session.scalar(select(func.count()).select_from(PolicyDecisionRow)
                           .where(PolicyDecisionRow.verdict == "allow"))
        assert n == 1
        assert len(suppressions_of(session=session, customer_id="c1")) == 1  # the retry is not a second refusal


def test_a_failed_send_released_gives_its_contact_back(platform: Platform, send: Send,
                                                       add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=1))
    at = sh(2026, 3, 20, 10)
    assert send(at, key="bounced").verdict == "allow"
    assert send(at).verdict == "suppress"
    assert release(platform=platform, key="bounced") is True
    assert release(platform=platform, key="bounced") is False
    assert send(at).verdict == "allow"


def test_suppressions_are_recorded_with_strategy_rule_and_reason(platform: Platform, send: Send,
                                                                 add_rule: Callable[..., int]) -> None:
    rule = add_rule(CapRule(window="day", limit=0, channel="push"))
    at = sh(2026, 3, 20, 10)
    send(at, channel="push", strategy_id=7, campaign_id=3)
    send(at, consents={}, strategy_id=8)
    with platform.metadata.session() as session:
        rows = suppressions_of(session=session, customer_id="c1")
    assert [(r.reason, r.rule_id, r.strategy_id, r.channel) for r in rows] == [
        ("no_consent", None, 8, "sms"), ("cap_day_channel", rule, 7, "push")]
    assert rows[1].campaign_id == 3 and rows[1].at == at


def test_bad_requests_name_the_field(send: Send) -> None:
    at = sh(2026, 3, 20, 10)
    for kw, field in (({"key": ""}, "key"), ({"customer_id": "x" * 65}, "customer_id"),
                      ({"business_line": "零售" * 9}, "business_line"), ({"channel": "fax"}, "channel")):
        with pytest.raises(Invalid) as err:
            send(at, **kw)
        assert err.value.field == field


def test_daily_purge_forgets_what_no_window_counts(platform: Platform, send: Send) -> None:
    from mofang.strategy.contact_policy.tasks import purge_daily

    old, recent = sh(2026, 1, 5, 10), sh(2026, 3, 1, 10)
    send(old, key="old")
    send(old, key="old-refused", consents={})
    send(recent, key="recent")
    assert purge_daily(platform, sh(2026, 3, 20).date()) == {"decisions": 2, "suppressions": 0}
    with platform.metadata.session() as session:
        keys = set(session.scalars(select(PolicyDecisionRow.key)))
        assert keys == {"recent"}
        assert len(suppressions_of(session=session, customer_id="c1")) == 1  # kept for the 360 page


STEPS = st.lists(st.tuples(
    st.integers(0, 2), st.sampled_from(["sms", "push", "email"]), st.sampled_from(["retail", "loan"]),
    st.sampled_from([1, 50, 100]), st.integers(0, 600), st.booleans()), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_store_agrees_with_the_pure_rules_and_never_exceeds_a_cap(
        platform: Platform, add_rule: Callable[..., int], steps: list[tuple[int, str, str, int, int, bool]]) -> None:
    """Any sequence of sends and retries: each answer is the reference evaluation's, and caps hold per window."""
    if not getattr(platform, "_caps_added", False):
        for cap in (CapRule(window="day", limit=2, channel="sms"), CapRule(window="week", limit=4, reserve=1),
                    CapRule(window="month", limit=3, business_line="loan")):
            add_rule(cap)
        platform._caps_added = True  # type: ignore[attr-defined]
    with platform.metadata.engine.connect() as conn:
        rules = service.state(platform).snapshot(conn)[0]
    run = uuid.uuid4().hex[:8]
    at = sh(2026, 3, 26, 10)
    contacts: dict[str, list[tuple[datetime, str, str, str]]] = {}
    answers: dict[str, PolicyDecision] = {}
    last_key = None
    for n, (c, channel, line, priority, gap, retry) in enumerate(steps):
        at += timedelta(minutes=gap * 11)
        key = last_key if retry and last_key else f"{run}-{n}"
        cust = f"{run}-c{c}"
        req = ContactRequest(key=key, customer_id=cust, channel=channel, purpose="marketing",  # type: ignore[arg-type]
                             business_line=line, priority=priority, consents={channel: True})
        if key in answers:  # a retry keeps its first answer (and its first request)
            expected = answers[key]
        else:
            expected = logic.decide(req, at, rules=rules, gates=Gates(), counts=logic.counts_of(
                contacts.get(cust, [])))
            answers[key] = expected
            if expected.verdict == "allow":
                contacts.setdefault(cust, []).append((at, channel, "marketing", line))
            last_key = key
        assert service.check(platform=platform, request=req, now=at) == expected
    with platform.metadata.session() as session:
        rows = session.execute(
            select(PolicyDecisionRow.customer_id, PolicyDecisionRow.at, PolicyDecisionRow.channel,
                   PolicyDecisionRow.business_line)
            .where(PolicyDecisionRow.key.startswith(run), PolicyDecisionRow.verdict == "allow")).all()
    per: Counter[tuple[str, str, str]] = Counter()
    for cust, when, channel, line in rows:
        when = service.utc(when)
        per[(cust, "sms-day", logic.period(when, "day"))] += channel == "sms"
        per[(cust, "all-week", logic.period(when, "week"))] += 1
        per[(cust, "loan-month", logic.period(when, "month"))] += line == "loan"
    limits = {"sms-day": 2, "all-week": 4, "loan-month": 3}
    assert all(v <= limits[k[1]] for k, v in per.items()), per


def test_a_batch_is_checked_in_one_transaction_as_one_by_one(platform: Platform, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=2, channel="sms"))
    check_a_batch(platform, sh(2026, 3, 20, 10))

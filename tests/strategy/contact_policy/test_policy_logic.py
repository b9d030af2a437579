"""The pure rules: bank calendar, quiet hours, control group, and the cap invariant under any sequence of sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.strategy.contact_policy import logic
from mofang.strategy.contact_policy.contracts import CapRule, ContactRequest, Gates, QuietHoursRule, Rule


def sh(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    """A Shanghai wall-clock time as a UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=logic.BANK_TZ).astimezone(UTC)


def test_bank_calendar_is_shanghai_with_weeks_from_monday() -> None:
    # 2026-03-29 is a Sunday: 23:59 Shanghai is still week 13, one minute later (15:00 UTC on Sunday) is week 14.
    assert logic.period(sh(2026, 3, 29, 23, 59), "week") == "2026-W13"
    assert logic.period(sh(2026, 3, 30, 0, 0), "week") == "2026-W14"
    assert sh(2026, 3, 30, 0, 0) == datetime(2026, 3, 29, 16, 0, tzinfo=UTC)
    assert logic.period(datetime(2026, 3, 31, 16, 0, tzinfo=UTC), "month") == "2026-04"  # 00:00 on 1 April there
    assert logic.period(datetime(2026, 3, 31, 15, 59, tzinfo=UTC), "day") == "2026-03-31"
    assert logic.next_window_start(sh(2026, 3, 31, 20), "month") == sh(2026, 4, 1, 0)
    assert logic.next_window_start(sh(2026, 4, 1, 10), "week") == sh(2026, 4, 6, 0)
    assert logic.window_start(sh(2026, 4, 1, 10), "week") == sh(2026, 3, 30, 0)
    # The week of 1 April began in March: counting must reach back to that Monday.
    assert logic.counting_since(sh(2026, 4, 1, 10)) == sh(2026, 3, 30, 0)


def test_quiet_hours_wrap_midnight_and_defer_to_their_end() -> None:
    night = QuietHoursRule(start="21:00", end="09:00")
    assert logic.quiet_until(night, sh(2026, 3, 20, 20, 59)) is None
    assert logic.quiet_until(night, sh(2026, 3, 20, 21, 0)) == sh(2026, 3, 21, 9, 0)
    assert logic.quiet_until(night, sh(2026, 3, 21, 3, 0)) == sh(2026, 3, 21, 9, 0)
    assert logic.quiet_until(night, sh(2026, 3, 21, 9, 0)) is None
    lunch = QuietHoursRule(start="12:00", end="13:30")
    assert logic.quiet_until(lunch, sh(2026, 3, 20, 12, 45)) == sh(2026, 3, 20, 13, 30)
    assert logic.quiet_until(lunch, sh(2026, 3, 20, 13, 30)) is None


def test_control_group_is_stable_and_near_its_percentage() -> None:
    ids = [f"C{i:05d}" for i in range(20_000)]
    group = {c for c in ids if logic.in_control_group(c, salt="s1", percent=10)}
    assert 1_800 < len(group) < 2_200
    assert group == {c for c in ids if logic.in_control_group(c, salt="s1", percent=10)}
    # A larger percentage keeps everyone already in; a new salt draws a different group.
    assert group < {c for c in ids if logic.in_control_group(c, salt="s1", percent=20)}
    redrawn = {c for c in ids if logic.in_control_group(c, salt="s2", percent=10)}
    assert len(group & redrawn) < 400


CAPS = [
    Rule(1, CapRule(window="day", limit=2, channel="sms")),
    Rule(2, CapRule(window="week", limit=5)),
    Rule(3, CapRule(window="month", limit=8, business_line="loan", reserve=2, reserve_priority=10)),
    Rule(4, CapRule(window="day", limit=3, action="defer")),
]
send = st.tuples(
    st.sampled_from(["c1", "c2"]), st.sampled_from(["sms", "push", "email"]), st.sampled_from(["retail", "loan"]),
    st.sampled_from([1, 50, 100]), st.integers(min_value=0, max_value=7 * 60),  # minutes since the previous send
)


@settings(max_examples=150, deadline=None)
@given(st.lists(send, max_size=120))
def test_allowed_sends_never_exceed_any_cap(sends: list[tuple[str, str, str, int, int]]) -> None:
    """Whatever arrives in whatever order, each customer's allowed contacts in every window stay within every cap."""
    at = sh(2026, 3, 27, 10)  # a Friday: sends run over the weekend into the next week and the next month
    allowed: dict[str, list[tuple[datetime, str, str, str]]] = {"c1": [], "c2": []}
    for n, (cust, channel, line, priority, gap) in enumerate(sends):
        at += timedelta(minutes=gap * 7)
        req = ContactRequest(key=str(n), customer_id=cust, channel=channel, purpose="marketing",  # type: ignore[arg-type]
                             business_line=line, priority=priority, consents={channel: True})
        d = logic.decide(req, at, rules=CAPS, gates=Gates(), counts=logic.counts_of(allowed[cust]))
        if d.verdict == "allow":
            allowed[cust].append((at, channel, "marketing", line))
        else:
            assert d.reason and d.rule_id in {1, 2, 3, 4}
            assert d.verdict == ("defer" if d.rule_id == 4 else "suppress")
    for contacts in allowed.values():
        for r in CAPS:
            cap = r.body
            assert isinstance(cap, CapRule)
            per: dict[str, int] = {}
            for at, channel, _purpose, line in contacts:
                if cap.channel in (None, channel) and cap.business_line in (None, line):
                    k = logic.period(at, cap.window)
                    per[k] = per.get(k, 0) + 1
            assert all(v <= cap.limit for v in per.values()), (r, per)


def test_reserve_keeps_the_last_contacts_for_higher_priority() -> None:
    rules = [Rule(7, CapRule(window="day", limit=3, reserve=1, reserve_priority=10))]
    at = sh(2026, 3, 20, 10)
    counts = logic.counts_of([(at, "sms", "marketing", "retail")] * 2)

    def req(priority: int) -> ContactRequest:
        return ContactRequest(key="k", customer_id="c", channel="push", purpose="marketing", priority=priority,
                              consents={"push": True})

    low = logic.decide(req(100), at, rules=rules, gates=Gates(), counts=counts)
    assert (low.verdict, low.reason, low.rule_id) == ("suppress", "cap_reserved", 7)
    assert logic.decide(req(5), at, rules=rules, gates=Gates(), counts=counts).verdict == "allow"
    full = logic.counts_of([(at, "sms", "marketing", "retail")] * 3)
    assert logic.decide(req(5), at, rules=rules, gates=Gates(), counts=full).reason == "cap_day_all"


contact = st.tuples(st.integers(min_value=-50 * 24 * 60, max_value=10 * 24 * 60),  # minutes from now
                    st.sampled_from(["sms", "push", "a|b"]), st.sampled_from(["marketing", "service"]),
                    st.sampled_from(["retail", "loan", "", "x|y"]))
cap = st.builds(CapRule, window=st.sampled_from(["day", "week", "month"]), limit=st.just(9),
                channel=st.sampled_from([None, "sms", "push"]), business_line=st.sampled_from([None, "loan"]),
                purpose=st.sampled_from(["marketing", "all"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(contact, max_size=30), st.lists(cap, min_size=1, max_size=4),
       st.integers(min_value=0, max_value=60 * 24 * 40))
def test_used_by_caps_counts_what_the_counter_fields_count(
        contacts: list[tuple[int, str, str, str]], caps: list[CapRule], minutes: int) -> None:
    """The check's direct count (window bounds) equals the counters' (periods of fields) for any contacts and caps,
    across day, ISO-week and month turns, and for values the counter fields have to clean."""
    now = sh(2026, 3, 1, 0) + timedelta(minutes=minutes)
    log = [(now + timedelta(minutes=m), ch, p, line) for m, ch, p, line in contacts]
    counts = logic.counts_of(log)
    assert logic.used_by_caps(log, caps, now) == [logic.cap_used(counts, c, now) for c in caps]

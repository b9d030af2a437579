"""Pure rule evaluation of the contact policy: given the rules, what is known of the customer and the counts, decide."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from mofang.strategy.contact_policy.contracts import (
    CapRule,
    ConsentRule,
    ContactRequest,
    Gates,
    PolicyDecision,
    QuietHoursRule,
    Rule,
    Window,
)

BANK_TZ = ZoneInfo("Asia/Shanghai")
WINDOWS: tuple[Window, ...] = ("day", "week", "month")
# In-app placements are shown when the customer opens the app, and an RM task is the RM's own call: neither needs a
# marketing consent flag (the profile has none for them); every other channel does.
CONSENT_FREE_CHANNELS = frozenset({"placement", "rm_task"})


# --- bank calendar --------------------------------------------------------------------------------------------


def local(now: datetime, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The bank's wall-clock time of an instant (naive datetimes are taken as UTC)."""
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(tz)


def period(at: datetime, window: Window, tz: ZoneInfo = BANK_TZ) -> str:
    """The bank-calendar period an instant falls in: 2026-12-07, 2026-W50 (ISO, Monday first), 2026-12."""
    return _periods(local(at, tz).date())[WINDOWS.index(window)]


def periods(at: datetime, tz: ZoneInfo = BANK_TZ) -> dict[Window, str]:
    """The day, week and month periods of an instant (one time-zone conversion for all three)."""
    return dict(zip(WINDOWS, _periods(local(at, tz).date()), strict=True))


# A check converts to bank time and back several times, always around the same few days: the calendar arithmetic
# of a day is remembered (pure functions of their arguments; ZoneInfo conversions cost microseconds each).
@lru_cache(maxsize=256)
def _periods(d: date) -> tuple[str, str, str]:
    year, week, _ = d.isocalendar()
    return d.isoformat(), f"{year}-W{week:02d}", f"{d.year}-{d.month:02d}"


@lru_cache(maxsize=256)
def _bounds(d: date, window: Window, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant (UTC) of the window containing bank day `d`, and of the window after it."""
    if window == "day":
        first, nxt = d, d + timedelta(days=1)
    elif window == "week":
        first = d - timedelta(days=d.weekday())
        nxt = first + timedelta(days=7)
    else:
        first = d.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
    return _at_midnight(first, tz), _at_midnight(nxt, tz)


def _at_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The first instant (UTC) of a bank calendar day."""
    return _at_midnight(day, tz)


def window_bounds(now: datetime, window: Window, tz: ZoneInfo = BANK_TZ) -> tuple[datetime, datetime]:
    """The first instant (UTC) of the window containing `now`, and of the next window."""
    return _bounds(local(now, tz).date(), window, tz)


def window_start(now: datetime, window: Window, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The first instant (UTC) of the window containing `now`."""
    return window_bounds(now, window, tz)[0]


def next_window_start(now: datetime, window: Window, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The first instant (UTC) of the window after the one containing `now`."""
    return window_bounds(now, window, tz)[1]


def counting_since(now: datetime, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The earliest instant any current window reaches back to (a week may start in the previous month)."""
    d = local(now, tz).date()
    return min(_bounds(d, "week", tz)[0], _bounds(d, "month", tz)[0])


# --- counters -------------------------------------------------------------------------------------------------


def clean(value: str) -> str:
    """A value safe inside a `|`-separated counter field."""
    return value.replace("|", "_") or "_"


def bucket_fields(*, at: datetime, channel: str, purpose: str, line: str, tz: ZoneInfo = BANK_TZ) -> tuple[str, ...]:
    """The counter fields one allowed contact increments: one per window, `d|2026-12-07|sms|marketing|retail`."""
    p, tail = periods(at, tz), f"{clean(channel)}|{clean(purpose)}|{clean(line)}"
    return tuple(f"{w[0]}|{p[w]}|{tail}" for w in WINDOWS)


def counts_of(contacts: Iterable[tuple[datetime, str, str, str]], tz: ZoneInfo = BANK_TZ) -> dict[str, int]:
    """Counter fields of a customer's allowed contacts (at, channel, purpose, business line)."""
    out: dict[str, int] = {}
    for at, channel, purpose, line in contacts:
        for f in bucket_fields(at=at, channel=channel, purpose=purpose, line=line, tz=tz):
            out[f] = out.get(f, 0) + 1
    return out


def cap_pattern(cap: CapRule, now: datetime, tz: ZoneInfo = BANK_TZ) -> tuple[str, str, str, str, str]:
    """What a cap sums over: (window letter, current period, channel, purpose, line), `*` matching anything."""
    return _pattern(cap, periods(now, tz))


def cap_patterns(caps: Sequence[CapRule], now: datetime, tz: ZoneInfo = BANK_TZ
                 ) -> list[tuple[str, str, str, str, str]]:
    """`cap_pattern` of several caps at one instant (converted to bank time once)."""
    current = periods(now, tz)
    return [_pattern(c, current) for c in caps]


def _pattern(cap: CapRule, current: dict[Window, str]) -> tuple[str, str, str, str, str]:
    return (cap.window[0], current[cap.window], cap.channel or "*",
            "marketing" if cap.purpose == "marketing" else "*", cap.business_line or "*")


def matches(field: str, pattern: Sequence[str]) -> bool:
    """Whether a counter field falls under a cap's pattern."""
    parts = field.split("|")
    return len(parts) == 5 and all(p in ("*", v) for p, v in zip(pattern, parts, strict=True))


def cap_used(counts: Mapping[str, int], cap: CapRule, now: datetime, tz: ZoneInfo = BANK_TZ) -> int:
    """Contacts already counted against a cap in its current window."""
    pattern = cap_pattern(cap, now, tz)
    return sum(v for f, v in counts.items() if matches(f, pattern))


def used_by_caps(contacts: Iterable[tuple[datetime, str, str, str]], caps: Sequence[CapRule], now: datetime,
                 tz: ZoneInfo = BANK_TZ) -> list[int]:
    """Per cap, what `cap_used(counts_of(contacts), cap, now)` gives, without building a counter field per contact.

    A contact's period equals the current one exactly when it lies between the window's first instant and the
    next window's, so each contact is compared with a few instants instead of being converted to bank time.
    """
    d = local(now, tz).date()
    bounds = {w: _bounds(d, w, tz) for w in {c.window for c in caps}}
    specs = [(*bounds[c.window], c.channel or None, c.purpose == "marketing", c.business_line or None)
             for c in caps]
    used = [0] * len(caps)
    for at, channel, purpose, line in contacts:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        ch, pu, li = clean(channel), clean(purpose), clean(line)
        for i, (lo, hi, c, marketing_only, ln) in enumerate(specs):
            if (lo <= at < hi and (c is None or c == ch) and (not marketing_only or pu == "marketing")
                    and (ln is None or ln == li)):
                used[i] += 1
    return used


# --- rules ----------------------------------------------------------------------------------------------------


def cap_applies(cap: CapRule, request: ContactRequest) -> bool:
    """Whether a send is counted against (and limited by) a cap."""
    return ((cap.purpose == "all" or request.purpose == "marketing")
            and cap.channel in (None, request.channel)
            and cap.business_line in (None, request.business_line))


def effective_limit(cap: CapRule, priority: int) -> int:
    """The part of a cap a send of this priority may use: all of it, or all but the reserve."""
    return cap.limit if priority <= cap.reserve_priority else max(0, cap.limit - cap.reserve)


def applicable_caps(rules: Sequence[Rule], request: ContactRequest) -> list[Rule]:
    """The caps a send falls under, in rule order."""
    return [r for r in rules if isinstance(r.body, CapRule) and cap_applies(r.body, request)]


def cap_reason(cap: CapRule, used: int) -> str:
    """The code of a cap refusal: cap_day_channel, cap_week_all, quota_month_line …, or cap_reserved."""
    if used < cap.limit:
        return "cap_reserved"  # room is left, but only for higher-priority strategies
    scope = "line" if cap.business_line else ("channel" if cap.channel else "all")
    return f"{'quota' if cap.business_line else 'cap'}_{cap.window}_{scope}"


def in_control_group(customer_id: str, *, salt: str, percent: float) -> bool:
    """Stable membership of the global control group: a hash of salt and customer id below the percentage."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < percent / 100


@lru_cache(maxsize=64)
def _hhmm(value: str) -> time:
    h, m = value.split(":")
    return time(int(h), int(m))


def quiet_until(rule: QuietHoursRule, now: datetime, tz: ZoneInfo = BANK_TZ) -> datetime | None:
    """When the quiet period containing `now` ends (UTC), or None outside quiet hours."""
    start, end = _hhmm(rule.start), _hhmm(rule.end)
    if start == end:
        return None
    t = local(now, tz)
    clock, today = t.time().replace(tzinfo=None), t.date()
    if start < end:
        quiet, end_day = start <= clock < end, today
    else:  # wraps midnight, e.g. 21:00 – 09:00
        quiet = clock >= start or clock < end
        end_day = today + timedelta(days=1) if clock >= start else today
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC) if quiet else None


def quiet_applies(rule: QuietHoursRule, request: ContactRequest) -> bool:
    """Whether quiet hours hold this send (service messages, and a bank-wide rule's exempt channels, are spared)."""
    if rule.exempt_service and request.purpose == "service":
        return False
    return rule.channel == request.channel or (rule.channel is None and request.channel not in rule.exempt_channels)


def after_quiet(at: datetime, rules: Sequence[Rule], request: ContactRequest, tz: ZoneInfo = BANK_TZ) -> datetime:
    """The first instant at or after `at` outside every applicable quiet period."""
    for _ in range(4):  # overlapping quiet rules chain at most a few times
        ends = [u for r in rules if isinstance(r.body, QuietHoursRule) and quiet_applies(r.body, request)
                if (u := quiet_until(r.body, at, tz)) is not None]
        if not ends:
            return at
        at = max(ends)
    return at


def has_consent(request: ContactRequest, rules: Sequence[Rule]) -> tuple[bool, int | None]:
    """Whether the customer consented to this send: marketing always needs it, service only under a consent rule."""
    if request.purpose == "marketing":
        if request.channel in CONSENT_FREE_CHANNELS:
            return True, None
        rule_id = None
    else:
        needed = [r for r in rules if isinstance(r.body, ConsentRule) and r.body.channel in (None, request.channel)]
        if not needed:
            return True, None
        rule_id = needed[0].id
    c = request.consents
    return bool(c.get(f"{request.channel}:{request.purpose}", c.get(request.channel, False))), rule_id


# --- decisions ------------------------------------------------------------------------------------------------


def gate(request: ContactRequest, now: datetime, *, rules: Sequence[Rule], gates: Gates,
         tz: ZoneInfo = BANK_TZ) -> PolicyDecision | None:
    """Everything but the caps: do-not-contact, opt-out, control group, consent, quiet hours (None: may go on)."""
    marketing = request.purpose == "marketing"
    if marketing and gates.do_not_contact:
        return PolicyDecision("suppress", "do_not_contact")
    if (request.channel, request.purpose) in gates.opted_out:
        return PolicyDecision("suppress", "opted_out")
    if marketing and in_control_group(request.customer_id, salt=gates.control_salt, percent=gates.control_percent):
        return PolicyDecision("suppress", "global_control")
    consented, consent_rule = has_consent(request, rules)
    if not consented:
        return PolicyDecision("suppress", "no_consent", rule_id=consent_rule)
    for r in rules:
        if isinstance(r.body, QuietHoursRule) and quiet_applies(r.body, request):
            until = quiet_until(r.body, now, tz)
            if until is None:
                continue
            if r.body.action == "drop":
                return PolicyDecision("suppress", "quiet_hours", rule_id=r.id)
            return PolicyDecision("defer", "quiet_hours", until=after_quiet(until, rules, request, tz), rule_id=r.id)
    return None


def caps_decision(request: ContactRequest, now: datetime, *, rules: Sequence[Rule], caps: Sequence[Rule],
                  used: Sequence[int], tz: ZoneInfo = BANK_TZ) -> PolicyDecision | None:
    """The refusal of the first cap this send would break (a suppressing cap before a deferring one), or None."""
    broken = [(r, u) for r, u in zip(caps, used, strict=True)
              if isinstance(r.body, CapRule) and u + 1 > effective_limit(r.body, request.priority)]
    if not broken:
        return None
    for r, u in broken:
        assert isinstance(r.body, CapRule)
        if r.body.action == "suppress":
            return PolicyDecision("suppress", cap_reason(r.body, u), rule_id=r.id)
    # Every broken cap defers: wait until all of their windows have turned, then out of quiet hours.
    last = max(broken, key=lambda ru: next_window_start(now, ru[0].body.window, tz))  # type: ignore[union-attr]
    cap = last[0].body
    assert isinstance(cap, CapRule)
    until = after_quiet(next_window_start(now, cap.window, tz), rules, request, tz)
    return PolicyDecision("defer", cap_reason(cap, last[1]), until=until, rule_id=last[0].id)


def decide(request: ContactRequest, now: datetime, *, rules: Sequence[Rule], gates: Gates,
           counts: Mapping[str, int], tz: ZoneInfo = BANK_TZ) -> PolicyDecision:
    """The whole policy on one send, given the customer's current counts (the reference for every store)."""
    refused = gate(request, now, rules=rules, gates=gates, tz=tz)
    if refused is not None:
        return refused
    caps = applicable_caps(rules, request)
    used = [cap_used(counts, r.body, now, tz) for r in caps]  # type: ignore[arg-type]
    return caps_decision(request, now, rules=rules, caps=caps, used=used, tz=tz) or PolicyDecision("allow")

"""Bank-time arithmetic of the journey engine: wake times in the strategy's zone, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mofang.strategy.engine.timing import (
    best_time_wake,
    next_period,
    next_time_of_day,
    on_date_at,
    period_start,
    window_opens,
    zone,
)

SH = zone("Asia/Shanghai")
NY = zone("America/New_York")
BERLIN = zone("Europe/Berlin")


def sh(text: str) -> datetime:
    """A Shanghai wall-clock time as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=SH).astimezone(UTC)


def local(instant: datetime, tz=SH) -> str:
    return instant.astimezone(tz).strftime("%a %Y-%m-%d %H:%M")


def test_unknown_or_missing_zone_is_the_banks():
    assert zone(None).key == "Asia/Shanghai"
    assert zone("Mars/Olympus").key == "Asia/Shanghai"


@pytest.mark.parametrize(("now", "at", "weekdays", "expected"), [
    ("2026-03-02 08:00", "09:00", [], "Mon 2026-03-02 09:00"),  # later today
    ("2026-03-02 09:00", "09:00", [], "Mon 2026-03-02 09:00"),  # exactly now: due now
    ("2026-03-02 09:01", "09:00", [], "Tue 2026-03-03 09:00"),  # passed: tomorrow
    ("2026-03-02 23:30", "00:15", [], "Tue 2026-03-03 00:15"),  # just after midnight
    ("2026-03-06 10:00", "09:00", [1], "Mon 2026-03-09 09:00"),  # Friday → next Monday
    ("2026-03-02 10:00", "09:00", [1], "Mon 2026-03-09 09:00"),  # Monday after the time → a week later
    ("2026-03-07 08:00", "09:00", [6, 7], "Sat 2026-03-07 09:00"),  # weekend today
])
def test_next_time_of_day_in_shanghai(now, at, weekdays, expected):
    assert local(next_time_of_day(sh(now), at, weekdays, SH)) == expected


def test_next_time_of_day_skips_the_spring_forward_gap():
    # 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00): the wake is right after the gap.
    now = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    wake = next_time_of_day(now, "02:30", [], NY)
    assert wake.astimezone(NY).strftime("%H:%M") == "03:30"
    assert wake - now == timedelta(hours=1, minutes=30)


def test_next_time_of_day_keeps_wall_clock_across_dst():
    # Daily 09:00 in Berlin stays 09:00 local across the switch to summer time (the UTC hour moves).
    before = next_time_of_day(datetime(2026, 3, 27, 12, 0, tzinfo=UTC), "09:00", [], BERLIN)  # Sat 28th, CET
    after = next_time_of_day(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), "09:00", [], BERLIN)  # Sun 29th, CEST
    assert before.astimezone(BERLIN).hour == after.astimezone(BERLIN).hour == 9
    assert (before.hour, after.hour) == (8, 7)
    assert after - before == timedelta(hours=23)


def test_ambiguous_wall_time_is_its_first_occurrence():
    # 2026-11-01 01:30 happens twice in New York; the first (EDT) is taken.
    wake = next_time_of_day(datetime(2026, 11, 1, 4, 0, tzinfo=UTC), "01:30", [], NY)
    assert wake == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_naive_instants_are_utc():
    assert next_time_of_day(datetime(2026, 3, 2, 0, 0), "09:00", [], SH) == sh("2026-03-02 09:00")


def test_on_date_is_local():
    assert on_date_at("2026-03-02", "09:00", SH) == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("now", "start", "end", "weekdays", "expected"), [
    ("2026-03-02 10:00", "09:00", "21:00", [], None),
    ("2026-03-02 08:59", "09:00", "21:00", [], "Mon 2026-03-02 09:00"),
    ("2026-03-02 21:00", "09:00", "21:00", [], "Tue 2026-03-03 09:00"),  # end is exclusive
    # A window across midnight (quiet-hours style 21:00–09:00)
    ("2026-03-02 22:00", "21:00", "09:00", [], None),
    ("2026-03-03 03:00", "21:00", "09:00", [], None),
    ("2026-03-03 08:59", "21:00", "09:00", [], None),
    ("2026-03-03 09:00", "21:00", "09:00", [], "Tue 2026-03-03 21:00"),
    ("2026-03-03 12:00", "21:00", "09:00", [], "Tue 2026-03-03 21:00"),
    # It belongs to the day it opens on: Friday night's window still holds early Saturday.
    ("2026-03-07 02:00", "21:00", "09:00", [5], None),
    ("2026-03-07 22:00", "21:00", "09:00", [5], "Fri 2026-03-13 21:00"),
    # Weekdays only, office hours
    ("2026-03-07 10:00", "09:00", "17:00", [1, 2, 3, 4, 5], "Mon 2026-03-09 09:00"),
    ("2026-03-06 17:30", "09:00", "17:00", [1, 2, 3, 4, 5], "Mon 2026-03-09 09:00"),
    # start == end: the whole day
    ("2026-03-02 03:00", "00:00", "00:00", [], None),
])
def test_window_opens(now, start, end, weekdays, expected):
    opens = window_opens(sh(now), start, end, weekdays, SH)
    assert (None if opens is None else local(opens)) == expected


def test_rate_limit_periods_are_local():
    now = sh("2026-03-02 23:40")
    assert local(period_start(now, "day", SH)) == "Mon 2026-03-02 00:00"
    assert local(next_period(now, "day", SH)) == "Tue 2026-03-03 00:00"
    assert local(period_start(now, "hour", SH)) == "Mon 2026-03-02 23:00"
    assert local(next_period(now, "hour", SH)) == "Tue 2026-03-03 00:00"


def test_day_period_across_dst_is_23_hours():
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # New York, spring-forward day
    assert next_period(now, "day", NY) - period_start(now, "day", NY) == timedelta(hours=23)


@pytest.mark.parametrize(("now", "hour", "max_wait", "expected"), [
    ("2026-03-02 08:00", 20, 86400, "Mon 2026-03-02 20:00"),
    ("2026-03-02 20:30", 20, 86400, None),  # inside the best hour: now
    ("2026-03-02 21:00", 20, 86400, "Tue 2026-03-03 20:00"),
    ("2026-03-02 08:00", 20, 3600, None),  # too far away: do not hold longer than the cap
])
def test_best_time_wake(now, hour, max_wait, expected):
    wake = best_time_wake(sh(now), hour, max_wait, SH)
    assert (None if wake is None else local(wake)) == expected


instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
zones = st.sampled_from([SH, NY, BERLIN, zone("Australia/Lord_Howe"), zone("Asia/Kolkata")])


@given(instants, hhmm, st.lists(st.integers(1, 7), max_size=7, unique=True), zones)
def test_next_time_of_day_is_the_first_at_or_after_now(now, at, weekdays, tz):
    wake = next_time_of_day(now, at, weekdays, tz)
    assert now <= wake <= now + timedelta(days=8)
    assert not weekdays or wake.astimezone(tz).isoweekday() in weekdays


@given(instants, hhmm, hhmm, st.lists(st.integers(1, 7), max_size=7, unique=True), zones)
def test_a_window_opening_is_inside_the_window(now, start, end, weekdays, tz):
    opens = window_opens(now, start, end, weekdays, tz)
    if opens is not None:
        assert opens > now
        assert window_opens(opens, start, end, weekdays, tz) is None

"""Bank-time arithmetic for the journey engine: wake times in the strategy's time zone, DST-safe, pure.

Every function takes aware instants (naive ones are read as UTC) and returns aware UTC instants. Local wall-clock
times are built per calendar day with zoneinfo, so a day is not assumed to last 24 hours: a time that does not exist
on a spring-forward day falls on the first instant after the gap, an ambiguous one on its first occurrence.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BANK_TIMEZONE = "Asia/Shanghai"
_SEARCH_DAYS = 8  # a weekday set repeats within a week; one more day covers the local date straddling UTC


def zone(name: str | None) -> ZoneInfo:
    """The time zone of a strategy (the bank's when unset or unknown — validation rejects unknown names)."""
    try:
        return ZoneInfo(name or BANK_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(BANK_TIMEZONE)


def utc(dt: datetime) -> datetime:
    """An aware UTC instant (naive datetimes, as SQLite returns them, are UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def hhmm(text: str) -> time:
    """'HH:MM' as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """The bank's calendar day at an instant."""
    return utc(now).astimezone(tz).date()


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day (gaps resolve forward, overlaps to the first)."""
    wall = datetime.combine(day, at, tzinfo=tz)
    instant = wall.astimezone(UTC)
    # Inside a spring-forward gap fold=0 uses the earlier offset, which already lands after the gap; an ambiguous
    # wall time with fold=0 is its first occurrence. Both are what a bank clerk would expect.
    return instant


def next_time_of_day(now: datetime, at: str, weekdays: Collection[int] = (), tz: ZoneInfo | None = None) -> datetime:
    """The first local `at` (on an allowed ISO weekday; any when empty) at or after `now`."""
    tz = tz or zone(None)
    now = utc(now)
    today = local_date(now, tz)
    wanted = hhmm(at)
    for offset in range(-1, _SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if weekdays and day.isoweekday() not in weekdays:
            continue
        candidate = local_at(day, wanted, tz)
        if candidate >= now:
            return candidate
    raise AssertionError("unreachable: every weekday set recurs within a week")


def on_date_at(on_date: str, at: str, tz: ZoneInfo) -> datetime:
    """The instant of a local date and time of day."""
    return local_at(date.fromisoformat(on_date), hhmm(at), tz)


def window_bounds(day: date, start: str, end: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[open, close) of the window that opens on `day`; it closes the next day when it wraps midnight."""
    s, e = hhmm(start), hhmm(end)
    close_day = day + timedelta(days=1) if e <= s else day  # start == end: a full day
    return local_at(day, s, tz), local_at(close_day, e, tz)


def window_opens(now: datetime, start: str, end: str, weekdays: Collection[int] = (),
                 tz: ZoneInfo | None = None) -> datetime | None:
    """None when `now` is inside the window, else when it next opens.

    A window belongs to the day it opens on: 21:00–09:00 on Fridays holds from Friday 21:00 to Saturday 09:00.
    """
    tz = tz or zone(None)
    now = utc(now)
    today = local_date(now, tz)
    for offset in range(-1, _SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if weekdays and day.isoweekday() not in weekdays:
            continue
        opens, closes = window_bounds(day, start, end, tz)
        if opens <= now < closes:
            return None
        if opens > now:
            return opens
    raise AssertionError("unreachable: every weekday set recurs within a week")


def period_start(now: datetime, per: Literal["hour", "day"], tz: ZoneInfo) -> datetime:
    """The start of the local hour or day containing `now`."""
    local = utc(now).astimezone(tz)
    if per == "hour":
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return local_at(local.date(), time(0), tz)


def next_period(now: datetime, per: Literal["hour", "day"], tz: ZoneInfo) -> datetime:
    """The start of the next local hour or day after the one containing `now`."""
    if per == "hour":
        return period_start(now, "hour", tz) + timedelta(hours=1)
    return local_at(local_date(now, tz) + timedelta(days=1), time(0), tz)


def best_time_wake(now: datetime, hour: int, max_wait_seconds: int, tz: ZoneInfo) -> datetime | None:
    """When to release a customer whose best hour is `hour`: None (now) inside that hour or when it is too far."""
    now = utc(now)
    if now.astimezone(tz).hour == hour:
        return None
    wake = next_time_of_day(now, f"{hour:02d}:00", (), tz)
    return wake if wake - now <= timedelta(seconds=max_wait_seconds) else None

"""Calendar arithmetic on the bank's local periods (pure): bucket lists, period starts and indexes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mofang.monitor.analytics.contracts import Granularity


def trunc(d: date, period: Granularity) -> date:
    """The first day of the day/week (Monday)/month holding d."""
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    return d


def add(d: date, period: Granularity, n: int) -> date:
    """The start of the period n periods after the one starting at d (d already truncated)."""
    if period == "month":
        m = d.year * 12 + d.month - 1 + n
        return date(m // 12, m % 12 + 1, 1)
    return d + timedelta(days=n * (7 if period == "week" else 1))


def count(start: date, end: date, period: Granularity) -> int:
    """Periods from the one holding start to the one holding end, both included."""
    a, b = trunc(start, period), trunc(end, period)
    if period == "month":
        return (b.year - a.year) * 12 + b.month - a.month + 1
    return (b - a).days // (7 if period == "week" else 1) + 1


def buckets(date_from: date, date_to: date, granularity: Granularity) -> list[datetime]:
    """Local start times of every bucket the range touches (hours of every day for 'hour')."""
    if granularity == "hour":
        first = datetime(date_from.year, date_from.month, date_from.day)
        return [first + timedelta(hours=h) for h in range(((date_to - date_from).days + 1) * 24)]
    first = trunc(date_from, granularity)
    return [datetime.combine(add(first, granularity, i), datetime.min.time())
            for i in range(count(date_from, date_to, granularity))]


def label(start: datetime, granularity: Granularity) -> str:
    """How a bucket is named in responses: ISO date, or date and hour."""
    return start.strftime("%Y-%m-%d %H:00") if granularity == "hour" else start.date().isoformat()

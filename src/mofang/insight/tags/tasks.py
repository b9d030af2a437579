"""Scheduled entry points of the tag system (the scheduler calls run_daily once a day)."""

from __future__ import annotations

from datetime import date, time

from mofang.insight import segments
from mofang.insight.segments import tasks as segment_tasks
from mofang.insight.tags import service
from mofang.insight.tags.contracts import RunReport
from mofang.platform.context import Platform
from mofang.platform.scheduler import Job


def run_daily(platform: Platform, day: date | None = None) -> RunReport:
    """Compute every enabled tag for `day` (default today), then snapshot dynamic segments (they may use tags)."""
    day = day or segments.today_of(platform)
    report = service.run_tags(platform=platform, day=day, trigger="schedule")
    segment_tasks.run_daily(platform, day)
    return report


def backfill(platform: Platform, *, start: date, end: date, step_days: int = 7) -> list[RunReport]:
    """History for a fresh installation (e.g. after seeding the demo): tags every `step_days` up to end."""
    return service.backfill(platform=platform, start=start, end=end, step_days=step_days)


# 02:00 bank time: yesterday's events are in, so today's values describe customers as of this morning.
TAGS_JOB = Job(name="insight.daily", run=run_daily, at=time(2, 0))

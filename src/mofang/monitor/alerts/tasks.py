"""The daily alert check, as a scheduler job (register it with the platform scheduler)."""

from __future__ import annotations

from datetime import date, time

from mofang.monitor.alerts import service
from mofang.platform.context import Platform
from mofang.platform.scheduler import Job


def _run(platform: Platform, day: date) -> object:
    return service.evaluate(platform=platform, day=day)


# 07:00 bank time: yesterday's events are in, and people are at their desks to act on an alert.
ALERTS_JOB = Job(name="monitor.alerts", run=_run, at=time(7, 0))

"""Scheduled entry point of the smart nodes: retrain the propensity models and recompute best hours daily."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from mofang.platform.context import Platform
from mofang.platform.scheduler import Job
from mofang.strategy.smart import service


def refresh_smart(platform: Platform, day: date) -> dict[str, Any]:
    """Retrain and rescore every needed propensity model and refresh every customer's best hour as of `day`."""
    return service.refresh_daily(platform, day)


# After the tag run (02:00) and the churn scores (02:30): features and profiles carry today's data.
SMART_JOB = Job(name="strategy.smart", run=refresh_smart, at=time(2, 45))

"""Scheduled entry points of segments."""

from __future__ import annotations

from datetime import date

from mofang.insight import profiles
from mofang.insight.segments import service
from mofang.platform.context import Platform


def run_daily(platform: Platform, day: date | None = None) -> dict[int, int]:
    """Snapshot every dynamic segment for `day` (default: today); static segments stay frozen.

    Profiles are refreshed afterwards: they carry each customer's tags and segments for every worker to read.
    """
    sizes = service.evaluate_dynamic(platform=platform, day=day or service.today_of(platform))
    profiles.refresh_profiles(platform=platform)
    return sizes

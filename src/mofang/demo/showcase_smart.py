"""Showcase smart nodes (智能): a trained propensity model and known best hours, so the side panel has real numbers."""

from __future__ import annotations

import time
from datetime import date

from mofang.insight import ml, profiles
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid

# The fund strategy's goal: a 高潜筛选 node added on it finds its model trained, with a real held-out AUC.
DEMO_TARGET = "fund_purchase"


def prepare_smart(*, platform: Platform, day: date) -> list[str]:
    """Train the demo's propensity model and compute best hours (after the simulated week: its opens and clicks)."""
    started = time.perf_counter()
    try:
        ml.train_propensity(platform=platform, event=DEMO_TARGET)
    except Invalid as exc:  # a tiny or short demo bank: the daily job trains it once there is enough history
        return [f"showcase propensity model skipped: {exc.message}"]
    known = profiles.refresh_best_hours(platform=platform, day=day)
    return [f"showcase smart nodes in {time.perf_counter() - started:.1f}s: propensity model for {DEMO_TARGET}, "
            f"best hours known for {known:,} customers"]

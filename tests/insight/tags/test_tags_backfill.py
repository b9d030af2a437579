"""Recomputing a past day uses the balances of that day, so AUM tiers and lifecycle stages can flow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from conftest import TODAY
from factories import add_aum_snapshots
from mofang.insight.tags import tasks

EARLIER = date(2026, 10, 20)


def add_aum_history(platform, series: dict[str, list[tuple[date, float]]]) -> None:
    """Daily AUM snapshots given as {customer_id: [(day, aum), ...]}; each value holds until the next."""
    rows = []
    for cid, points in series.items():
        for (start, aum), (end, _) in zip(points, [*points[1:], (TODAY + timedelta(days=1), 0.0)], strict=True):
            rows += [[cid, start + timedelta(days=i), aum] for i in range((end - start).days)]
    add_aum_snapshots(platform, rows)


def tier_on(platform, tag_id: int, day: date) -> dict[str, str]:
    """The tag's value per customer on a day (from the validity intervals)."""
    rows = platform.store.query("SELECT customer_id, value FROM tag_values WHERE tag_id = ? AND valid_from <= ? "
                                "AND valid_to > ?", [tag_id, day, day])
    return {r["customer_id"]: r["value"] for r in rows}


@pytest.mark.usefixtures("tag_bank")
def test_backfilled_aum_tier_uses_that_days_balance(app_client: TestClient, platform, admin_headers) -> None:
    # V6 grew from 30k (大众) to 100k (潜力) on 1 Nov; V1 has no history that far back (its latest AUM stands in).
    add_aum_history(platform, {"V6": [(date(2026, 9, 1), 30_000.0), (date(2026, 11, 1), 100_000.0)],
                               "V1": [(date(2026, 11, 15), 800_000.0)]})
    tag_id = next(t["id"] for t in app_client.get("/api/insight/tags", headers=admin_headers).json()
                  if t["key"] == "aum_tier")
    tasks.run_daily(platform, EARLIER)
    tasks.run_daily(platform, TODAY)
    assert tier_on(platform, tag_id, EARLIER)["V6"] == "大众客户"
    assert tier_on(platform, tag_id, TODAY)["V6"] == "潜力客户"
    assert tier_on(platform, tag_id, EARLIER)["V1"] == "财富客户"

    flow = app_client.post("/api/insight/flows", json={"tag": "aum_tier", "start": EARLIER.isoformat(),
                                                       "end": TODAY.isoformat()}, headers=admin_headers).json()
    cells = {(c["source"], c["target"]): c["count"] for c in flow["cells"]}
    assert cells[("大众客户", "潜力客户")] == 1
    assert sum(cells.values()) == 6

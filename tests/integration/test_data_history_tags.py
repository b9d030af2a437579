"""A tag computed for a past day reads the attributes in force that day (SCD history), not today's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from integration_files import CUSTOMER_HEADER, customer_line

from mofang.integration.contracts import LoadRead
from mofang.platform.context import Platform

pytestmark = pytest.mark.usefixtures("products_and_staff")
TODAY = date(2026, 12, 6)
CHANGED_AT = datetime(2026, 11, 20, 2, 0)  # 10:00 in Shanghai on 20 November


def _values(platform: Platform, tag_id: int, day: date) -> dict[str, str]:
    rows = platform.store.query("SELECT customer_id, value FROM tag_values WHERE tag_id = ? AND valid_from <= ? "
                                "AND valid_to > ?", [tag_id, day, day])
    return {r["customer_id"]: r["value"] for r in rows}


def test_a_past_day_tag_uses_the_risk_level_in_force_that_day(
    platform: Platform, app_client: TestClient, admin_headers: dict[str, str],
    write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("v1.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", risk="C2"),
                                            customer_line("K2", "李四", risk="C4")]))
    load("customers", write_file("v2.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", risk="C4"),
                                            customer_line("K2", "李四", risk="C4")]))
    # The loads ran now; put the history where a bank's would be: K1 was C2 until 20 November, then C4.
    with platform.store.write() as cur:
        cur.execute("UPDATE customer_versions SET valid_from = ?, valid_to = ? WHERE customer_id = 'K1' "
                    "AND valid_to IS NOT NULL", [datetime(2026, 11, 1), CHANGED_AT])
        cur.execute("UPDATE customer_versions SET valid_from = ? WHERE customer_id = 'K1' AND valid_to IS NULL",
                    [CHANGED_AT])
        cur.execute("UPDATE customer_versions SET valid_from = ? WHERE customer_id = 'K2'", [datetime(2026, 11, 1)])
    assert platform.store.query("SELECT risk_level FROM customers ORDER BY customer_id") == [
        {"risk_level": "C4"}, {"risk_level": "C4"}]
    platform.extras["clock"] = lambda: TODAY
    made = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "bold_investor", "name": "进取型投资者", "family": "business_value",
        "rule": {"kind": "rule", "cases": [{"value": "是", "when": {
            "type": "attribute", "field": "risk_level", "op": "eq", "value": "C4"}}], "default": "否"}})
    assert made.status_code == 201, made.text
    tag_id = made.json()["id"]
    for day in (date(2026, 11, 10), date(2026, 11, 19), date(2026, 11, 20), TODAY):
        res = app_client.post(f"/api/insight/tags/{tag_id}/run", json={"day": str(day)}, headers=admin_headers)
        assert res.status_code == 200, (day, res.text)
    assert _values(platform, tag_id, date(2026, 11, 10)) == {"K1": "否", "K2": "是"}
    assert _values(platform, tag_id, date(2026, 11, 19)) == {"K1": "否", "K2": "是"}
    assert _values(platform, tag_id, date(2026, 11, 20)) == {"K1": "是", "K2": "是"}  # changed that morning
    assert _values(platform, tag_id, TODAY) == {"K1": "是", "K2": "是"}

"""The background loader writes in order, one transaction per job, and never swallows a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from mofang.demo.loader import Clock, Loader
from mofang.platform.storage.eventstore import EventStore


def test_jobs_land_in_order_and_a_failure_surfaces_without_a_half_write(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "e.duckdb")
    try:
        loader = Loader(store, Clock())
        for i in range(3):
            loader.submit("products", lambda cur, i=i: cur.execute(
                "INSERT INTO products VALUES (?, 'p', '活期', 'R1', 0.1, NULL, false)", [f"P{i}"]))

        def half_then_fail(cur) -> None:  # type: ignore[no-untyped-def]
            cur.execute("INSERT INTO products VALUES ('P9', 'p', '活期', 'R1', 0.1, NULL, false)")
            raise RuntimeError("disk full")

        loader.submit("products", half_then_fail)
        with pytest.raises(RuntimeError, match="disk full"):
            loader.close()
        assert [r["product_id"] for r in store.query("SELECT product_id FROM products ORDER BY 1")] == [
            "P0", "P1", "P2"]
    finally:
        store.close()

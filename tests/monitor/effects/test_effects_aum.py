"""The AUM read behind the DiD: the feed-date equi-join finds what the full aggregation finds, gaps included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from mofang.monitor.effects import repository as repo
from mofang.platform.storage.eventstore import EventStore

D = np.datetime64("2026-03-01", "D")


def _store(tmp_path: Path, customer: list[str], day: list[np.datetime64], aum: list[float]) -> EventStore:
    store = EventStore(tmp_path / "events.duckdb")
    with store.write() as cur:
        cur.register("rows", pa.table({"customer_id": customer, "date": np.array(day, dtype="datetime64[D]"),
                                       "aum": np.array(aum, dtype=float)}))
        cur.execute("INSERT INTO aum_daily SELECT customer_id, date, aum FROM rows")
        cur.unregister("rows")
    return store


def _reference(store: EventStore, cid: list[str], d0: np.ndarray, d1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The aggregation path alone (last snapshot within the lookback, scanned customer by customer)."""
    with store.read() as cur:
        return repo._aum_by_aggregation(cur, pa.array(cid, pa.string()), d0, d1)


def test_weekly_feed_with_gaps_matches_the_full_aggregation(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows_c, rows_d, rows_a = [], [], []
    for c in range(300):
        for w in range(12):
            if rng.random() < 0.15:  # this customer missed this week's feed
                continue
            rows_c.append(f"c{c}")
            rows_d.append(D - 21 + 7 * w)
            rows_a.append(float(rng.integers(1, 10**6)))
    rows_c += ["odd", "odd"]  # a customer on a feed date nobody else has
    rows_d += [D + 3, D + 33]
    rows_a += [7.0, 9.0]
    store = _store(tmp_path, rows_c, rows_d, rows_a)
    cid = [f"c{c}" for c in range(320)] + ["odd", "c5"]  # 20 customers without any AUM; c5 entered twice
    day = D + rng.integers(0, 30, len(cid)).astype("timedelta64[D]")
    d0, d1 = day - 1, day + 30
    x, y = repo.aum_changes(store, customer_id=pa.array(cid, pa.string()), pre_day=d0, post_day=d1)
    rx, ry = _reference(store, cid, d0, d1)
    np.testing.assert_array_equal(x, rx)
    np.testing.assert_array_equal(y, ry)
    assert np.isnan(x[300:320]).all() and np.isfinite(x[:300]).mean() > 0.8
    store.close()


def test_a_snapshot_older_than_the_lookback_does_not_count(tmp_path: Path) -> None:
    store = _store(tmp_path, ["a", "a", "b", "c"], [D - 40, D + 10, D, D - 1], [1.0, 2.0, 3.0, 4.0])
    x, y = repo.aum_changes(store, customer_id=pa.array(["a", "b", "c"]), pre_day=np.array([D, D, D]),
                            post_day=np.array([D + 30, D + 30, D + 30]))
    assert np.isnan(x[0]) and y[0] == 2.0  # a's only earlier snapshot is 40 days before its pre day
    assert x[1] == 3.0 and y[1] == 3.0  # b's, 30 days before the post day: still inside the lookback
    assert x[2] == 4.0 and np.isnan(y[2])  # c's, 31 days before it: outside
    store.close()


def test_no_entries_and_no_snapshots(tmp_path: Path) -> None:
    store = _store(tmp_path, [], [], [])
    x, y = repo.aum_changes(store, customer_id=pa.array([], pa.string()), pre_day=np.array([], "datetime64[D]"),
                            post_day=np.array([], "datetime64[D]"))
    assert x.size == y.size == 0
    x, y = repo.aum_changes(store, customer_id=pa.array(["a"]), pre_day=np.array([D]), post_day=np.array([D + 1]))
    assert np.isnan(x).all() and np.isnan(y).all()
    store.close()

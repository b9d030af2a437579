"""Effect evaluation benchmark: a 1M-customer strategy with a 10% holdout entering over 30 days.

Builds the engine's instances (1M), the reach log (one SMS per treated customer, 900k) and weekly AUM snapshots
(1M customers x 10 weeks) in a fresh data dir (not timed), then times `strategy_effect` end to end: the scoped
instance read, the delivery funnel, the AUM ASOF joins in DuckDB, CUPED, the ROI bootstrap (binned, 2,000
resamples).

    PYTHONPATH=src .venv/bin/python bench/bench_effects.py [--customers 1000000] [--runs 3]

Target: ≤ 2 s. The machine's load average and process CPU time are printed beside the wall time.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from mofang.monitor.effects import service
from mofang.platform.context import open_platform
from mofang.platform.governance.contracts import Scope
from mofang.platform.settings import Settings

TARGET_S = 2.0
START = datetime(2026, 3, 1, 2)
NOW = datetime(2026, 5, 20, 4, tzinfo=UTC)


def build(data_dir: Path, n: int, seed: int = 1) -> None:
    """Write the strategy's instances, deliveries and AUM straight into the stores (fast, untimed)."""
    plat = open_platform(Settings(data_dir=data_dir, start_background=False, scheduler=False))
    db = plat.settings.resolved_metadata_url().removeprefix("sqlite:///")
    plat.close()
    rng = np.random.default_rng(seed)
    ids = np.char.add("c", np.arange(n).astype(str))
    hold = rng.random(n) < 0.10
    conv = rng.random(n) < np.where(hold, 0.04, 0.046)
    day = rng.integers(0, 30, n)
    orgs = np.where(rng.random(n) < 0.5, "GD-GZ-001", "GD-SZ-001")
    entered = [(START + timedelta(days=int(d))).strftime("%Y-%m-%d %H:%M:%S.000000") for d in day]
    graph = '{"nodes": [{"id": "start", "type": "segment_entry"}], "edges": [], "settings": {"holdout_percent": 10}}'
    con = sqlite3.connect(db)
    con.execute("INSERT INTO engine_versions (strategy_id, version, graph, org_code, status, activated_at, updated_at)"
                " VALUES (1, 1, ?, 'HQ', 'active', '2026-03-01 00:00:00', '2026-03-01 00:00:00')", (graph,))
    con.executemany(
        "INSERT INTO engine_instances (strategy_id, version, customer_id, org_code, entry_node, entry_key, entered_at,"
        " node, status, seq, holdout, converted_at, context, updated_at) VALUES (1, 1, ?, ?, 'start', 'once', ?, 'end',"
        " 'done', 1, ?, ?, '{}', ?)",
        ((ids[i], orgs[i], entered[i], int(hold[i]), entered[i] if conv[i] else None, entered[i]) for i in range(n)))
    con.executemany(
        "INSERT INTO reach_deliveries (idempotency_key, customer_id, customer_org_code, channel, purpose, strategy_id,"
        " instance_id, status, dead, cost_fen, attempts, delivered_at, created_at, updated_at) VALUES (?, ?, ?, 'sms',"
        " 'marketing', 1, ?, 'accepted', 0, 5, 1, ?, ?, ?)",
        ((f"k{i}", ids[i], orgs[i], i + 1, entered[i], entered[i], entered[i]) for i in np.flatnonzero(~hold)))
    con.commit()
    con.close()
    pre = rng.lognormal(11, 1, n)
    weeks = np.arange(np.datetime64("2026-02-22"), np.datetime64("2026-05-10"), np.timedelta64(7, "D"))
    plat = open_platform(Settings(data_dir=data_dir, start_background=False, scheduler=False))
    with plat.store.write() as cur:
        for k, w in enumerate(weeks):
            aum = pre * (1.003 ** k) + np.where(~hold & (w > np.datetime64("2026-03-01") + day), 3000.0, 0.0)
            cur.register("w", pa.table({"customer_id": ids, "date": np.full(n, w), "aum": aum}))
            cur.execute("INSERT INTO aum_daily SELECT customer_id, date, aum FROM w")
            cur.unregister("w")
    plat.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench_effects_")) / "data"
    if not data_dir.exists():  # an existing dir from an earlier run is reused as it is
        t0 = time.perf_counter()
        build(data_dir, args.customers)
        print(f"built {args.customers:,} instances in {time.perf_counter() - t0:.1f}s at {data_dir}")
    plat = open_platform(Settings(data_dir=data_dir, start_background=False, scheduler=False))
    walls, cpus = [], []
    for _ in range(args.runs):
        w, c = time.perf_counter(), time.process_time()
        eff = service.strategy_effect(platform=plat, scope=Scope(kind="all"), strategy_ids=[1], now=NOW,
                                      value_per_conversion=200.0)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    plat.close()
    print(f"treated {eff.lift.treated.customers:,} control {eff.lift.reference.customers:,} "
          f"lift {eff.lift.test.difference:.5f} [{eff.lift.test.ci_lower:.5f}, {eff.lift.test.ci_upper:.5f}] "
          f"incremental AUM {eff.aum.incremental_aum:,.0f} ROI {eff.roi.roi:.3f} "
          f"[{eff.roi.lower:.3f}, {eff.roi.upper:.3f}] notes {eff.notes}")
    print(f"strategy_effect: median {statistics.median(walls):.2f}s wall (runs {', '.join(f'{x:.2f}' for x in walls)}),"
          f" cpu {statistics.median(cpus):.2f}s; target {TARGET_S:.1f}s; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

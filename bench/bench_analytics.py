"""Behaviour analytics benchmark: a 4-step funnel (7-day window) and 30-day daily retention on the demo bank.

The funnel also runs as ClickHouse `windowFunnel` in chdb over the same events (exported to Parquet
first, not timed) and must give identical counts; the time ratio is printed.

    .venv/bin/python bench/bench_analytics.py --data-dir /tmp/bank1m [--runs 3] [--no-chdb] [--steps a,b,c,d]

Targets (1M customers / 100M events, 2 cores): funnel ≤ 4 s, retention ≤ 4 s. Wall time depends on
what else the machine runs, so the load average and the process CPU time are printed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mofang.monitor.analytics import funnel, funnel_pass, retention
from mofang.monitor.analytics import repository as repo
from mofang.monitor.analytics import service as svc
from mofang.monitor.analytics.contracts import FunnelQuery, RetentionQuery
from mofang.monitor.analytics.filters import utc_bounds
from mofang.monitor.analytics.sqltemplate import inline
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params

TARGET_S = 4.0
DEMO_FUNNEL = ("app_start", "login", "product_view", "fund_purchase")


def timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float], list[float]]:
    """Result of the last run, wall seconds and process CPU seconds of every run."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return out, walls, cpus


def pick_steps(store: EventStore) -> list[str]:
    """The demo catalogue's funnel when its events exist, else the four most frequent track events."""
    names = [r["event"] for r in store.query(
        "SELECT event, COUNT(*) AS n FROM events WHERE type = 'track' GROUP BY event ORDER BY n DESC")]
    if all(n in names for n in DEMO_FUNNEL):
        return list(DEMO_FUNNEL)
    return names[:4]


def last_days(store: EventStore, days: int) -> tuple[date, date]:
    """The last `days` complete bank days before the newest event."""
    newest = store.scalar("SELECT MAX(ts) FROM events")
    end = (newest + timedelta(hours=8)).date() - timedelta(days=1)
    return end - timedelta(days=days - 1), end


SPLIT: list[tuple[float, float]] = []


def run_funnel(store: EventStore, q: FunnelQuery) -> list[int]:
    """What the service does: build, fetch the packed keys, one sorted pass."""
    params = Params()
    t0 = time.perf_counter()
    cols = repo.arrays(store, funnel.build(q, where=None, params=params), params)
    t1 = time.perf_counter()
    spec = funnel.spec_of(q)
    lay = funnel_pass.layout(spec)
    pc = funnel_pass.run_keys(spec, cols["key"], lay, parts=svc.PASS_THREADS) if lay else funnel_pass.run(
        spec, cols["code"], cols["t"], cols["mask"])
    SPLIT.append((t1 - t0, time.perf_counter() - t1))
    return funnel_pass.summarise(pc)[0]


def run_retention(store: EventStore, q: RetentionQuery) -> list[dict]:
    """Build and run the retention query."""
    params = Params()
    return repo.rows(store, retention.build(q, members=None, params=params), params)


def chdb_funnel(store: EventStore, q: FunnelQuery, runs: int) -> tuple[list[int], list[float]] | None:
    """windowFunnel over the same events in chdb; None when chdb is not installed."""
    try:
        import chdb  # type: ignore[import-not-found]
    except ImportError:
        return None
    start, end = utc_bounds(q.date_from, q.date_to)
    names = sorted({s.event for s in q.steps})
    folder = Path(tempfile.mkdtemp(prefix="bench_chdb_"))
    parquet = folder / "events.parquet"
    t0 = time.perf_counter()
    with store.read() as cur:
        # The same rows our funnel reads (identified customers of the customers table).
        cur.execute(
            f"COPY (SELECT e.customer_id, e.event, e.ts FROM events e JOIN customers c USING (customer_id) "
            f"WHERE e.ts >= $s AND e.ts < $e AND e.event IN ({', '.join('$n' + str(i) for i in range(len(names)))}))"
            f" TO '{parquet}' (FORMAT PARQUET)",
            {"s": start, "e": end + timedelta(seconds=q.window_seconds()),
             **{f"n{i}": n for i, n in enumerate(names)}})
    print(f"  exported step events to Parquet for chdb in {time.perf_counter() - t0:.1f} s (not timed)")
    params = Params()
    query = inline(funnel.build_clickhouse(q, params=params), params.values)
    sql = query.sql("clickhouse").replace("FROM events", f"FROM file('{parquet}', Parquet)")
    session = chdb.session.Session() if hasattr(chdb, "session") else None

    def once() -> list[int]:
        res = (session.query(sql, "CSV") if session else chdb.query(sql, "CSV"))
        return [int(x) for x in str(res).strip().split(",")]

    counts, walls, _ = timed(once, runs)
    parquet.unlink(missing_ok=True)
    folder.rmdir()
    return counts, walls


def main() -> int:
    """Run the benchmark and print a report (exit 1 when a target or the cross-check fails)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/bank1m"))
    ap.add_argument("--db", type=Path, help="the DuckDB file (default: DATA_DIR/events.duckdb)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-chdb", action="store_true")
    ap.add_argument("--steps", help="comma-separated funnel events (default: the demo funnel if present)")
    args = ap.parse_args()
    store = EventStore(args.db or args.data_dir / "events.duckdb", read_only=True)
    n_events = store.scalar("SELECT COUNT(*) FROM events")
    n_customers = store.scalar("SELECT COUNT(*) FROM customers")
    print(f"store: {n_customers:,} customers, {n_events:,} events; cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    d0, d1 = last_days(store, 30)
    steps = args.steps.split(",") if args.steps else pick_steps(store)
    fq = FunnelQuery(date_from=d0, date_to=d1, steps=[{"event": s} for s in steps], window=7)
    print(f"funnel {' → '.join(steps)}, 7-day window, first steps {d0}..{d1}")
    counts, walls, cpus = timed(lambda: run_funnel(store, fq), args.runs)
    print(f"  counts {counts}")
    print(f"  split (query s, pass s): {[(round(a, 2), round(b, 2)) for a, b in SPLIT]}")
    print(f"  wall s {[round(w, 2) for w in walls]} (best {min(walls):.2f}, median {statistics.median(walls):.2f}); "
          f"cpu s {[round(c, 2) for c in cpus]}")
    ok = min(walls) <= TARGET_S
    if not args.no_chdb:
        ch = chdb_funnel(store, fq, args.runs)
        if ch is None:
            print("  chdb not installed: comparison skipped")
        else:
            ch_counts, ch_walls = ch
            same = ch_counts == counts
            print(f"  chdb windowFunnel counts {ch_counts} — {'identical' if same else 'DIFFERENT'}")
            print(f"  chdb wall s {[round(w, 2) for w in ch_walls]} (best {min(ch_walls):.2f}); "
                  f"ours / chdb = {min(walls) / min(ch_walls):.2f}")
            ok &= same
    rq = RetentionQuery(date_from=d0, date_to=d1, initial={"event": steps[0]}, returning={"event": steps[0]},
                        period="day", periods=30)
    print(f"retention {steps[0]} → {steps[0]}, daily, 30 cohorts × 30 periods")
    rows, walls, cpus = timed(lambda: run_retention(store, rq), args.runs)
    day1 = sum(int(r["k1"]) for r in rows) / max(sum(int(r["size"]) for r in rows), 1)
    print(f"  cohorts {len(rows)}, customers {sum(int(r['size']) for r in rows):,}, day-1 return {day1:.3f}")
    print(f"  wall s {[round(w, 2) for w in walls]} (best {min(walls):.2f}, median {statistics.median(walls):.2f}); "
          f"cpu s {[round(c, 2) for c in cpus]}")
    ok &= min(walls) <= TARGET_S
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("targets met" if ok else "a target or the cross-check FAILED")
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

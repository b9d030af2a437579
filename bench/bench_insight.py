"""Customer insight benchmark: all default tags, and the segment estimate vs the same condition hand-written.

    .venv/bin/python bench/bench_insight.py --data-dir /tmp/bank1m          # generates the bank if missing
    .venv/bin/python bench/bench_insight.py --data-dir /tmp/bank1m --customers 100000 --events 10000000

Targets (issue 3): all default tags for 1M customers / 100M events ≤ 120 s on 2 cores; the estimate ≤ 1 s
and within 1.5x of hand-written SQL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_insight_data import generate
from sqlalchemy import delete

from mofang.insight.catalogue import TAG_VALUES, ensure_insight_schema
from mofang.insight.models import TagRun
from mofang.insight.segments import service as segments
from mofang.insight.segments.contracts import EstimateRequest
from mofang.insight.tags import repository as tag_repo
from mofang.insight.tags import service as tags
from mofang.platform.context import open_platform
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope, permissions_of
from mofang.platform.settings import Settings

DEFINITION = {"type": "group", "op": "and", "conditions": [
    {"type": "attribute", "field": "age", "op": "between", "value": [25, 40]},
    {"type": "behaviour", "event": "product_view", "op": "gte", "value": 3, "window": {"last_days": 30},
     "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]},
    {"type": "behaviour", "event": "fund_purchase", "did": False, "window": {"last_days": 30},
     "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]},
    {"type": "attribute", "field": "aum", "op": "between", "value": [50_000, 500_000]},
]}

HAND_WRITTEN = """
SELECT count(*) FROM customers c
WHERE c.birth_date <= DATE '{hi}' AND c.birth_date > DATE '{lo}'
  AND c.aum BETWEEN 50000 AND 500000
  AND c.customer_id IN (SELECT customer_id FROM events WHERE event = 'product_view'
        AND ts >= TIMESTAMP '{start}' AND ts < TIMESTAMP '{end}'
        AND json_extract_string(properties, '$.product_type') = '基金'
        GROUP BY customer_id HAVING count(*) >= 3)
  AND c.customer_id NOT IN (SELECT customer_id FROM events WHERE event = 'fund_purchase'
        AND ts >= TIMESTAMP '{start}' AND ts < TIMESTAMP '{end}'
        AND json_extract_string(properties, '$.product_type') = '基金')
"""


def principal(org: str) -> Principal:
    role = "admin" if org == "HQ" else "branch_operator"
    scope = Scope(kind="all") if org == "HQ" else Scope(kind="org", org_code=org)
    return Principal(user_id=0, username="bench", display_name="bench", role=role, org_code=org, rm_id=None,
                     permissions=permissions_of(role), scope=scope)


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/bank1m"))
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if not (args.data_dir / "events.duckdb").exists():
        generate(args.data_dir, customers=args.customers, events=args.events)

    plat = open_platform(Settings(data_dir=args.data_dir, start_background=False))
    today = plat.store.scalar("SELECT CAST(max(ts) AS DATE) FROM events")
    plat.extras["clock"] = lambda: datetime.combine(today, datetime.min.time()) + timedelta(hours=18)
    customers = plat.store.scalar("SELECT count(*) FROM customers")
    events = plat.store.scalar("SELECT count(*) FROM events")
    threads = plat.store.scalar("SELECT current_setting('threads')")
    print(f"bank: {customers:,} customers, {events:,} events, data ends {today}, DuckDB threads {threads}")
    figures: dict[str, object] = {"customers": customers, "events": events, "threads": threads}

    # ---- tags: first run from an empty history, then the next day's incremental run
    ensure_insight_schema(plat.store, plat.extras)
    with plat.store.write() as cur:
        cur.execute(f"DELETE FROM {TAG_VALUES}")
    with plat.metadata.session() as session:  # forget earlier benchmark runs: this is a first run
        session.execute(delete(TagRun))
    tags.ensure_defaults(platform=plat)
    t0 = time.perf_counter()
    first = tags.run_tags(platform=plat, day=today - timedelta(days=1))
    first_s = time.perf_counter() - t0
    failed = [r for r in first.runs if r.status != "ok"]
    t0 = time.perf_counter()
    second = tags.run_tags(platform=plat, day=today)
    second_s = time.perf_counter() - t0
    size = tag_repo.history_size(plat.store)
    print(f"tags: {len(first.runs)} default tags, first run {first_s:.1f}s (compute {first.compute_ms / 1000:.1f}s, "
          f"write {first.write_ms / 1000:.1f}s), next day {second_s:.1f}s (compute {second.compute_ms / 1000:.1f}s, "
          f"write {second.write_ms / 1000:.1f}s), {len(failed)} failed")
    print(f"tag history: {size['current']:,} current values + {size['closed']:,} closed intervals after two days")
    figures |= {"tags": len(first.runs), "tags_first_run_s": round(first_s, 1), "tags_next_day_s": round(second_s, 1),
                "first_compute_s": first.compute_ms / 1000, "first_write_s": first.write_ms / 1000,
                "next_compute_s": second.compute_ms / 1000, "next_write_s": second.write_ms / 1000,
                "tag_rows_current": size["current"], "tag_rows_closed": size["closed"], "tags_failed": len(failed)}

    # ---- estimate: compiled vs hand-written, admin and branch scope
    tree = EstimateRequest.model_validate({"definition": DEFINITION}).definition
    with plat.metadata.session() as session:
        segments.get_catalogue(platform=plat, session=session)  # warm the discovery cache
        est_s, est = timed(lambda: segments.estimate(platform=plat, session=session, who=principal("HQ"),
                                                     definition=tree))
        branch_s, branch = timed(lambda: segments.estimate(platform=plat, session=session, who=principal("GD"),
                                                           definition=tree))
        comp_s, _ = timed(lambda: segments.composition(platform=plat, session=session, who=principal("GD"),
                                                       definition=tree), repeat=1)
    # The last 30 bank days (Beijing time) as UTC instants, like the compiler's windows.
    start = datetime.combine(today - timedelta(days=29), datetime.min.time()) - timedelta(hours=8)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time()) - timedelta(hours=8)
    sql = HAND_WRITTEN.format(hi=today.replace(year=today.year - 25), lo=today.replace(year=today.year - 41),
                              start=start, end=end)
    hand_s, hand = timed(lambda: plat.store.scalar(sql))
    assert hand == est.count, (hand, est.count)  # type: ignore[union-attr]
    print(f"estimate (1M-scale condition): compiled {est_s:.2f}s, hand-written SQL {hand_s:.2f}s, "
          f"ratio {est_s / hand_s:.2f}; count {est.count:,} (same as SQL)")  # type: ignore[union-attr]
    print(f"estimate in a province's scope: {branch_s:.2f}s (count {branch.count:,}); "  # type: ignore[union-attr]
          f"composition: {comp_s:.2f}s")
    figures |= {"estimate_s": round(est_s, 2), "hand_sql_s": round(hand_s, 2), "ratio": round(est_s / hand_s, 2),
                "estimate_branch_s": round(branch_s, 2), "composition_s": round(comp_s, 2),
                "count": est.count}  # type: ignore[union-attr]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    plat.close()


if __name__ == "__main__":
    main()

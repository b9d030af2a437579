"""间隔分析 interval: for each event A in the range, the time to the customer's next event B (seconds).

"Next" is the first B after A in time order (a B in the same instant counts, gap 0); when A and B are
the same event, it is the gap to the next occurrence. Pairs, not customers, are the unit.
"""

from __future__ import annotations

from sqlglot import exp

from mofang.monitor.analytics import buckets
from mofang.monitor.analytics.contracts import IntervalQuery, IntervalResult
from mofang.monitor.analytics.filters import event_condition, member_condition, utc_bounds
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, col


def build(q: IntervalQuery, *, members: exp.Select | None, params: Params) -> exp.Select:
    """Rows (b, pairs, customers, mean, median, p90): b NULL = all pairs."""
    start, end = utc_bounds(q.date_from, q.date_to)
    is_a = event_condition(params, q.first, table="e", field="first")
    is_b = event_condition(params, q.then, table="e", field="then")
    return select(
        "WITH s AS (SELECT e.customer_id AS cid, e.ts, :is_a AS is_a, :is_b AS is_b FROM events AS e "
        "WHERE e.ts >= :start AND (:is_a2 OR :is_b2) AND :member), "
        "n AS (SELECT cid, ts, is_a, MIN(CASE WHEN is_b THEN ts END) OVER (PARTITION BY cid ORDER BY ts, is_b "
        "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS nb FROM s), "
        "g AS (SELECT cid, (EPOCH_US(nb) - EPOCH_US(ts)) / 1000000.0 AS gap FROM n "
        "WHERE is_a AND ts < :end AND NOT nb IS NULL) "
        "SELECT :b AS b, COUNT(*) AS pairs, COUNT(DISTINCT cid) AS customers, AVG(gap) AS mean, "
        "MEDIAN(gap) AS median, QUANTILE_CONT(gap, 0.9) AS p90 FROM g GROUP BY GROUPING SETS ((b), ())",
        is_a=is_a, is_b=is_b, is_a2=is_a, is_b2=is_b, start=params(start), end=params(end),
        member=member_condition(col("customer_id", "e"), members),
        b=buckets.index_expr(exp.column("gap"), q.edges_seconds),
    )


def shape(q: IntervalQuery, rows: list[dict]) -> IntervalResult:
    """Buckets over seconds and the statistics."""
    total = next((r for r in rows if r["b"] is None), None)
    counts = {int(r["b"]): int(r["pairs"]) for r in rows if r["b"] is not None}
    return IntervalResult(
        pairs=int(total["pairs"]) if total else 0, customers=int(total["customers"]) if total else 0,
        buckets=buckets.shape(q.edges_seconds, counts, integer=False, drop_empty_below=False),
        mean_seconds=_f(total, "mean"), median_seconds=_f(total, "median"), p90_seconds=_f(total, "p90"),
    )


def _f(row: dict | None, key: str) -> float | None:
    return None if row is None or row[key] is None else float(row[key])

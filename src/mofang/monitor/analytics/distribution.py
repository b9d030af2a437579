"""分布分析 distribution: per-customer counts, sums or active days of an event, bucketed by edges.

Customers in scope who never did the event in the range are reported apart (`customers_without`).
"""

from __future__ import annotations

from sqlglot import exp

from mofang.monitor.analytics import buckets
from mofang.monitor.analytics.contracts import DistributionQuery, DistributionResult
from mofang.monitor.analytics.filters import (
    event_condition,
    in_range,
    local,
    member_condition,
    number,
    prop,
    utc_bounds,
)
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, col


def build(q: DistributionQuery, *, members: exp.Select | None, where: exp.Expression | None,
          params: Params) -> exp.Select:
    """Rows (b, customers, mean, median, p90, without): b NULL = all who did the event.

    `without`: known customers in scope and the filter who did not do it — never an unidentified user.
    """
    start, end = utc_bounds(q.date_from, q.date_to)
    if q.measure == "count":
        value: exp.Expression = exp.Count(this=exp.Star())
    elif q.measure == "sum":
        value = exp.func("coalesce", exp.Sum(this=number(prop(q.property or "", "e"))), exp.Literal.number(0))
    else:
        value = exp.Count(this=exp.Distinct(expressions=[exp.Cast(this=local(col("ts", "e")),
                                                                   to=exp.DataType.build("DATE"))]))
    without = select("SELECT COUNT(*) FROM customers AS c WHERE :where AND c.customer_id NOT IN "
                     "(SELECT v.customer_id FROM v)", where=where or exp.true())
    return select(
        "WITH v AS (SELECT e.customer_id, :value AS v FROM events AS e WHERE :event AND :range AND :member "
        "GROUP BY e.customer_id) "
        "SELECT :b AS b, COUNT(*) AS customers, AVG(v) AS mean, MEDIAN(v) AS median, "
        "QUANTILE_CONT(v, 0.9) AS p90, (:without) AS without FROM v GROUP BY GROUPING SETS ((b), ())",
        value=value, event=event_condition(params, q.event, table="e", field="event"),
        range=in_range(params, col("ts", "e"), start, end), member=member_condition(col("customer_id", "e"), members),
        b=buckets.index_expr(exp.column("v"), q.edges), without=without,
    )


def shape(q: DistributionQuery, rows: list[dict]) -> DistributionResult:
    """Buckets and statistics from the rows."""
    total = next((r for r in rows if r["b"] is None), None)
    counts = {int(r["b"]): int(r["customers"]) for r in rows if r["b"] is not None}
    did = int(total["customers"]) if total else 0
    return DistributionResult(
        customers=did, customers_without=int(rows[0]["without"]) if rows else 0,
        buckets=buckets.shape(q.edges, counts, integer=q.measure != "sum", drop_empty_below=True),
        mean=_f(total, "mean"), median=_f(total, "median"), p90=_f(total, "p90"),
    )


def _f(row: dict | None, key: str) -> float | None:
    return None if row is None or row[key] is None else float(row[key])

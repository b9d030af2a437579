"""RFM overview on transactions in the range: recency (days before the range end), frequency, money.

Segments are the classic eight: each of R, F, M is "high" when better than the mean over customers
with transactions (recency: fewer days). The grid counts customers by R and F quintile (1..5, 5 best).
Customers in scope without a transaction in the range are `inactive`.
"""

from __future__ import annotations

from sqlglot import exp

from mofang.monitor.analytics.contracts import RfmQuery, RfmResult, RfmSegment
from mofang.monitor.analytics.filters import in_range, member_condition, utc_bounds
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, col

SEGMENTS: dict[tuple[bool, bool, bool], tuple[str, str]] = {
    (True, True, True): ("important_value", "重要价值客户"),
    (True, False, True): ("important_develop", "重要发展客户"),
    (False, True, True): ("important_retain", "重要保持客户"),
    (False, False, True): ("important_winback", "重要挽留客户"),
    (True, True, False): ("general_value", "一般价值客户"),
    (True, False, False): ("general_develop", "一般发展客户"),
    (False, True, False): ("general_retain", "一般保持客户"),
    (False, False, False): ("general_winback", "一般挽留客户"),
}


def build(q: RfmQuery, *, members: exp.Select | None, where: exp.Expression | None, params: Params) -> exp.Select:
    """Rows by (r_hi, f_hi, m_hi) and by (rs, fs) quintiles, each with counts and averages."""
    start, end = utc_bounds(q.date_from, q.date_to)
    return select(
        "WITH t AS (SELECT x.customer_id, (EPOCH_US(:end) - EPOCH_US(MAX(x.ts))) / 86400000000.0 AS r, "
        "COUNT(*) AS f, SUM(x.amount) AS m FROM transactions AS x WHERE :range AND :member GROUP BY x.customer_id), "
        "a AS (SELECT AVG(r) AS ar, AVG(f) AS af, AVG(m) AS am FROM t), "
        "s AS (SELECT t.*, t.r <= a.ar AS r_hi, t.f >= a.af AS f_hi, t.m >= a.am AS m_hi, "
        "NTILE(5) OVER (ORDER BY t.r DESC) AS rs, NTILE(5) OVER (ORDER BY t.f) AS fs FROM t CROSS JOIN a) "
        "SELECT r_hi, f_hi, m_hi, rs, fs, GROUPING(r_hi, f_hi, m_hi) AS by_grid, COUNT(*) AS n, AVG(r) AS ar, "
        "AVG(f) AS af, AVG(m) AS am, (SELECT COUNT(*) FROM customers AS c WHERE :where) AS population FROM s "
        "GROUP BY GROUPING SETS ((r_hi, f_hi, m_hi), (rs, fs))",
        end=params(end), range=in_range(params, col("ts", "x"), start, end),
        member=member_condition(col("customer_id", "x"), members), where=where or exp.true(),
    )


def shape(rows: list[dict]) -> RfmResult:
    """Eight segments (largest first), the 5×5 R×F grid and the inactive count."""
    grid = [[0] * 5 for _ in range(5)]
    segments = []
    for r in rows:
        if r["by_grid"]:
            grid[int(r["rs"]) - 1][int(r["fs"]) - 1] = int(r["n"])
            continue
        code, label = SEGMENTS[(bool(r["r_hi"]), bool(r["f_hi"]), bool(r["m_hi"]))]
        segments.append(RfmSegment(segment=code, label=label, customers=int(r["n"]),
                                   avg_recency_days=round(float(r["ar"]), 2), avg_frequency=round(float(r["af"]), 2),
                                   avg_monetary=round(float(r["am"]), 2)))
    active = sum(s.customers for s in segments)
    population = int(rows[0]["population"]) if rows else 0
    segments.sort(key=lambda s: -s.customers)
    return RfmResult(customers=active, inactive=max(population - active, 0), segments=segments, grid=grid)

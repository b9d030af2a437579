"""LTV by cohort: average cumulative value per customer by months since account opening.

Cohorts are the opening months inside the range. A customer's value in a month is their average
daily AUM × `margin_bps` / 10,000 / 12 — the bank's spread on the assets it holds, the part of
lifetime value that the event store knows. Months after the last AUM date are not observed (None), and
neither is any month of a cohort that opened before the first AUM date: a cumulative value that misses the
cohort's first months would understate it, so the whole curve stays empty rather than claim a number.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from mofang.monitor.analytics.contracts import LtvCohort, LtvQuery, LtvResult
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params


def build(q: LtvQuery, *, where: exp.Expression | None, params: Params) -> exp.Select:
    """Rows (cohort, k, size, value, last_month, first_month): k NULL rows carry cohort sizes and AUM coverage."""
    return select(
        "WITH cu AS (SELECT c.customer_id, YEAR(c.open_date) * 12 + MONTH(c.open_date) - 1 AS cohort "
        "FROM customers AS c WHERE :where AND c.open_date >= :d0 AND c.open_date <= :d1), "
        "m AS (SELECT a.customer_id, YEAR(a.date) * 12 + MONTH(a.date) - 1 AS month, AVG(a.aum) AS avg_aum "
        "FROM aum_daily AS a WHERE a.customer_id IN (SELECT customer_id FROM cu) GROUP BY a.customer_id, month), "
        "v AS (SELECT cu.cohort, m.month - cu.cohort AS k, SUM(m.avg_aum) * :rate AS value FROM cu "
        "JOIN m ON m.customer_id = cu.customer_id WHERE m.month - cu.cohort BETWEEN 0 AND :months "
        "GROUP BY cu.cohort, k) "
        "SELECT cohort, NULL AS k, COUNT(*) AS size, NULL AS value, "
        "(SELECT YEAR(MAX(date)) * 12 + MONTH(MAX(date)) - 1 FROM aum_daily) AS last_month, "
        "(SELECT YEAR(MIN(date)) * 12 + MONTH(MIN(date)) - 1 FROM aum_daily) AS first_month FROM cu GROUP BY cohort "
        "UNION ALL SELECT cohort, k, NULL, value, NULL, NULL FROM v ORDER BY cohort, k NULLS FIRST",
        where=where or exp.true(), d0=params(q.date_from), d1=params(q.date_to),
        rate=params(q.margin_bps / 10_000 / 12), months=params(q.months),
    )


def shape(q: LtvQuery, rows: list[dict]) -> LtvResult:
    """Cumulative average value per cohort customer, month 0..N."""
    sizes = {int(r["cohort"]): int(r["size"]) for r in rows if r["k"] is None}
    last = next((r["last_month"] for r in rows if r["k"] is None and r["last_month"] is not None), None)
    first = next((r["first_month"] for r in rows if r["k"] is None and r["first_month"] is not None), None)
    values: dict[int, dict[int, float]] = {}
    for r in rows:
        if r["k"] is not None:
            values.setdefault(int(r["cohort"]), {})[int(r["k"])] = float(r["value"] or 0)
    out = []
    for cohort in sorted(sizes):
        size, acc, curve = sizes[cohort], 0.0, []
        for k in range(q.months + 1):
            if last is None or first is None or cohort < int(first) or cohort + k > int(last):
                curve.append(None)
                continue
            acc += values.get(cohort, {}).get(k, 0.0)
            curve.append(round(acc / size, 2))
        out.append(LtvCohort(cohort=date(cohort // 12, cohort % 12 + 1, 1).isoformat(), customers=size, values=curve))
    return LtvResult(cohorts=out)

"""留存分析 retention: cohorts by the local period of the initial event; who does the return event k periods later.

Cohort c holds the customers who did the initial event in period c of the range (`first_time`:
only customers whose first-ever initial event falls in c — history before the range counts).
Column k (0..N) counts cohort members who did the return event in period c + k (k = 0: the same
period). Periods are the bank's local days, weeks (Monday) or months.

How it runs in one pass per customer instead of a cohort × return join: each customer's return
periods become a bitmask (`bit_or(1 << period)`), so "returned k periods after c" is one bit test.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from mofang.monitor.analytics import periods as cal
from mofang.monitor.analytics.contracts import Cohort, RetentionQuery, RetentionResult
from mofang.monitor.analytics.filters import event_condition, group_value, local, member_condition, utc_bounds
from mofang.monitor.analytics.sqltemplate import select, sql
from mofang.platform.errors import Invalid
from mofang.platform.storage.sql import Params, col

MAX_BITS = 126
LOCAL_US = 8 * 3600 * 1_000_000
DAY_US = 86400 * 1_000_000


def shape_of(q: RetentionQuery) -> tuple[date, int, int]:
    """First cohort period start, number of cohorts, and the bits needed (cohorts + N periods)."""
    origin = cal.trunc(q.date_from, q.period)
    cohorts = cal.count(q.date_from, q.date_to, q.period)
    return origin, cohorts, cohorts + q.periods


def _period_index(ts: exp.Expression, q: RetentionQuery, origin: date, params: Params) -> exp.Expression:
    """Local period number of a UTC timestamp, counted from the first cohort period."""
    if q.period == "month":
        return sql("YEAR(:t) * 12 + MONTH(:t) - :origin", t=local(ts), origin=params(origin.year * 12 + origin.month))
    days = sql(f"(EPOCH_US(:ts) + {LOCAL_US}) // {DAY_US} - :origin", ts=ts,
               origin=params((origin - date(1970, 1, 1)).days))
    return exp.IntDiv(this=exp.paren(days), expression=exp.Literal.number(7)) if q.period == "week" else days


def build(q: RetentionQuery, *, members: exp.Select | None, params: Params) -> exp.Select:
    """Rows (cohort, grp, size, k0..kN): cohort sizes and returners per period offset."""
    origin, cohorts, bits = shape_of(q)
    if bits > MAX_BITS:
        raise Invalid(f"the range holds {cohorts} cohorts; with {q.periods} periods that exceeds {MAX_BITS}",
                      field="periods")
    start, _ = utc_bounds(q.date_from, q.date_to)
    ret_end_day = cal.add(cal.trunc(q.date_to, q.period), q.period, q.periods + 1)
    ret_end, _ = utc_bounds(ret_end_day, ret_end_day)  # returns are observed up to the end of cohort N
    wide = "BIGINT" if bits <= 62 else "HUGEINT"
    ts = col("ts", "e")
    p = _period_index(ts, q, origin, params)
    is_init = event_condition(params, q.initial, table="e", field="initial")
    is_ret = event_condition(params, q.returning, table="e", field="returning")
    member = member_condition(col("customer_id", "e"), members)
    ret_range = exp.and_(exp.GTE(this=ts.copy(), expression=params(start)),
                         exp.LT(this=ts.copy(), expression=params(ret_end)))
    if q.first_time:
        # The first-ever initial event, however long ago; the cohort is its period if inside the range.
        first = select(
            "SELECT e.customer_id AS cid, MIN(e.ts) AS first_ts FROM events AS e WHERE :init AND :member "
            "GROUP BY e.customer_id", init=is_init, member=member)
        init_mask = select(
            f"SELECT cid, CAST(1 AS {wide}) << CAST(:p AS INT) AS im FROM first_ev WHERE :p >= 0 AND :p < {cohorts}",
            p=_period_index(exp.column("first_ts"), q, origin, params))
        query = select(
            f"WITH first_ev AS (:first), im AS (:init_mask), rm AS (SELECT e.customer_id AS cid, "
            f"BIT_OR(CAST(1 AS {wide}) << CAST(:p AS INT)) AS rm FROM events AS e WHERE :ret AND :ret_range AND "
            f":member GROUP BY e.customer_id), pcust AS (SELECT im.cid, im.im, COALESCE(rm.rm, 0) AS rm FROM im "
            f"LEFT JOIN rm ON rm.cid = im.cid) SELECT 1",
            first=first, init_mask=init_mask, p=p, ret=is_ret, ret_range=ret_range, member=member)
    else:
        init_range = exp.and_(ret_range.copy(), exp.LT(
            this=exp.paren(p.copy()), expression=exp.Literal.number(cohorts)))
        query = select(
            f"WITH pcust AS (SELECT e.customer_id AS cid, "
            f"BIT_OR(CASE WHEN :init AND :init_range THEN CAST(1 AS {wide}) << CAST(:p AS INT) ELSE 0 END) AS im, "
            f"BIT_OR(CASE WHEN :ret THEN CAST(1 AS {wide}) << CAST(:p AS INT) ELSE 0 END) AS rm "
            f"FROM events AS e WHERE :ret_range AND :names AND :member GROUP BY e.customer_id) SELECT 1",
            init=is_init, init_range=init_range, p=p, ret=is_ret, ret_range=ret_range, member=member,
            names=exp.In(this=col("event", "e"), expressions=[params(v) for v in
                                                               sorted({q.initial.event, q.returning.event})]))
    ks = ", ".join(f"SUM(CAST((pc.rm >> (r.c + {k})) & 1 AS INT)) AS k{k}" for k in range(q.periods + 1))
    grp: exp.Expression = exp.Null()
    join = ""
    if q.group_by is not None:
        grp = exp.Cast(this=group_value(q.group_by.name, "cu"), to=exp.DataType.build("VARCHAR"))
        join = "LEFT JOIN customers AS cu ON cu.customer_id = pc.cid"
    final = select(
        f"SELECT r.c AS cohort, :grp AS grp, COUNT(*) AS size, {ks} FROM pcust AS pc "
        f"CROSS JOIN range({cohorts}) AS r(c) {join} WHERE (pc.im >> r.c) & 1 = 1 GROUP BY r.c, grp",
        grp=grp)
    final.set("with_", query.args["with_"])
    return final


def shape(q: RetentionQuery, rows: list[dict], *, today: date) -> RetentionResult:
    """The cohort table (periods not yet begun are None) and the size-weighted average per period."""
    origin, _, _ = shape_of(q)
    out: list[Cohort] = []
    sums = [0] * (q.periods + 1)
    sizes = [0] * (q.periods + 1)
    rows = sorted(rows, key=lambda r: (int(r["cohort"]), str(r["grp"])))
    if q.group_by is not None:
        keep = _top_groups(rows, q.group_by.limit)
        rows = [r for r in rows if r["grp"] in keep]
    for r in rows:
        c = int(r["cohort"])
        start = cal.add(origin, q.period, c)
        returned: list[int | None] = []
        for k in range(q.periods + 1):
            seen = cal.add(start, q.period, k) <= today
            returned.append(int(r[f"k{k}"]) if seen else None)
            if seen:
                sums[k] += int(r[f"k{k}"])
                sizes[k] += int(r["size"])
        size = int(r["size"])
        out.append(Cohort(cohort=start.isoformat(), group=None if r["grp"] is None else str(r["grp"]), size=size,
                          returned=returned, rates=[None if v is None else round(v / size, 6) for v in returned]))
    return RetentionResult(periods=q.periods, cohorts=out,
                           average=[round(s / n, 6) if n else None for s, n in zip(sums, sizes, strict=True)])


def _top_groups(rows: list[dict], limit: int) -> set:
    """The `limit` groups with the most cohort members."""
    total: dict = {}
    for r in rows:
        total[r["grp"]] = total.get(r["grp"], 0) + int(r["size"])
    return {g for g, _ in sorted(total.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]}

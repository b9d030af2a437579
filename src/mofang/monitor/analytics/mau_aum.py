"""MAU/AUM dual-track dashboard (MAU和AUM双轨运营): per month and child org, traffic next to assets.

- customers: customers of the org opened by the month's end (no open date: always counted);
- MAU: those customers with at least one behaviour event (track/page/screen, or the chosen events)
  in the bank's local month; active rate = MAU / customers;
- AUM: the sum of each customer's AUM on their last recorded day of the month; null (no data, a gap in the
  chart) for a month without any AUM snapshot of the org's customers, which is not the same as holding nothing;
- net inflow: transaction amounts in minus out during the month.
MAU (and so the active rate) is null for a month in which the bank recorded no event at all, and net inflow for a
month without any transaction: before collection started there is no data, which is not the same as nobody being
active or no money moving.
Rows are the children of `parent_org` (org codes nest by prefix); totals per month sum them.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from sqlglot import exp

from mofang.monitor.analytics.contracts import MauAumMonth, MauAumQuery, MauAumResult, MauAumRow
from mofang.monitor.analytics.filters import in_range, local, utc_bounds
from mofang.monitor.analytics.sqltemplate import select, sql
from mofang.platform.storage.sql import Params, col


def children(parent: str, codes: list[str]) -> list[str]:
    """The direct children of an org among known codes (HQ → GD, GD → GD-SZ, ...)."""
    if parent == "HQ":
        return sorted(c for c in codes if c != "HQ" and "-" not in c)
    depth = parent.count("-") + 1
    return sorted(c for c in codes if c.startswith(parent + "-") and c.count("-") == depth)


def month_index(d: date) -> int:
    """Months since year 0 of a date (year * 12 + month - 1)."""
    return d.year * 12 + d.month - 1


def build(q: MauAumQuery, *, parent: str, kids: list[str], where: exp.Expression | None,
          params: Params) -> exp.Select:
    """Rows (m, org, customers, mau, aum, net_inflow) per month index and child org (the parent itself when
    customers sit directly in it)."""
    org = col("org_code", "c")
    ifs = [exp.If(this=exp.or_(exp.EQ(this=org.copy(), expression=params(k)),
                               exp.func("starts_with", org.copy(), params(k + "-"))), true=params(k)) for k in kids]
    # A leaf org has no children: its customers all sit in the parent itself (a CASE needs at least one WHEN).
    child = exp.Case(ifs=ifs, default=params(parent)) if ifs else params(parent)
    in_parent = exp.true() if parent == "HQ" else exp.or_(
        exp.EQ(this=org.copy(), expression=params(parent)), exp.func("starts_with", org.copy(), params(parent + "-")))
    m0, m1 = month_index(q.month_from), month_index(q.month_to)
    d_end = date(m1 // 12 + (m1 % 12 + 1) // 12, (m1 % 12 + 1) % 12 + 1, 1)
    start, _ = utc_bounds(date(m0 // 12, m0 % 12 + 1, 1), d_end)
    end, _ = utc_bounds(d_end, d_end)  # local midnight starting the month after month_to
    active = (exp.In(this=col("event", "e"), expressions=[params(v) for v in q.active_events]) if q.active_events
              else exp.In(this=col("type", "e"), expressions=[exp.Literal.string(v) for v in ("track", "page",
                                                                                            "screen")]))
    lts = local(col("ts", "e"))
    return select(
        "WITH cu AS (SELECT c.customer_id, c.open_date, :child AS org FROM customers AS c "
        "WHERE :where AND :in_parent), "
        "months AS (SELECT r.m FROM range(:m0, :m1 + 1) AS r(m)), "
        "base AS (SELECT months.m, cu.org, COUNT(*) AS n FROM months CROSS JOIN cu WHERE cu.open_date IS NULL "
        "OR YEAR(cu.open_date) * 12 + MONTH(cu.open_date) - 1 <= months.m GROUP BY months.m, cu.org), "
        # Active (customer, month) pairs first: a few million rows to join instead of every event.
        "act AS (SELECT DISTINCT e.customer_id, :em AS m FROM events AS e WHERE :erange AND :active), "
        "mau AS (SELECT act.m, cu.org, COUNT(*) AS n FROM act JOIN cu ON cu.customer_id = act.customer_id "
        "WHERE cu.open_date IS NULL OR YEAR(cu.open_date) * 12 + MONTH(cu.open_date) - 1 <= act.m "
        "GROUP BY act.m, cu.org), "
        "aum AS (SELECT x.m, cu.org, SUM(x.aum) AS v FROM (SELECT a.customer_id, YEAR(a.date) * 12 + MONTH(a.date) - 1 "
        "AS m, ARG_MAX(a.aum, a.date) AS aum FROM aum_daily AS a WHERE a.date >= :d0 AND a.date < :d1 "
        "GROUP BY a.customer_id, m) AS x JOIN cu ON cu.customer_id = x.customer_id GROUP BY x.m, cu.org), "
        "flow AS (SELECT :tm AS m, cu.org, SUM(CASE WHEN t.direction = 'in' THEN t.amount ELSE -t.amount END) AS v "
        "FROM transactions AS t JOIN cu ON cu.customer_id = t.customer_id WHERE :trange GROUP BY m, cu.org), "
        # Months with any data at all, over the whole bank: the rest are gaps, not zeros. Their first and last
        # local day with data tell a partly covered month (collection started mid-month) from a full one.
        "ecov AS (SELECT :em2 AS m, MIN(CAST(:el AS DATE)) AS d0, MAX(CAST(:el AS DATE)) AS d1 FROM events AS e "
        "WHERE :erange2 GROUP BY 1), "
        "tcov AS (SELECT :tm2 AS m, MIN(CAST(:tl AS DATE)) AS d0, MAX(CAST(:tl AS DATE)) AS d1 "
        "FROM transactions AS t WHERE :trange2 GROUP BY 1), "
        "acov AS (SELECT YEAR(a.date) * 12 + MONTH(a.date) - 1 AS m, MIN(a.date) AS d0, MAX(a.date) AS d1 "
        "FROM aum_daily AS a WHERE a.date >= :d0b AND a.date < :d1b GROUP BY 1), "
        "cov AS (SELECT u.m, MIN(u.d0) AS d0, MAX(u.d1) AS d1 FROM (SELECT * FROM ecov UNION ALL SELECT * FROM tcov "
        "UNION ALL SELECT * FROM acov) AS u GROUP BY u.m) "
        "SELECT base.m, base.org, base.n AS customers, cov.d0 AS first_day, cov.d1 AS last_day, "
        "CASE WHEN ecov.m IS NULL THEN NULL ELSE COALESCE(mau.n, 0) END AS mau, aum.v AS aum, "
        "CASE WHEN tcov.m IS NULL THEN NULL ELSE COALESCE(flow.v, 0) END AS net_inflow "
        "FROM base LEFT JOIN mau ON mau.m = base.m AND mau.org = base.org "
        "LEFT JOIN aum ON aum.m = base.m AND aum.org = base.org "
        "LEFT JOIN flow ON flow.m = base.m AND flow.org = base.org "
        "LEFT JOIN ecov ON ecov.m = base.m LEFT JOIN tcov ON tcov.m = base.m LEFT JOIN cov ON cov.m = base.m "
        "ORDER BY base.m, base.org",
        child=child, where=where or exp.true(), in_parent=in_parent, m0=params(m0), m1=params(m1),
        em=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=lts), erange=in_range(params, col("ts", "e"), start, end),
        active=active, d0=params(date(m0 // 12, m0 % 12 + 1, 1)), d1=params(d_end),
        tm=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=local(col("ts", "t"))),
        trange=in_range(params, col("ts", "t"), start, end),
        em2=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=local(col("ts", "e"))),
        erange2=in_range(params, col("ts", "e"), start, end),
        tm2=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=local(col("ts", "t"))),
        trange2=in_range(params, col("ts", "t"), start, end),
        el=local(col("ts", "e")), tl=local(col("ts", "t")),
        d0b=params(date(m0 // 12, m0 % 12 + 1, 1)), d1b=params(d_end),
    )


def shape(rows: list[dict], names: dict[str, str]) -> MauAumResult:
    """Rows with active rates, and per-month totals over the orgs."""
    out, totals, months = [], {}, {}
    for r in rows:
        m = int(r["m"])
        month = date(m // 12, m % 12 + 1, 1).isoformat()[:7]
        if month not in months:
            months[month] = coverage(m, _day(r.get("first_day")), _day(r.get("last_day")))
        mau = None if r["mau"] is None else int(r["mau"])
        row = MauAumRow(month=month, org_code=r["org"], org_name=names.get(r["org"]), customers=int(r["customers"]),
                        mau=mau, active_rate=None if mau is None else _rate(mau, int(r["customers"])),
                        aum=None if r["aum"] is None else round(float(r["aum"]), 2),
                        net_inflow=None if r["net_inflow"] is None else round(float(r["net_inflow"]), 2))
        out.append(row)
        t = totals.setdefault(month, MauAumRow(month=month, org_code="*", org_name=None, customers=0, mau=None,
                                               active_rate=None, aum=None, net_inflow=None))
        t.customers += row.customers
        # A month's total is null only when no org has data in it (coverage is bank-wide, so all or none).
        if row.mau is not None:
            t.mau = (t.mau or 0) + row.mau
        if row.aum is not None:
            t.aum = round((t.aum or 0.0) + row.aum, 2)
        if row.net_inflow is not None:
            t.net_inflow = round((t.net_inflow or 0.0) + row.net_inflow, 2)
    for t in totals.values():
        t.active_rate = None if t.mau is None else _rate(t.mau, t.customers)
    return MauAumResult(rows=out, totals=list(totals.values()), months=list(months.values()))


def coverage(m: int, first: date | None, last: date | None) -> MauAumMonth:
    """A month's coverage: partial when data starts after its first day or stops before its last."""
    year, mon = m // 12, m % 12 + 1
    month = f"{year:04d}-{mon:02d}"
    if first is None or last is None:
        return MauAumMonth(month=month, first_day=None, last_day=None, partial=False)
    full = first.day == 1 and last.day == monthrange(year, mon)[1]
    return MauAumMonth(month=month, first_day=first, last_day=last, partial=not full)


def _day(v: object) -> date | None:
    # DuckDB returns DATE as datetime.date; be lenient about a timestamp sneaking in.
    return v if v is None or type(v) is date else v.date()  # type: ignore[union-attr]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None

"""MAU/AUM dual-track dashboard (MAU和AUM双轨运营): per month and child org, traffic next to assets.

- customers: customers of the org opened by the month's end (no open date: always counted);
- MAU: those customers with at least one behaviour event (track/page/screen, or the chosen events)
  in the bank's local month; active rate = MAU / customers;
- AUM: the sum of each customer's AUM on their last recorded day of the month; null (no data, a gap in the
  chart) for a month without any AUM snapshot of the org's customers, which is not the same as holding nothing;
- net inflow: transaction amounts in minus out during the month.
Rows are the children of `parent_org` (org codes nest by prefix); totals per month sum them.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from mofang.monitor.analytics.contracts import MauAumQuery, MauAumResult, MauAumRow
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
    child = exp.Case(ifs=ifs, default=params(parent))
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
        "FROM transactions AS t JOIN cu ON cu.customer_id = t.customer_id WHERE :trange GROUP BY m, cu.org) "
        "SELECT base.m, base.org, base.n AS customers, COALESCE(mau.n, 0) AS mau, aum.v AS aum, "
        "COALESCE(flow.v, 0) AS net_inflow FROM base LEFT JOIN mau ON mau.m = base.m AND mau.org = base.org "
        "LEFT JOIN aum ON aum.m = base.m AND aum.org = base.org "
        "LEFT JOIN flow ON flow.m = base.m AND flow.org = base.org ORDER BY base.m, base.org",
        child=child, where=where or exp.true(), in_parent=in_parent, m0=params(m0), m1=params(m1),
        em=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=lts), erange=in_range(params, col("ts", "e"), start, end),
        active=active, d0=params(date(m0 // 12, m0 % 12 + 1, 1)), d1=params(d_end),
        tm=sql("YEAR(:t) * 12 + MONTH(:t) - 1", t=local(col("ts", "t"))),
        trange=in_range(params, col("ts", "t"), start, end),
    )


def shape(rows: list[dict], names: dict[str, str]) -> MauAumResult:
    """Rows with active rates, and per-month totals over the orgs."""
    out, totals = [], {}
    for r in rows:
        m = int(r["m"])
        month = date(m // 12, m % 12 + 1, 1).isoformat()[:7]
        row = MauAumRow(month=month, org_code=r["org"], org_name=names.get(r["org"]), customers=int(r["customers"]),
                        mau=int(r["mau"]), active_rate=_rate(int(r["mau"]), int(r["customers"])),
                        aum=None if r["aum"] is None else round(float(r["aum"]), 2),
                        net_inflow=round(float(r["net_inflow"]), 2))
        out.append(row)
        t = totals.setdefault(month, MauAumRow(month=month, org_code="*", org_name=None, customers=0, mau=0,
                                               active_rate=None, aum=None, net_inflow=0.0))
        t.customers += row.customers
        t.mau += row.mau
        if row.aum is not None:  # a month's total is null only when no org has a snapshot in it
            t.aum = round((t.aum or 0.0) + row.aum, 2)
        t.net_inflow = round(t.net_inflow + row.net_inflow, 2)
    for t in totals.values():
        t.active_rate = _rate(t.mau, t.customers)
    return MauAumResult(rows=out, totals=list(totals.values()))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None

"""The global control group view (全行对照组): marketed customers against the never-marketed, month by month."""

from __future__ import annotations

from datetime import date
from typing import Any

from mofang.monitor.effects import repository as repo
from mofang.monitor.effects.contracts import GlobalControl, GlobalControlMonth
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest
from mofang.platform.governance.contracts import Scope
from mofang.strategy.experiments import MeanStats, ProportionStats, two_proportion_test, welch_test

# Membership as contact_policy.logic.in_control_group computes it: the first 8 bytes of sha256("salt:id") / 2^64.
_MEMBER = "(CAST(('0x' || substr(sha256(? || ':' || c.customer_id), 1, 16))::UBIGINT AS DOUBLE) " \
          "/ 18446744073709551616.0 < ?)"
_SQL = (
    "WITH cu AS (SELECT c.customer_id, {member} AS ctl FROM customers AS c WHERE {scope}), "
    "act AS (SELECT DISTINCT e.customer_id, strftime(e.ts + INTERVAL 8 HOUR, '%Y-%m') AS m FROM events AS e "
    "WHERE e.ts >= ? AND e.ts < ? AND e.type IN ('track', 'page', 'screen')), "
    "buy AS (SELECT DISTINCT t.customer_id, strftime(t.ts + INTERVAL 8 HOUR, '%Y-%m') AS m FROM transactions AS t "
    "WHERE t.ts >= ? AND t.ts < ? AND t.txn_type = 'purchase'), "
    "am AS (SELECT a.customer_id, strftime(a.date, '%Y-%m') AS m, ARG_MAX(a.aum, a.date) AS aum FROM aum_daily AS a "
    "WHERE a.date >= ? AND a.date < ? GROUP BY 1, 2), "
    "months AS (SELECT strftime(d, '%Y-%m') AS m FROM range(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 MONTH) "
    "AS r(d)) "
    "SELECT months.m, cu.ctl, COUNT(*) AS n, COUNT(act.customer_id) AS active, COUNT(buy.customer_id) AS adopted, "
    "COUNT(am.aum) AS aum_n, COALESCE(SUM(am.aum), 0) AS aum_sum, COALESCE(SUM(am.aum * am.aum), 0) AS aum_sq "
    "FROM months CROSS JOIN cu "
    "LEFT JOIN act ON act.customer_id = cu.customer_id AND act.m = months.m "
    "LEFT JOIN buy ON buy.customer_id = cu.customer_id AND buy.m = months.m "
    "LEFT JOIN am ON am.customer_id = cu.customer_id AND am.m = months.m "
    "GROUP BY 1, 2 ORDER BY 1, 2"
)


def _scope_sql(scope: Scope) -> tuple[str, list[Any]]:
    if scope.kind == "all":
        return "TRUE", []
    if scope.kind == "rm":
        return "c.rm_id = ?", [scope.rm_id or ""]
    return "(c.org_code = ? OR starts_with(c.org_code, ?))", [scope.org_code, scope.org_code + "-"]


def global_control(*, platform: Platform, scope: Scope, month_from: date, month_to: date) -> GlobalControl:
    """Per month: active rate, product adoption and mean AUM of the control group against everybody else."""
    m0, m1 = date(month_from.year, month_from.month, 1), date(month_to.year, month_to.month, 1)
    if not (1990 <= m0.year <= 2200 and 1990 <= m1.year <= 2200):
        raise BadRequest("months must lie between 1990 and 2200", field="month_from", code="effects.bad_period")
    if m0 > m1 or (m1.year - m0.year) * 12 + m1.month - m0.month > 36:
        raise BadRequest("give one to 36 months, the first not after the last", field="month_to",
                         code="effects.bad_period")
    end = date(m1.year + m1.month // 12, m1.month % 12 + 1, 1)
    with platform.metadata.session() as s:
        setting = repo.control_settings(s)
    percent, salt = setting if setting is not None else (0.0, "")
    where, scope_params = _scope_sql(scope)
    sql = _SQL.format(member=_MEMBER, scope=where)
    params: list[Any] = [salt, percent / 100.0, *scope_params, m0, end, m0, end, m0, end, m0, end]
    with platform.store.read() as cur:
        rows = cur.execute(sql, params).fetchall()
    by_month: dict[str, dict[bool, tuple[Any, ...]]] = {}
    for m, ctl, *rest in rows:
        by_month.setdefault(m, {})[bool(ctl)] = tuple(rest)
    months = []
    for m in sorted(by_month):
        zero = (0, 0, 0, 0, 0.0, 0.0)
        c, r = by_month[m].get(True, zero), by_month[m].get(False, zero)
        months.append(_month(m, c, r))
    return GlobalControl(percent=percent, months=months)


def _month(m: str, c: tuple[Any, ...], r: tuple[Any, ...]) -> GlobalControlMonth:
    cn, ca, cb, can, cas, caq = c
    rn, ra, rb, ran, ras, raq = r

    def rate(x: int, n: int) -> float | None:
        return x / n if n else None

    test = two_proportion_test(ProportionStats(n=int(cn), x=int(ca)), ProportionStats(n=int(rn), x=int(ra))) \
        if cn and rn else None
    aum = welch_test(MeanStats(n=int(can), sum=float(cas), sum_sq=float(caq)),
                     MeanStats(n=int(ran), sum=float(ras), sum_sq=float(raq))) if can and ran else None
    return GlobalControlMonth(
        month=m, control_customers=int(cn), rest_customers=int(rn), control_active_rate=rate(ca, cn),
        rest_active_rate=rate(ra, rn), active_lift=test, control_adoption_rate=rate(cb, cn),
        rest_adoption_rate=rate(rb, rn), control_aum_mean=float(cas) / can if can else None,
        rest_aum_mean=float(ras) / ran if ran else None, aum_difference=aum)

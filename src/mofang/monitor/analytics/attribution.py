"""归因分析 attribution: credit the touch events a customer had before each conversion, within a lookback.

Each conversion event in the range is one conversion; its touches are the customer's touch events
in [conversion - window, conversion). Credit per conversion sums to 1 under every model:
first / last touch; linear (1/n each); position-based (40% first, 40% last, 20% shared by the
middle; 50/50 for two, all for one); time decay (weight 2^(-age / half-life), normalised).
Conversions without a touch are unattributed.
"""

from __future__ import annotations

from sqlglot import exp

from mofang.monitor.analytics.contracts import AttributionQuery, AttributionResult, AttributionRow
from mofang.monitor.analytics.filters import event_condition, in_range, member_condition, prop, utc_bounds
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, col

US = 1_000_000


def build(q: AttributionQuery, *, members: exp.Select | None, params: Params) -> exp.Select:
    """Rows (conversions, attributed, touch, value, touched, first, last, linear, position, time_decay)."""
    start, end = utc_bounds(q.date_from, q.date_to)
    window_us = q.window_days * 86400 * US
    conds = [event_condition(params, t, table="e", field=f"touches[{i}]") for i, t in enumerate(q.touches)]
    which = exp.Case(ifs=[exp.If(this=c, true=exp.Literal.number(i)) for i, c in enumerate(conds)])
    value = prop(q.touch_property, "e") if q.touch_property else exp.Null()
    member = member_condition(col("customer_id", "e"), members)
    lookback = exp.and_(
        exp.GTE(this=col("ts", "e"), expression=exp.Sub(this=params(start), expression=exp.Interval(
            this=exp.Literal.string(str(q.window_days)), unit=exp.var("DAY")))),
        exp.LT(this=col("ts", "e").copy(), expression=params(end)))
    half_life_us = q.half_life_hours * 3600 * US
    return select(
        "WITH conv AS (SELECT e.customer_id AS cid, EPOCH_US(e.ts) AS ct, ROW_NUMBER() OVER () AS conv_id "
        "FROM events AS e WHERE :conv AND :range AND :member), "
        "tch AS (SELECT e.customer_id AS cid, EPOCH_US(e.ts) AS tt, :which AS touch, :value AS value "
        "FROM events AS e WHERE :any_touch AND :lookback AND :member), "
        f"pairs AS (SELECT c.conv_id, c.ct, t.tt, t.touch, t.value FROM conv AS c JOIN tch AS t ON t.cid = c.cid "
        f"AND t.tt < c.ct AND t.tt >= c.ct - {window_us}), "
        "ranked AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY conv_id ORDER BY tt, touch, value) AS r, "
        "COUNT(*) OVER (PARTITION BY conv_id) AS n, "
        f"POW(0.5, (ct - tt) / {half_life_us}) AS w FROM pairs), "
        "credited AS (SELECT conv_id, touch, value, CASE WHEN r = 1 THEN 1.0 ELSE 0.0 END AS first_c, "
        "CASE WHEN r = n THEN 1.0 ELSE 0.0 END AS last_c, 1.0 / n AS linear_c, "
        "CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5 WHEN r = 1 OR r = n THEN 0.4 ELSE 0.2 / (n - 2) END AS pos_c, "
        "w / SUM(w) OVER (PARTITION BY conv_id) AS decay_c FROM ranked), "
        "g AS (SELECT touch, value, COUNT(DISTINCT conv_id) AS touched, SUM(first_c) AS first, "
        "SUM(last_c) AS last, SUM(linear_c) AS linear, SUM(pos_c) AS position, SUM(decay_c) AS time_decay "
        "FROM credited GROUP BY touch, value) "
        "SELECT tot.conversions, tot.attributed, g.* FROM (SELECT (SELECT COUNT(*) FROM conv) AS conversions, "
        "(SELECT COUNT(DISTINCT conv_id) FROM pairs) AS attributed) AS tot LEFT JOIN g ON TRUE "
        "ORDER BY g.linear DESC NULLS LAST, g.touch, g.value",
        conv=event_condition(params, q.conversion, table="e", field="conversion"),
        range=in_range(params, col("ts", "e"), start, end), member=member, which=which, value=value,
        any_touch=exp.or_(*(c.copy() for c in conds)), lookback=lookback,
    )


def shape(q: AttributionQuery, rows: list[dict]) -> AttributionResult:
    """Credit rows per touch (and property value)."""
    if not rows:
        return AttributionResult(conversions=0, attributed=0, rows=[])
    out = [
        AttributionRow(
            touch=q.touches[int(r["touch"])].event, value=None if r["value"] is None else str(r["value"]),
            touched_conversions=int(r["touched"]), first=round(float(r["first"]), 6), last=round(float(r["last"]), 6),
            linear=round(float(r["linear"]), 6), position=round(float(r["position"]), 6),
            time_decay=round(float(r["time_decay"]), 6),
        )
        for r in rows if r["touch"] is not None
    ]
    return AttributionResult(conversions=int(rows[0]["conversions"]), attributed=int(rows[0]["attributed"]), rows=out)

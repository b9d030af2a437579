"""事件分析 trends: totals, unique customers, per-customer average or a numeric property per local bucket.

Each series is one SELECT with GROUPING SETS ((bucket, grp), (grp)): the rows with a NULL bucket
are whole-range totals, so unique customers over the range are counted once, not summed per day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlglot
from sqlglot import exp

from mofang.monitor.analytics import periods as cal
from mofang.monitor.analytics.contracts import TrendLine, TrendSeries, TrendsQuery, TrendsResult
from mofang.monitor.analytics.filters import (
    bucket,
    event_condition,
    group_value,
    in_range,
    member_condition,
    number,
    prop,
    utc_bounds,
)
from mofang.platform.storage.sql import Params, and_, col

TEXT = exp.DataType.build("VARCHAR")


def _measure(s: TrendSeries) -> exp.Expression:
    """The aggregate of one series."""
    cid = col("customer_id", "e")
    if s.measure == "total":
        return exp.Count(this=exp.Star())
    if s.measure == "uniques":
        return exp.Count(this=exp.Distinct(expressions=[cid]))
    if s.measure == "per_customer":
        return exp.Div(this=exp.Cast(this=exp.Count(this=exp.Star()), to=exp.DataType.build("DOUBLE")),
                       expression=exp.Nullif(this=exp.Count(this=exp.Distinct(expressions=[cid])),
                                             expression=exp.Literal.number(0)))
    value = number(prop(s.property or "", "e"))
    return {"sum": exp.Sum, "avg": exp.Avg, "max": exp.Max}[s.measure](this=value)


def build_series(q: TrendsQuery, index: int, *, members: exp.Select | None, params: Params,
                 date_from: date | None = None, date_to: date | None = None) -> exp.Select:
    """Rows (bucket, grp, value) of series `index`; bucket NULL = the whole range."""
    s = q.series[index]
    start, end = utc_bounds(date_from or q.date_from, date_to or q.date_to)
    if q.group_by is None:
        grp: exp.Expression = exp.Null()
    elif q.group_by.kind == "property":
        grp = prop(q.group_by.name, "e")
    else:
        grp = exp.Cast(this=group_value(q.group_by.name, "c"), to=TEXT.copy())
    query = (
        sqlglot.select(exp.alias_(bucket(col("ts", "e"), q.granularity), "bucket"), exp.alias_(grp, "grp"),
                       exp.alias_(_measure(s), "value"))
        .from_(exp.alias_(exp.to_table("events"), "e", table=True))
    )
    if q.group_by is not None and q.group_by.kind == "attribute":
        query = query.join(exp.alias_(exp.to_table("customers"), "c", table=True), join_type="left",
                           on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "e")))
    query = query.where(and_(
        event_condition(params, s, table="e", field=f"series[{index}]"),
        in_range(params, col("ts", "e"), start, end),
        member_condition(col("customer_id", "e"), members),
    ))
    return query.group_by("GROUPING SETS ((bucket, grp), (grp))")


def previous_range(q: TrendsQuery) -> tuple[date, date]:
    """The period of equal length just before the range."""
    days = (q.date_to - q.date_from).days + 1
    return q.date_from - timedelta(days=days), q.date_from - timedelta(days=1)


def shape_lines(q: TrendsQuery, per_series: list[list[dict]], date_from: date, date_to: date) -> tuple[
        list[str], list[TrendLine]]:
    """Bucket labels and one line per series and group (missing buckets are 0; top groups by total)."""
    starts = cal.buckets(date_from, date_to, q.granularity)
    pos = {b: i for i, b in enumerate(starts)}
    lines: list[TrendLine] = []
    for idx, rows in enumerate(per_series):
        s = q.series[idx]
        groups: dict[str | None, TrendLine] = {}
        for r in rows:
            g = None if r["grp"] is None else str(r["grp"])
            line = groups.setdefault(g, TrendLine(series=idx, event=s.event, measure=s.measure, group=g,
                                                  values=[0.0] * len(starts), total=0.0))
            v = float(r["value"] or 0)
            if r["bucket"] is None:
                line.total = v
            else:
                b = r["bucket"] if isinstance(r["bucket"], datetime) else datetime.fromisoformat(str(r["bucket"]))
                if b in pos:
                    line.values[pos[b]] = v
        ordered = sorted(groups.values(), key=lambda ln: (-ln.total, str(ln.group)))
        lines += ordered[: q.group_by.limit] if q.group_by is not None else ordered
        if not groups and q.group_by is None:
            lines.append(TrendLine(series=idx, event=s.event, measure=s.measure, group=None,
                                   values=[0.0] * len(starts), total=0.0))
    return [cal.label(b, q.granularity) for b in starts], lines


def shape(q: TrendsQuery, current: list[list[dict]], previous: list[list[dict]] | None) -> TrendsResult:
    """The trends response, with the previous period aligned bucket by bucket when asked."""
    buckets, lines = shape_lines(q, current, q.date_from, q.date_to)
    if previous is None:
        return TrendsResult(buckets=buckets, lines=lines)
    p_from, p_to = previous_range(q)
    p_buckets, p_lines = shape_lines(q, previous, p_from, p_to)
    return TrendsResult(buckets=buckets, lines=lines, previous_buckets=p_buckets, previous=p_lines)

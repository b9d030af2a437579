"""漏斗分析 funnel: the deepest step each customer reaches from any first-step event within the window.

Semantics (ordered mode, the default) are those of ClickHouse `windowFunnel(window, 'strict_once')` on
whole seconds: an event stands for one (event, step) pair per step it matches, pairs are taken in
(time, step) order; step k+1 must be a later pair than step k (same second allowed), no later than
the first step's time + window (the boundary is included), and an attempt uses an event at most once.
The first step must happen inside the date range; later steps may complete up to a window after its
end. Each customer counts once, at the deepest step of their best attempt. (The default mode lets an
event matching two steps count as both, so `A → A` would convert every A: see docs/decisions.md.)

`strict`: step k+1 must be the customer's very next event after step k (any event interrupts).
`any_order`: the count at position k is the customers who did at least k distinct steps within one
window, in any order (no time between steps then). Exclusion steps (ordered only): an attempt that
meets the exclusion event after reaching `from_step` and no later than reaching `to_step` stops
there; the customer still counts at the steps already reached.

Group by a property (`group_by.kind == "property"`): the value of that property on the first-step event
that starts the customer's deepest attempt — the attempt by which they first reached their deepest step
(ordered and strict: the latest start that still reaches it, as the pass keeps; any order: the first
first-step event in the earliest window reaching that depth). Several first-step events in that same
second: the smallest value as text. Customers whose deepest attempt has no first-step event (any order
only) fall under no value.

Median time between steps k and k+1: over customers reaching k+1, the time from first reaching k
to first reaching k+1.

Build, then run: `build` makes the pre-filter query (one row per relevant event: customer code,
seconds from range start, step bitmask); `funnel_pass.run` makes the sorted pass per customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
import sqlglot
from sqlglot import exp

from mofang.monitor.analytics.contracts import FunnelGroup, FunnelQuery, FunnelResult, FunnelStep
from mofang.monitor.analytics.filters import event_condition, group_value, prop, utc_bounds
from mofang.monitor.analytics.funnel_pass import FunnelSpec, PerCustomer, layout, summarise
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, and_, col

US = 1_000_000


def build(q: FunnelQuery, *, where: exp.Expression | None, params: Params, everyone: bool = False) -> exp.Select:
    """One row per relevant event: customer code, whole seconds from range start, step/exclusion bitmask.

    `where` restricts `customers AS c` (scope and customer filters); `everyone` (population "all_users")
    counts every user with an id instead, known customer or not, coded by `users`.
    """
    start, end = utc_bounds(q.date_from, q.date_to)
    conds = [event_condition(params, s, table="e", field=f"steps[{i}]") for i, s in enumerate(q.steps)]
    conds += [event_condition(params, x, table="e", field=f"exclusions[{j}]") for j, x in enumerate(q.exclusions)]
    mask = exp.Cast(this=exp.paren(_sum(exp.Case(ifs=[exp.If(this=c, true=exp.Literal.number(1 << i))],
                                                default=exp.Literal.number(0)) for i, c in enumerate(conds))),
                    to=exp.DataType.build("INT"))
    since = exp.Sub(this=exp.func("epoch_us", col("ts", "e")), expression=params(_us(start)))
    seconds = exp.IntDiv(this=exp.paren(since), expression=exp.Literal.number(US))
    filters: list[exp.Expression | None] = [
        exp.GTE(this=col("ts", "e"), expression=params(start)),
        exp.LT(this=col("ts", "e"), expression=params(end + timedelta(seconds=q.window_seconds()))),
    ]
    if q.mode != "strict":
        # Only step and exclusion events matter; strict mode needs every event as a possible interruption.
        names = sorted({s.event for s in q.steps} | {x.event for x in q.exclusions})
        filters.append(exp.In(this=col("event", "e"), expressions=[params(v) for v in names]))
    else:
        filters.append(exp.NEQ(this=col("type", "e"), expression=params("identify")))
    filters.append(None if everyone else where)
    rows = (
        sqlglot.select(exp.alias_(_code(everyone), "code"), exp.alias_(seconds, "t"), exp.alias_(mask, "mask"))
        .from_(exp.alias_(exp.to_table("events"), "e", table=True))
        .join(_people(q, params, everyone), on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "e")))
        .where(and_(*filters))
    )
    lay = layout(spec_of(q))
    if lay is None:
        return rows
    # One int64 per event that sorts as (customer, second, lowest step): the pass sorts it in one go.
    a, b, c = lay.shifts
    lowest = " ".join(f"WHEN mask & {1 << i} <> 0 THEN {i + 1}" for i in range(len(q.steps)))
    return select(f"SELECT (code << {a}) | (t << {b}) | ((CASE {lowest} ELSE 0 END) << {c}) | mask AS key "
                  "FROM (:rows) AS r", rows=rows)


def users(q: FunnelQuery, params: Params) -> exp.Select:
    """Every user id with an event in the funnel's time span, numbered in id order (the same in every query)."""
    start, end = utc_bounds(q.date_from, q.date_to)
    ids = sqlglot.select(col("customer_id")).distinct().from_("events").where(and_(
        exp.GTE(this=col("ts"), expression=params(start)),
        exp.LT(this=col("ts"), expression=params(end + timedelta(seconds=q.window_seconds()))),
        exp.Not(this=exp.Is(this=col("customer_id"), expression=exp.Null()))))
    number = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[exp.Ordered(this=col("customer_id"))]))
    return sqlglot.select(col("customer_id"), exp.alias_(number, "code")).from_(exp.alias_(exp.Subquery(this=ids),
                                                                                            "i", table=True))


def _people(q: FunnelQuery, params: Params, everyone: bool, alias: str = "c") -> exp.Expression:
    """`customers AS c`, or with `everyone` the numbered `users` as c."""
    if everyone:
        return exp.alias_(exp.Subquery(this=users(q, params)), alias, table=True)
    return exp.alias_(exp.to_table("customers"), alias, table=True)


def _code(everyone: bool, alias: str = "c") -> exp.Expression:
    """The customer code column of `_people`."""
    return col("code" if everyone else "rowid", alias)


def _sum(items: Iterable[exp.Expression]) -> exp.Expression:
    """a + b + ... of expressions."""
    out = None
    for e in items:
        out = e if out is None else exp.Add(this=out, expression=e)
    assert out is not None
    return out


def _us(ts: datetime) -> int:
    """Microseconds since the epoch of a naive UTC time."""
    return int((ts - datetime(1970, 1, 1)).total_seconds()) * US


def spec_of(q: FunnelQuery) -> FunnelSpec:
    """What the pass needs of the query."""
    start, end = utc_bounds(q.date_from, q.date_to)
    n = len(q.steps)
    return FunnelSpec(steps=n, window=q.window_seconds(), span=int((end - start).total_seconds()), mode=q.mode,
                      exclusions=tuple((x.from_step, x.to_step or n) for x in q.exclusions),
                      track_start=q.group_by is not None and q.group_by.kind == "property")


def build_groups(q: FunnelQuery, *, where: exp.Expression | None, params: Params,
                 everyone: bool = False) -> exp.Select:
    """Customer code -> group value (text) for the group-by attribute (no value for unidentified users)."""
    assert q.group_by is not None
    value = exp.Cast(this=group_value(q.group_by.name, "c"), to=exp.DataType.build("VARCHAR"))
    if everyone:
        known = exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "u"))
        return (sqlglot.select(exp.alias_(_code(True, "u"), "code"), exp.alias_(value, "grp"))
                .from_(_people(q, params, True, "u"))
                .join(exp.alias_(exp.to_table("customers"), "c", table=True), join_type="left", on=known))
    query = sqlglot.select(exp.alias_(col("rowid", "c"), "code"), exp.alias_(value, "grp")).from_(
        exp.alias_(exp.to_table("customers"), "c", table=True))
    return query.where(where) if where is not None else query


# The (customer code, start second) pairs the pass found, registered on the cursor as an in-memory table for
# the value lookup to join on: a million customers would make a bound list far too slow and large.
STARTS = "mofang_funnel_starts"


def start_pairs(pc: PerCustomer) -> dict[str, np.ndarray]:
    """Columns `code` and `t` of the customers whose deepest attempt has a first-step start (for `STARTS`)."""
    assert pc.start is not None
    ok = pc.start >= 0
    return {"code": pc.codes[ok].astype(np.int64), "t": pc.start[ok].astype(np.int64)}


def build_start_values(q: FunnelQuery, *, params: Params, everyone: bool = False) -> exp.Select:
    """Customer code -> the group-by property of its first-step events at its start second (smallest text).

    Joins the `STARTS` table (from `start_pairs`), which the caller registers while the query runs.
    """
    assert q.group_by is not None
    start, end = utc_bounds(q.date_from, q.date_to)
    since = exp.Sub(this=exp.func("epoch_us", col("ts", "e")), expression=params(_us(start)))
    seconds = exp.IntDiv(this=exp.paren(since), expression=exp.Literal.number(US))
    code = _code(everyone)
    value = exp.Cast(this=prop(q.group_by.name, "e"), to=exp.DataType.build("VARCHAR"))
    conds: list[exp.Expression | None] = [
        event_condition(params, q.steps[0], table="e", field="steps[0]"),
        exp.GTE(this=col("ts", "e"), expression=params(start)),
        exp.LT(this=col("ts", "e"), expression=params(end + timedelta(seconds=q.window_seconds()))),
    ]
    # Only the customers and seconds the pass found (they are already in scope and the filter).
    on_start = exp.and_(exp.EQ(this=col("code", "s"), expression=code.copy()),
                        exp.EQ(this=col("t", "s"), expression=seconds))
    return (
        sqlglot.select(exp.alias_(code.copy(), "code"), exp.alias_(exp.func("min", value), "grp"))
        .from_(exp.alias_(exp.to_table("events"), "e", table=True))
        .join(_people(q, params, everyone), on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "e")))
        .join(exp.alias_(exp.to_table(STARTS), "s", table=True), on=on_start)
        .where(and_(*conds))
        .group_by(code.copy())
    )


def build_customer_ids(codes: list[int], *, params: Params) -> exp.Select:
    """Customer ids of customer codes (rowids) from the pass."""
    return sqlglot.select(col("customer_id")).from_("customers").where(
        exp.In(this=col("rowid"), query=exp.Subquery(this=sqlglot.select(exp.Explode(this=params(codes))))))


def build_clickhouse(q: FunnelQuery, *, params: Params) -> exp.Select:
    """The same ordered funnel for ClickHouse with `windowFunnel(…, 'strict_once')` (scale-out store; compared in
    the benchmark and the chdb tests)."""
    if q.mode != "ordered" or q.exclusions or q.group_by is not None:
        raise ValueError("the ClickHouse form covers ordered funnels without exclusions or groups")
    n = len(q.steps)
    start, end = utc_bounds(q.date_from, q.date_to)
    steps = [event_condition(params, s, field=f"steps[{i}]") for i, s in enumerate(q.steps)]
    steps[0] = exp.and_(steps[0], exp.LT(this=col("ts"), expression=params(end)))
    names = sorted({s.event for s in q.steps})
    holes = {f"s{i}": c for i, c in enumerate(steps)}
    conds = ", ".join(f":s{i}" for i in range(n))
    levels = ", ".join(f"countIf(level >= {i}) AS c{i}" for i in range(1, n + 1))
    return select(
        f"SELECT {levels} FROM (SELECT customer_id, windowFunnel({q.window_seconds()}, 'strict_once')"
        f"(toDateTime(ts), {conds}) "
        f"AS level FROM events WHERE :range AND :names GROUP BY customer_id)",
        range=exp.and_(exp.GTE(this=col("ts"), expression=params(start)),
                       exp.LT(this=col("ts"), expression=params(end + timedelta(seconds=q.window_seconds())))),
        names=exp.In(this=col("event"), expressions=[params(v) for v in names]), read="clickhouse", **holes,
    )


def shape(q: FunnelQuery, pc: PerCustomer, groups: dict[int, str | None] | None = None) -> FunnelResult:
    """Counts and conversion rates per step, overall first and then the largest groups."""
    out = []
    if groups is not None and q.group_by is not None:
        labels = np.array([groups.get(int(c)) for c in pc.codes], dtype=object)
        names = {v for v in labels.tolist()}
        parts = [(name, labels == name) for name in names]
        if q.group_by.kind == "property":
            # Customers who never started (no first step in range) have no first-step value to be grouped by.
            parts = [(name, rows & (pc.depth > 0)) for name, rows in parts]
            parts = [p for p in parts if p[1].any()]
        parts.sort(key=lambda p: (-int((pc.reached[p[1], 0] >= 0).sum()), str(p[0])))
        out = [_group(q, *summarise(pc, rows), None if name is None else str(name))
               for name, rows in parts[: q.group_by.limit]]
    return FunnelResult(overall=_group(q, *summarise(pc), None), groups=out)


def _group(q: FunnelQuery, counts: list[int], medians: list[float | None], group: str | None) -> FunnelGroup:
    """One funnel from its counts and median gaps (seconds)."""
    steps = []
    for i, spec in enumerate(q.steps):
        prev = counts[i - 1] if i else counts[0]
        steps.append(FunnelStep(
            step=i + 1, event=spec.event, customers=counts[i],
            conversion_from_first=_rate(counts[i], counts[0]), conversion_from_previous=_rate(counts[i], prev),
            dropped=(prev - counts[i]) if i else 0,
            median_seconds_from_previous=medians[i] if q.mode != "any_order" else None,
        ))
    return FunnelGroup(group=group, steps=steps)


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0

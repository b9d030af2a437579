"""Attribute metrics: customer counts and AUM/age aggregates at the end of a bank day, within a scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlglot
from sqlglot import exp

from mofang.monitor.alerts.contracts import MetricDefinition
from mofang.monitor.analytics import repository as analytics_repo
from mofang.monitor.analytics.contracts import GroupBy
from mofang.monitor.analytics.filters import TEXT, attribute, customer_set, table
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, and_, col


def _aum_as_of(day: date, params: Params) -> exp.Select:
    """Each customer's AUM at the end of `day`: the latest `aum_daily` snapshot on or before it.

    Written here rather than reusing the segment compiler's as-of expression: that one falls back to the
    customer row's current AUM, which would leak today's balance into a past window.
    """
    latest = exp.alias_(exp.Anonymous(this="arg_max", expressions=[col("aum", "h"), col("date", "h")]), "aum")
    return (sqlglot.select(col("customer_id", "h"), latest).from_(table("aum_daily", "h"))
            .where(exp.LTE(this=col("date", "h"), expression=params(day))).group_by(col("customer_id", "h")))


def query(definition: MetricDefinition, *, scope: Scope, day: date, sets: Any,
          dimension: GroupBy | None = None) -> tuple[exp.Select, Params]:
    """Rows (grp, value): the attribute aggregate over customers opened by `day` (grp NULL without dimension)."""
    params = Params()
    members = customer_set(params, scope=scope, customers=definition.customers, sets=sets)
    source = definition.attribute_measure
    x: exp.Expression | None = None
    if source != "customers" and definition.attribute == "aum":
        x = col("aum", "h")
    elif source != "customers":
        x = attribute("age", "c")  # age is current: the catalogue derives it from today's date
    value = {"customers": exp.Count(this=col("customer_id", "c")), "sum": exp.Sum(this=x),
             "avg": exp.Avg(this=x)}[source]
    grp: exp.Expression = (exp.Null() if dimension is None
                           else exp.Cast(this=attribute(dimension.name, "c"), to=TEXT.copy()))
    q = sqlglot.select(exp.alias_(grp, "grp"), exp.alias_(value, "value")).from_(table("customers", "c"))
    if x is not None and definition.attribute == "aum":
        q = q.join(exp.Subquery(this=_aum_as_of(day, params), alias=exp.TableAlias(this=exp.to_identifier("h"))),
                   on=exp.EQ(this=col("customer_id", "h"), expression=col("customer_id", "c")), join_type="left")
    opened = exp.or_(exp.Is(this=col("open_date", "c"), expression=exp.Null()),
                     exp.LTE(this=col("open_date", "c"), expression=params(day)))
    member = None if members is None else exp.In(this=col("customer_id", "c"), query=exp.Subquery(this=members))
    q = q.where(and_(opened, member))
    return (q.group_by(exp.column("grp")) if dimension is not None else q), params


def rows(store: EventStore, definition: MetricDefinition, *, scope: Scope, day: date, sets: Any,
         dimension: GroupBy | None = None) -> list[dict[str, Any]]:
    """The aggregate at the end of `day` (one row, or one per group)."""
    q, params = query(definition, scope=scope, day=day, sets=sets, dimension=dimension)
    return analytics_repo.rows(store, q, params)


def value(store: EventStore, definition: MetricDefinition, *, scope: Scope, day: date, sets: Any) -> float:
    """The aggregate at the end of `day` (0 when no customer contributes)."""
    got = rows(store, definition, scope=scope, day=day, sets=sets)
    v = got[0]["value"] if got else None
    return 0.0 if v is None else float(v)


def has_snapshots(store: EventStore, day: date) -> bool:
    """Whether any AUM snapshot was taken on `day` (an attribute metric's day "with data" for baselines)."""
    params = Params()
    q = sqlglot.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(table("aum_daily", "h")).where(
        exp.EQ(this=col("date", "h"), expression=params(day)))
    return bool(analytics_repo.rows(store, q, params)[0]["n"])

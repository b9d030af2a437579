"""Compile tag rules into ONE wide query: a row per customer, a text column per tag (`t<id>`).

Behaviour aggregates of all tags (and of the behaviour conditions inside rule tags) are grouped by
(source, event): each group is one scan of that event's rows in the union of its windows, with one
GROUP BY customer and the aggregates FILTERed only by what differs (a narrower window, property
filters). A FILTER costs a pass over its group's rows, so grouping by event keeps the work
proportional to the rows each tag really needs. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlglot
from sqlglot import exp

from mofang.insight.catalogue import LIFECYCLE_STAGES, LOCAL_UTC_OFFSET_HOURS, RFM_CLASSES, WEEKDAYS, Catalogue
from mofang.insight.segments import (
    CUSTOMER,
    Context,
    attribute_expr,
    check_event,
    condition,
    customers,
    property_expr,
    property_filters,
    table,
    window_bounds,
)
from mofang.insight.segments.contracts import BehaviourCondition, PropertyFilter, Window
from mofang.insight.tags.contracts import (
    AggregateRule,
    AttributeRule,
    Band,
    ImportedRule,
    LifecycleRule,
    ModelRule,
    RfmRule,
    RuleRule,
    TagRule,
    TimingRule,
)
from mofang.platform.errors import Invalid
from mofang.platform.storage.sql import Params, and_, col

ZERO_DEFAULT = ("count", "distinct", "sum")
Span = tuple[datetime, datetime]


@dataclass
class Agg:
    """One aggregate of a (source, event) group: its window and extra row predicates."""

    alias: str
    expr: exp.Expression
    window: Span
    preds: list[exp.Expression]


@dataclass
class Pieces:
    """Aggregates collected while compiling the tags of one run (values bound into `params`)."""

    params: Params
    groups: dict[tuple[str, str | None], list[Agg]] = field(default_factory=dict)
    # count(DISTINCT) and mode over open-ended values get a two-level GROUP BY of their own: per-group
    # hash sets inside one big aggregate cost gigabytes at a million customers.
    separate: list[tuple[str, exp.Select]] = field(default_factory=list)
    counter: int = 0

    def alias_of(self, source: str, event: str | None) -> str:
        """The table alias of a group's subquery."""
        return f"g{list(self.groups).index((source, event))}"


def computed(rule: TagRule) -> bool:
    """Whether the tag is computed by runs (model and imported tags are written from outside)."""
    return not isinstance(rule, ModelRule | ImportedRule)


def value_type(rule: TagRule, catalogue: Catalogue) -> str:
    """The type of a tag's values: string, number or date."""
    match rule:
        case AttributeRule():
            if rule.bands or rule.mapping:
                return "string"
            info = catalogue.attribute(rule.field)
            return "number" if info and info.type == "number" else "date" if info and info.type == "date" else "string"
        case AggregateRule():
            if rule.bands:
                return "string"
            if rule.agg in ("count", "distinct", "sum", "avg", "min", "max"):
                return "number"
            if rule.property is None:
                return "date"
            info = catalogue.property(rule.source, rule.event, rule.property)
            return "number" if info and info.type == "number" else "string"
        case TimingRule():
            return "string" if rule.measure == "active_weekday" else "number"
        case ModelRule() | ImportedRule():
            return rule.value_type
        case _:
            return "string"


# ---------------------------------------------------------------------------------------------- aggregates


def _agg(pieces: Pieces, source: str, event: str | None, window: Span, preds: list[exp.Expression],
         agg: exp.Expression) -> exp.Expression:
    """Register an aggregate of one event's rows; returns the column that will hold it."""
    pieces.counter += 1
    alias = f"a{pieces.counter}"
    if (isinstance(agg, exp.Count) and isinstance(agg.this, exp.Distinct)) or (
            isinstance(agg, exp.Anonymous) and agg.name.lower() == "mode"):
        return _separate(pieces, source, event, window, preds, agg, alias)
    group = pieces.groups.setdefault((source, event), [])
    group.append(Agg(alias=alias, expr=agg, window=window, preds=preds))
    return col(alias, pieces.alias_of(source, event))


def _rows(source: str, event: str | None, window: Span, params: Params) -> list[exp.Expression]:
    name_col = "event" if source == "events" else "txn_type"
    return [
        exp.Not(this=exp.Is(this=col("customer_id", "e"), expression=exp.Null())),
        *([exp.EQ(this=col(name_col, "e"), expression=params(event))] if event is not None else []),
        exp.GTE(this=col("ts", "e"), expression=params(window[0])),
        exp.LT(this=col("ts", "e"), expression=params(window[1])),
    ]


def _table(source: str) -> exp.Table:
    return table("events" if source == "events" else "transactions", "e")


def _separate(pieces: Pieces, source: str, event: str | None, window: Span, preds: list[exp.Expression],
              agg: exp.Expression, alias: str) -> exp.Expression:
    """count(DISTINCT x) or mode(x) as DISTINCT/GROUP BY (customer, x) then GROUP BY customer."""
    x = agg.this.expressions[0] if isinstance(agg, exp.Count) else agg.expressions[0]
    where = [*_rows(source, event, window, pieces.params), *preds,
             exp.Not(this=exp.Is(this=x.copy(), expression=exp.Null()))]
    inner = sqlglot.select(col("customer_id", "e"), exp.alias_(x.copy(), "x")).from_(_table(source)).where(
        exp.and_(*where))
    if isinstance(agg, exp.Count):
        inner = inner.distinct()
        value: exp.Expression = exp.Count(this=exp.Star())
    else:
        inner = inner.select(exp.alias_(exp.Count(this=exp.Star()), "n")).group_by(exp.Literal.number(1),
                                                                                   exp.Literal.number(2))
        # Ties broken by the value itself, so an unchanged history gives an unchanged mode.
        value = exp.First(this=exp.Order(this=col("x"), expressions=[
            exp.Ordered(this=col("n"), desc=True, nulls_first=False), exp.Ordered(this=col("x"), nulls_first=False)]))
    query = sqlglot.select(col("customer_id"), exp.alias_(value, "v")).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("i")))).group_by(col("customer_id"))
    pieces.separate.append((alias, query))
    return col("v", alias)


def _fused_measures(pieces: Pieces, ctx: Context) -> Any:
    """The hook that turns behaviour conditions inside tag rules into columns of the group scans."""

    def hook(cond: BehaviourCondition, measure: exp.Expression, preds: list[exp.Expression]) -> exp.Expression:
        if isinstance(measure, exp.Coalesce):  # sum's default of 0 is applied by the caller
            measure = measure.this
        return _agg(pieces, cond.source, cond.event, window_bounds(cond.window, ctx.today), preds, measure)

    return hook


# ---------------------------------------------------------------------------------------------- values


def _bands(x: exp.Expression, bands: list[Band], params: Params) -> exp.Expression:
    case = exp.Case().when(exp.Is(this=x, expression=exp.Null()), exp.Null())
    for b in bands[:-1]:
        case = case.when(exp.LT(this=x.copy(), expression=params(b.lt)), params(b.label), copy=False)
    return case.else_(params(bands[-1].label))


def _text(x: exp.Expression, vtype: str) -> exp.Expression:
    """Values are stored as text (numbers rounded so unchanged values compare equal day to day)."""
    if vtype == "number":
        x = exp.Anonymous(this="round", expressions=[exp.Cast(this=x, to=exp.DataType.build("DOUBLE")),
                                                     exp.Literal.number(4)])
    return exp.Cast(this=x, to=exp.DataType.build("VARCHAR"))


def _scan(source: str, event: str | None, filters: list[PropertyFilter], window: Window, ctx: Context,
          params: Params, path: str) -> tuple[Span, list[exp.Expression]]:
    check_event(source, event, ctx, path)
    return window_bounds(window, ctx.today), property_filters(source, event, filters, ctx, params, path)


def tag_column(rule: TagRule, ctx: Context, params: Params, pieces: Pieces, path: str = "rule") -> exp.Expression:
    """The value expression (text) of one tag, registering the aggregates it needs."""
    vtype = value_type(rule, ctx.catalogue)
    match rule:
        case AttributeRule():
            info = ctx.catalogue.attribute(rule.field)
            if info is None:
                raise Invalid(f"unknown attribute '{rule.field}'", field=f"{path}.field", code="attribute.unknown",
                              params={"field": rule.field})
            x = attribute_expr(rule.field, ctx.today, params, past=ctx.past, kind=info.type)
            if rule.bands:
                if info.type != "number":
                    raise Invalid(f"bands need a number attribute, '{rule.field}' is {info.type}",
                                  field=f"{path}.bands", code="bands.needs_number")
                return _bands(x, rule.bands, params)
            if rule.mapping:
                case = exp.Case()
                for k, v in rule.mapping.items():
                    case = case.when(exp.EQ(this=exp.Cast(this=x.copy(), to=exp.DataType.build("VARCHAR")),
                                            expression=params(k)), params(v), copy=False)
                return case
            return _text(x, vtype)
        case AggregateRule():
            return _aggregate(rule, ctx, params, pieces, path, vtype)
        case RuleRule() | LifecycleRule():
            if isinstance(rule, LifecycleRule):
                for i, c in enumerate(rule.cases):
                    if c.value not in LIFECYCLE_STAGES:
                        raise Invalid(f"'{c.value}' is not a lifecycle stage ({'/'.join(LIFECYCLE_STAGES)})",
                                      field=f"{path}.cases.{i}.value", code="lifecycle.unknown_stage",
                                      params={"value": c.value})
            case = exp.Case()
            for i, c in enumerate(rule.cases):
                when = condition(c.when, ctx, params, path=f"{path}.cases.{i}.when")
                case = case.when(when, params(c.value), copy=False)
            return case.else_(params(rule.default)) if rule.default is not None else case
        case RfmRule():
            return _rfm(rule, ctx, params, pieces, path)
        case TimingRule():
            return _timing(rule, ctx, params, pieces, path)
        case ModelRule() | ImportedRule():
            raise Invalid("model and imported tags are written, not computed", field=f"{path}.kind")
    raise AssertionError(f"unhandled rule {type(rule).__name__}")  # pragma: no cover


def _aggregate(rule: AggregateRule, ctx: Context, params: Params, pieces: Pieces, path: str, vtype: str
               ) -> exp.Expression:
    window, preds = _scan(rule.source, rule.event, rule.filters, rule.window, ctx, params, path)
    if rule.agg == "count":
        agg: exp.Expression = exp.Count(this=exp.Star())
    elif rule.property is None:
        if rule.agg not in ("first", "last"):
            raise Invalid(f"'{rule.agg}' needs a property", field=f"{path}.property", code="measure.needs_property")
        agg = (exp.Min if rule.agg == "first" else exp.Max)(this=col("ts", "e"))
    else:
        info = ctx.catalogue.property(rule.source, rule.event, rule.property)
        if info is None:
            raise Invalid(f"unknown property '{rule.property}'", field=f"{path}.property", code="property.unknown",
                          params={"property": rule.property})
        p = property_expr(rule.source, info, params, "e")
        if rule.agg in ("sum", "avg", "min", "max") and info.type != "number":
            raise Invalid(f"'{rule.agg}' needs a number property", field=f"{path}.property",
                          code="measure.needs_number", params={"property": rule.property})
        agg = {
            "sum": lambda: exp.Sum(this=p), "avg": lambda: exp.Avg(this=p), "min": lambda: exp.Min(this=p),
            "max": lambda: exp.Max(this=p), "distinct": lambda: exp.Count(this=exp.Distinct(expressions=[p])),
            "first": lambda: exp.Anonymous(this="arg_min", expressions=[p, col("ts", "e")]),
            "last": lambda: exp.Anonymous(this="arg_max", expressions=[p, col("ts", "e")]),
            "mode": lambda: exp.Anonymous(this="mode", expressions=[p]),
        }[rule.agg]()
    x = _agg(pieces, rule.source, rule.event, window, preds, agg)
    if rule.property is None and rule.agg in ("first", "last"):
        x = exp.Cast(this=x, to=exp.DataType.build("DATE"))
    if rule.agg in ZERO_DEFAULT:
        x = exp.Coalesce(this=x, expressions=[exp.Literal.number(0)])
    return _bands(x, rule.bands, params) if rule.bands else _text(x, vtype)


def _median_or(x: exp.Expression, threshold: float | None, params: Params) -> exp.Expression:
    if threshold is not None:
        return params(threshold)
    return exp.Window(this=exp.Anonymous(this="median", expressions=[x]), partition_by=[])


def _rfm(rule: RfmRule, ctx: Context, params: Params, pieces: Pieces, path: str) -> exp.Expression:
    window, preds = _scan(rule.source, rule.event, rule.filters, rule.window, ctx, params, path)
    info = ctx.catalogue.property(rule.source, rule.event, rule.property)
    if info is None or info.type != "number":
        raise Invalid(f"monetary needs a number property, not '{rule.property}'", field=f"{path}.property",
                      code="measure.needs_number", params={"property": rule.property or ""})
    last = _agg(pieces, rule.source, rule.event, window, preds, exp.Max(this=col("ts", "e")))
    freq = _agg(pieces, rule.source, rule.event, window, preds, exp.Count(this=exp.Star()))
    money = _agg(pieces, rule.source, rule.event, window, preds,
                 exp.Sum(this=property_expr(rule.source, info, params, "e")))
    recency = exp.DateDiff(this=params(ctx.today), expression=exp.Cast(this=last, to=exp.DataType.build("DATE")),
                           unit=exp.var("DAY"))
    active = exp.GT(this=freq.copy(), expression=exp.Literal.number(0))
    active_f = exp.Case().when(active.copy(), freq.copy())
    active_m = exp.Case().when(active.copy(), exp.Coalesce(this=money.copy(), expressions=[exp.Literal.number(0)]))
    r_high = exp.LTE(this=recency.copy(), expression=_median_or(recency.copy(), rule.recency_days, params))
    f_high = exp.GTE(this=active_f.copy(), expression=_median_or(active_f.copy(), rule.frequency, params))
    m_high = exp.GTE(this=active_m.copy(), expression=_median_or(active_m.copy(), rule.monetary, params))
    # Customers without activity in the window are low on all three: 一般挽留客户.
    flags = [exp.Coalesce(this=x, expressions=[exp.false()]) for x in (r_high, f_high, m_high)]
    case = exp.Case()
    for (r, f, m), label in RFM_CLASSES.items():
        test = exp.and_(*[x.copy() if want else exp.Not(this=x.copy())
                          for x, want in zip(flags, (r, f, m), strict=True)])
        case = case.when(test, params(label), copy=False)
    return case


def _timing(rule: TimingRule, ctx: Context, params: Params, pieces: Pieces, path: str) -> exp.Expression:
    source = "transactions" if rule.measure == "payday" else "events"
    event = rule.event or ("salary" if source == "transactions" else None)
    window, preds = _scan(source, event, [], rule.window, ctx, params, path)
    part = {"payday": "day", "active_hour": "hour", "active_weekday": "isodow"}[rule.measure]
    local = exp.Add(this=col("ts", "e"), expression=exp.Anonymous(
        this="to_hours", expressions=[exp.Literal.number(LOCAL_UTC_OFFSET_HOURS)]))
    mode = _agg(pieces, source, event, window, preds,
                exp.Anonymous(this="mode", expressions=[exp.Anonymous(this=part, expressions=[local])]))
    if rule.measure != "active_weekday":
        return _text(mode, "number")
    return exp.Anonymous(this="list_extract", expressions=[params(list(WEEKDAYS)), mode])


# ---------------------------------------------------------------------------------------------- the query


def _group_query(source: str, event: str | None, aggs: list[Agg], params: Params) -> exp.Select:
    """One scan of an event's rows over the union of its aggregates' windows, grouped by customer."""
    span = (min(a.window[0] for a in aggs), max(a.window[1] for a in aggs))
    selects = [col("customer_id", "e")]
    for a in aggs:
        narrower = [] if a.window == span else [exp.GTE(this=col("ts", "e"), expression=params(a.window[0])),
                                                  exp.LT(this=col("ts", "e"), expression=params(a.window[1]))]
        extra = and_(*narrower, *a.preds)
        expr = a.expr if extra is None else exp.Filter(this=a.expr, expression=exp.Where(this=extra))
        selects.append(exp.alias_(expr, a.alias))
    return (sqlglot.select(*selects).from_(_table(source)).where(exp.and_(*_rows(source, event, span, params)))
            .group_by(col("customer_id", "e")))


def wide_query(tags: list[tuple[int, TagRule]], ctx: Context, params: Params) -> exp.Select:
    """customer_id plus one text column `t<id>` per computed tag, for every customer."""
    pieces = Pieces(params=params)
    ctx = replace(ctx, measure_hook=_fused_measures(pieces, ctx))
    columns = [exp.alias_(tag_column(rule, ctx, params, pieces, path=f"tags.{tid}.rule"), f"t{tid}")
               for tid, rule in tags]
    query = sqlglot.select(col("customer_id", CUSTOMER), *columns).from_(customers())
    subqueries = [(alias, q) for alias, q in pieces.separate]
    subqueries += [(pieces.alias_of(src, ev), _group_query(src, ev, aggs, params))
                   for (src, ev), aggs in pieces.groups.items()]
    for alias, sub_query in subqueries:
        sub = exp.Subquery(this=sub_query, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        # In place: the builder's default copy of the whole growing query per join is quadratic.
        query = query.join(sub, on=exp.EQ(this=col("customer_id", alias), expression=col("customer_id", CUSTOMER)),
                           join_type="left", copy=False)
    return query


def validate(rule: TagRule, ctx: Context) -> None:
    """Raise Invalid (naming the field) when a computed rule does not compile against the catalogue."""
    if computed(rule):
        params = Params()
        pieces = Pieces(params=params)
        tag_column(rule, replace(ctx, measure_hook=_fused_measures(pieces, ctx)), params, pieces)

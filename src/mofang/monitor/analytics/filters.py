"""Filters, time buckets and the scoped customer set, compiled to sqlglot expressions with bound values.

Events are stored in naive UTC; the bank's day is Asia/Shanghai (UTC+8, no daylight saving since
1991), so local time is `ts + 8 hours` — a fixed offset keeps the SQL identical on DuckDB and ClickHouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import sqlglot
from sqlglot import exp

from mofang.monitor.analytics.contracts import (
    ATTRIBUTES,
    AttributeFilter,
    CustomerFilter,
    CustomerSets,
    EventSpec,
    Granularity,
    Population,
    PropertyFilter,
    Value,
)
from mofang.platform.errors import Forbidden, Invalid
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.sql import Params, and_, col

LOCAL_OFFSET = timedelta(hours=8)
TEXT = exp.DataType.build("VARCHAR")
DOUBLE = exp.DataType.build("DOUBLE")


def utc_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """UTC [start, end) of the bank days date_from..date_to (both included)."""
    start = datetime(date_from.year, date_from.month, date_from.day) - LOCAL_OFFSET
    return start, datetime(date_to.year, date_to.month, date_to.day) + timedelta(days=1) - LOCAL_OFFSET


def local(ts: exp.Expression) -> exp.Expression:
    """A UTC timestamp moved to the bank's wall clock."""
    return exp.Add(this=ts, expression=exp.Interval(this=exp.Literal.string("8"), unit=exp.var("HOUR")))


def bucket(ts: exp.Expression, granularity: Granularity) -> exp.Expression:
    """Start of the local hour/day/week (Monday)/month holding a UTC timestamp."""
    return exp.func("date_trunc", exp.Literal.string(granularity), local(ts))


def epoch_seconds(ts: exp.Expression) -> exp.Expression:
    """Seconds since 1970 of a timestamp."""
    return exp.func("epoch", ts)


def prop(name: str, table: str | None = None) -> exp.Expression:
    """The text of an event property; `name` was validated as a dotted identifier."""
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *(exp.JSONPathKey(this=k) for k in name.split("."))])
    return exp.JSONExtractScalar(this=col("properties", table), expression=path)


def number(e: exp.Expression) -> exp.Expression:
    """A value read as a number, NULL when it is not one."""
    return exp.TryCast(this=e, to=DOUBLE.copy())


def attribute(name: str, table: str | None = "c") -> exp.Expression:
    """A customer attribute from the catalogue (age is derived from the birth date)."""
    if name not in ATTRIBUTES:
        raise Invalid(f"unknown customer attribute '{name}'", field="attribute", code="attribute.unknown",
                      params={"field": name})
    if name == "age":
        days = exp.func("date_diff", exp.Literal.string("day"), col("birth_date", table), exp.CurrentDate())
        return exp.Floor(this=exp.Div(this=days, expression=exp.Literal.number(365.25)))
    return col(name, table)


def group_value(name: str, table: str | None = "c") -> exp.Expression:
    """A customer attribute as results show it: a birth date only as its year (the full date identifies)."""
    if name == "birth_date":
        return exp.func("year", attribute(name, table))
    return attribute(name, table)


def _text(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _compare(
    params: Params, expr: exp.Expression, op: str, value: Value, *, kind: str, field: str
) -> exp.Expression:
    """One condition `expr op value`; `kind` is how the value is compared (text, number, date, json)."""
    if op == "is_set":
        return exp.Not(this=exp.Is(this=expr, expression=exp.Null()))
    if op == "is_not_set":
        return exp.Is(this=expr, expression=exp.Null())
    if value is None:
        raise Invalid(f"operator '{op}' needs a value", field=f"{field}.value", code="value.missing")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > 1000:
            raise Invalid(f"operator '{op}' needs a list of 1 to 1000 values", field=f"{field}.value",
                          code="value.list", params={"max": 1000})
        numeric = kind == "number" or (kind == "json" and all(_is_num(v) for v in value))
        target = number(expr) if numeric and kind == "json" else expr
        items = [params(float(v) if numeric else _coerce(v, kind, field)) for v in value]
        inside = exp.In(this=target, expressions=items)
        if op == "in":
            return inside
        return exp.or_(exp.Is(this=expr.copy(), expression=exp.Null()), exp.Not(this=inside))
    if isinstance(value, list):
        raise Invalid(f"operator '{op}' takes one value, not a list", field=f"{field}.value", code="value.one")
    if op == "contains":
        return exp.GT(this=exp.StrPosition(this=exp.Cast(this=expr, to=TEXT.copy()), substr=params(_text(value))),
                      expression=exp.Literal.number(0))
    ordered = op in ("gt", "gte", "lt", "lte")
    if kind == "json" and (ordered or _is_num(value)):
        if not _is_num(value):
            raise Invalid(f"operator '{op}' compares numbers", field=f"{field}.value", code="value.number")
        expr, bound = number(expr), params(float(value))
    elif kind == "text" and ordered:
        raise Invalid(f"operator '{op}' does not apply to a text attribute", field=f"{field}.op",
                      code="op.not_applicable", params={"op": op})
    else:
        bound = params(_coerce(value, kind, field))
    cls = {"eq": exp.EQ, "neq": exp.NullSafeNEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}[op]
    return cls(this=expr, expression=bound)


def _coerce(v: Any, kind: str, field: str) -> Any:
    """A bound value of the right type for the compared column."""
    if kind == "number":
        if not _is_num(v):
            raise Invalid("expected a number", field=f"{field}.value", code="value.number")
        return float(v)
    if kind == "date":
        try:
            return date.fromisoformat(str(v))
        except ValueError:
            raise Invalid("expected a date (YYYY-MM-DD)", field=f"{field}.value", code="value.date") from None
    return _text(v)


def property_condition(params: Params, f: PropertyFilter, *, table: str | None = None,
                       field: str = "filters") -> exp.Expression:
    """An event-property filter as a condition."""
    return _compare(params, prop(f.property, table), f.op, f.value, kind="json", field=field)


def attribute_condition(params: Params, f: AttributeFilter, *, table: str | None = "c",
                        field: str = "customers.attributes") -> exp.Expression:
    """A customer-attribute filter as a condition."""
    return _compare(params, attribute(f.attribute, table), f.op, f.value, kind=ATTRIBUTES[f.attribute], field=field)


def event_condition(params: Params, spec: EventSpec, *, table: str | None = None,
                    field: str = "event") -> exp.Expression:
    """Event name plus its property filters."""
    name = exp.EQ(this=col("event", table), expression=params(spec.event))
    conds = [property_condition(params, f, table=table, field=f"{field}.filters[{i}]")
             for i, f in enumerate(spec.filters)]
    return and_(name, *conds)  # type: ignore[return-value]


def customer_conditions(
    params: Params, *, scope: Scope, customers: CustomerFilter, sets: CustomerSets | None,
) -> exp.Expression | None:
    """Conditions on `customers AS c`: the user's scope, attribute filters, segments and tags (None: nobody out)."""
    conds: list[exp.Expression | None] = [scope.predicate(params, table="c")]
    conds += [attribute_condition(params, f, field=f"customers.attributes[{i}]")
              for i, f in enumerate(customers.attributes)]
    if customers.segment_ids or customers.tags:
        if sets is None:
            field = "customers.segment_ids" if customers.segment_ids else "customers.tags"
            raise Invalid("segments and tags are not available on this installation", field=field)
        cid = col("customer_id", "c")
        for i, sid in enumerate(customers.segment_ids):
            with at_field(f"customers.segment_ids[{i}]"):
                members = sets.segment_members(sid, params=params, scope=scope)
            conds.append(exp.In(this=cid.copy(), query=exp.Subquery(this=members)))
        for i, t in enumerate(customers.tags):
            with at_field(f"customers.tags[{i}].tag"):
                members = sets.tag_members(t.tag, t.value, params=params)
            conds.append(exp.In(this=cid.copy(), query=exp.Subquery(this=members)))
    return and_(*conds)


@contextmanager
def at_field(field: str) -> Iterator[None]:
    """Name the analysis field at fault when a segment or tag it refers to is refused (not the segment's own)."""
    try:
        yield
    except Invalid as exc:
        raise Invalid(exc.message, field=field, code=exc.code, params=exc.params) from exc


def customer_set(
    params: Params, *, scope: Scope, customers: CustomerFilter, sets: CustomerSets | None,
    population: Population = "customers",
) -> exp.Select | None:
    """The users an event model counts — THE population rule, for every model (docs/analytics.md).

    `SELECT customer_id` of the known customers in the user's scope matching the filter (the default);
    None — every user with a userId, known customer or not — only for `population="all_users"` asked by a
    user who sees the whole bank, without a customer filter (an unidentified user has no attributes, tags or
    segments, so a customer filter selects customers either way).
    """
    if population == "all_users":
        if scope.kind != "all":
            raise Forbidden("only users who see the whole bank may include unidentified users (they belong "
                            "to no branch)", field="population", code="analytics.population_scope")
        if not (customers.attributes or customers.tags or customers.segment_ids):
            return None
    where = customer_conditions(params, scope=scope, customers=customers, sets=sets)
    query = sqlglot.select(col("customer_id", "c")).from_(table("customers", "c"))
    return query.where(where) if where is not None else query


def member_condition(column: exp.Expression, members: exp.Select | None) -> exp.Expression:
    """Restrict an event's user to the population from `customer_set` (None: any user with an id)."""
    if members is None:
        return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
    return exp.In(this=column, query=exp.Subquery(this=members.copy()))


def in_range(params: Params, ts: exp.Expression, start: datetime, end: datetime) -> exp.Expression:
    """start <= ts < end (UTC)."""
    return exp.and_(exp.GTE(this=ts, expression=params(start)), exp.LT(this=ts.copy(), expression=params(end)))


def table(name: str, alias: str | None = None) -> exp.Expression:
    """A table reference (names are ours, never a user's)."""
    t = exp.to_table(name)
    return exp.alias_(t, alias, table=True) if alias else t


def cte(query: exp.Select, name: str, body: exp.Expression) -> exp.Select:
    """Attach a WITH entry."""
    return query.with_(name, as_=body)

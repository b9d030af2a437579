"""Queries over `customers c` narrowed by a predicate and, always, by the viewer's scope."""

from __future__ import annotations

from datetime import date

import sqlglot
from sqlglot import exp

from mofang.insight.catalogue import TAG_VALUES
from mofang.insight.segments.compiler import CUSTOMER, attribute_expr, customers, table, tag_as_of
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.sql import Params, and_, col


def scoped_where(pred: exp.Expression | None, scope: Scope, params: Params) -> exp.Expression | None:
    """The viewer's scope AND the predicate: the one way every customer-level query is narrowed."""
    return and_(scope.predicate(params, table=CUSTOMER), pred)


def estimate_query(pred: exp.Expression, scope: Scope, params: Params) -> exp.Select:
    """Matching customers and all customers inside the scope, in one statement."""
    total = sqlglot.select(exp.Count(this=exp.Star())).from_(customers())
    scope_only = scoped_where(None, scope, params)
    if scope_only is not None:
        total = total.where(scope_only)
    query = sqlglot.select(exp.alias_(exp.Count(this=exp.Star()), "n"),
                           exp.alias_(exp.Subquery(this=total), "total")).from_(customers())
    return query.where(scoped_where(pred, scope, params))


def count_query(pred: exp.Expression | None, scope: Scope, params: Params) -> exp.Select:
    """How many customers in scope satisfy the predicate."""
    query = sqlglot.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(customers())
    where = scoped_where(pred, scope, params)
    return query.where(where) if where is not None else query


MEMBER_COLUMNS = ("customer_id", "name", "gender", "birth_date", "phone_masked", "province", "city", "tier",
                  "risk_level", "aum", "org_code", "rm_id")


def members_query(pred: exp.Expression | None, scope: Scope, params: Params, *, limit: int | None = None,
                  offset: int = 0) -> exp.Select:
    """Member rows (display columns only: PII stays masked), largest AUM first."""
    query = sqlglot.select(*(col(c, CUSTOMER) for c in MEMBER_COLUMNS)).from_(customers())
    where = scoped_where(pred, scope, params)
    if where is not None:
        query = query.where(where)
    query = query.order_by(exp.Ordered(this=col("aum", CUSTOMER), desc=True, nulls_first=False),
                           col("customer_id", CUSTOMER))
    if limit is not None:
        query = query.limit(params(limit)).offset(params(offset))
    return query


def ids_query(pred: exp.Expression | None, scope: Scope, params: Params) -> exp.Select:
    """Just the member ids."""
    query = sqlglot.select(col("customer_id", CUSTOMER)).from_(customers())
    where = scoped_where(pred, scope, params)
    return query.where(where) if where is not None else query


AGE_BANDS = ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"))


def composition_query(pred: exp.Expression | None, scope: Scope, params: Params, *, today: date,
                      lifecycle_tag_id: int | None) -> exp.Select:
    """(dim, value, n) rows for each composition dimension, over members computed once."""
    age = attribute_expr("age", today, params)
    band = exp.Case(default=exp.Literal.string("65+")).when(exp.Is(this=age, expression=exp.Null()), exp.Null())
    for upper, label in AGE_BANDS:
        below = exp.LT(this=age.copy(), expression=exp.Literal.number(upper))
        band = band.when(below, exp.Literal.string(label), copy=False)
    cols: list[exp.Expression] = [col(c, CUSTOMER) for c in ("customer_id", "gender", "province", "tier",
                                                               "risk_level")]
    cols.append(exp.alias_(band, "age_band"))
    members = sqlglot.select(*cols).from_(customers())
    where = scoped_where(pred, scope, params)
    if where is not None:
        members = members.where(where)

    def dim(name: str, value: exp.Expression, source: exp.Select | None = None) -> exp.Select:
        q = source or sqlglot.select().from_(table("m", "m"))
        return q.select(exp.alias_(exp.Literal.string(name), "dim"),
                        exp.alias_(exp.Cast(this=value, to=exp.DataType.build("VARCHAR")), "value"),
                        exp.alias_(exp.Count(this=exp.Star()), "n")).group_by(value.copy())

    parts = [dim(d, col(d, "m")) for d in ("age_band", "gender", "province", "tier", "risk_level")]
    held = exp.Count(this=exp.Distinct(expressions=[col("customer_id", "h")]))
    parts.append(
        sqlglot.select(exp.alias_(exp.Literal.string("product_type"), "dim"),
                       exp.alias_(exp.Cast(this=col("product_type", "p"), to=exp.DataType.build("VARCHAR")), "value"),
                       exp.alias_(held, "n"))
        .from_(table("holdings", "h"))
        .join(table("products", "p"), on=exp.EQ(this=col("product_id", "p"), expression=col("product_id", "h")))
        .join(table("m", "m"), on=exp.EQ(this=col("customer_id", "m"), expression=col("customer_id", "h")))
        .group_by(col("product_type", "p"))
    )
    if lifecycle_tag_id is not None:
        stages = (
            sqlglot.select().from_(table("m", "m"))
            .join(table(TAG_VALUES, "t"), on=exp.and_(exp.EQ(this=col("customer_id", "t"),
                                                             expression=col("customer_id", "m")),
                                                      tag_as_of(lifecycle_tag_id, None, params)), join_type="left")
        )
        parts.append(dim("lifecycle", col("value", "t"), stages))
    union: exp.Expression = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False)
    total = sqlglot.select(exp.alias_(exp.Literal.string("_total"), "dim"),
                           exp.alias_(exp.Literal.string(""), "value"),
                           exp.alias_(exp.Count(this=exp.Star()), "n")).from_(table("m", "m"))
    union = exp.union(union, total, distinct=False)
    return sqlglot.select("*").from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("u")))
                                     ).with_("m", as_=members, materialized=True)

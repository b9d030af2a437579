"""属性分析 customer properties: distribution of one attribute or tag, or a cross-tab of two, with AUM."""

from __future__ import annotations

from sqlglot import exp

from mofang.monitor.analytics import buckets
from mofang.monitor.analytics.contracts import CustomerSets, Dimension, PropertiesQuery, PropertiesResult, PropertyCell
from mofang.monitor.analytics.filters import at_field, group_value
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.errors import Invalid
from mofang.platform.storage.sql import Params, col

TEXT = exp.DataType.build("VARCHAR")


def _dimension(d: Dimension, i: int, *, params: Params, sets: CustomerSets | None) -> exp.Expression:
    """The text value of a dimension for `customers AS c` (numbers bucketed, tags as yes/no)."""
    if d.tag is not None:
        if sets is None:
            raise Invalid("tags are not available on this installation", field=f"dimensions[{i}].tag")
        with at_field(f"dimensions[{i}].tag"):
            members = sets.tag_members(d.tag, None, params=params)
        member = exp.In(this=col("customer_id", "c"), query=exp.Subquery(this=members))
        return exp.Case(ifs=[exp.If(this=member, true=exp.Literal.string("yes"))], default=exp.Literal.string("no"))
    value = group_value(d.attribute or "", "c")
    if d.edges:
        names = [text for text, _, _ in buckets.labels(d.edges, integer=False)]
        ifs = [exp.If(this=exp.LT(this=value.copy(), expression=exp.Literal.number(e)),
                      true=exp.Literal.string(names[k])) for k, e in enumerate(d.edges)]
        return exp.Case(ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null()), *ifs],
                        default=exp.Literal.string(names[-1]))
    return exp.Cast(this=value, to=TEXT.copy())


def build(q: PropertiesQuery, *, where: exp.Expression | None, params: Params,
          sets: CustomerSets | None) -> exp.Select:
    """Rows (v0[, v1], overall, customers, aum): overall = 1 on the total row."""
    dims = [_dimension(d, i, params=params, sets=sets) for i, d in enumerate(q.dimensions)]
    names = ", ".join(f":d{i} AS v{i}" for i in range(len(dims)))
    keys = ", ".join(f"v{i}" for i in range(len(dims)))
    return select(
        f"SELECT {names}, GROUPING({keys}) AS overall, COUNT(*) AS customers, COALESCE(SUM(c.aum), 0) AS aum "
        f"FROM customers AS c WHERE :where GROUP BY GROUPING SETS (({keys}), ())",
        where=where or exp.true(), **{f"d{i}": d for i, d in enumerate(dims)},
    )


def shape(q: PropertiesQuery, rows: list[dict]) -> PropertiesResult:
    """Cells largest first, with their share of all customers."""
    total = next((r for r in rows if r["overall"]), None)
    n = int(total["customers"]) if total else 0
    cells = [r for r in rows if not r["overall"]]
    cells.sort(key=lambda r: (-int(r["customers"]), [str(r[f"v{i}"]) for i in range(len(q.dimensions))]))
    return PropertiesResult(customers=n, cells=[
        PropertyCell(values=[None if r[f"v{i}"] is None else str(r[f"v{i}"]) for i in range(len(q.dimensions))],
                     customers=int(r["customers"]), aum=float(r["aum"] or 0),
                     share=round(int(r["customers"]) / n, 6) if n else 0.0)
        for r in cells[: q.limit]
    ])

"""SQL skeletons written as text with `:name` holes, filled with built expressions.

Only our own identifiers and integers are ever formatted into a skeleton; everything that comes
from a user (event names, property values, attribute filters) enters as an expression with bound
values through a hole, so the result is still one sqlglot tree.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

HOLE = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
PREFIX = "__hole_"


def sql(template: str, *, read: str = "duckdb", **parts: exp.Expression) -> exp.Expression:
    """Parse a skeleton (DuckDB syntax unless `read` says otherwise) and fill its `:name` holes."""
    # Holes become marker columns first, so a hole may stand anywhere a column may (even after SELECT).
    tree = sqlglot.parse_one(HOLE.sub(lambda m: PREFIX + m.group(1), template), read=read)
    holes = {c.name[len(PREFIX):] for c in tree.find_all(exp.Column, exp.Table) if c.name.startswith(PREFIX)}
    missing = holes - parts.keys()
    if missing:
        raise KeyError(f"unfilled holes: {sorted(missing)}")

    def _fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column | exp.Table) and not node.args.get("table") and node.name.startswith(PREFIX):
            return parts[node.name[len(PREFIX):]].copy()
        return node

    return tree.transform(_fill)


def select(template: str, *, read: str = "duckdb", **parts: exp.Expression) -> exp.Select:
    """Like `sql`, for a SELECT (WITH included; a UNION passes too)."""
    tree = sql(template, read=read, **parts)
    assert isinstance(tree, exp.Select | exp.Union), "the skeleton is not a query"
    return tree  # type: ignore[return-value]


def render(query: exp.Expression) -> str:
    """The DuckDB text of a query, pretty-printed (what snapshot tests compare)."""
    return query.sql(dialect="duckdb", pretty=True)


def inline(query: exp.Expression, values: dict[str, object]) -> exp.Expression:
    """A copy with bound values written in as literals (for engines driven without parameters, e.g. chdb)."""

    def _sub(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.this in values:
            return exp.convert(values[node.this])
        return node

    return query.copy().transform(_sub)

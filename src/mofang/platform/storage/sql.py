"""Queries as sqlglot expressions with named bound parameters; no user text is ever spliced in."""

from __future__ import annotations

from typing import Any

from sqlglot import exp


class Params:
    """Collects bound values and hands out the named parameter markers that refer to them."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> exp.Placeholder:
        """Bind `value` and return the parameter marker that refers to it."""
        name = f"p{len(self.values)}"
        self.values[name] = value
        return exp.Placeholder(this=name)


def col(name: str, table: str | None = None) -> exp.Column:
    """A column reference; `name` must come from a catalogue, never from a user."""
    return exp.column(name, table=table)


def and_(*conds: exp.Expression | None) -> exp.Expression | None:
    """AND of the conditions that are not None (None when there are none)."""
    present = [c for c in conds if c is not None]
    if not present:
        return None
    return exp.and_(*present) if len(present) > 1 else present[0]


def compile_query(query: exp.Expression, params: Params, dialect: str = "duckdb") -> tuple[str, dict[str, Any]]:
    """Render the expression for a dialect along with its bound values."""
    return query.sql(dialect=dialect), dict(params.values)

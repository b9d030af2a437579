"""Values in conditions: checked against the field's type and operator, always bound as parameters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlglot import exp

from mofang.insight.catalogue import OPERATORS
from mofang.platform.errors import Invalid
from mofang.platform.storage.sql import Params

MAX_LIST = 1000


def number(v: Any, path: str) -> float:
    """A number (not a bool), or Invalid naming the path."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise Invalid(f"{path} must be a number", field=path, code="value.number")
    return float(v) if isinstance(v, float) else v


def scalar(v: Any, type_: str, path: str) -> Any:
    """Coerce one value to the field's type, or say which value is wrong."""
    if type_ == "number":
        return number(v, path)
    if type_ == "bool":
        if not isinstance(v, bool):
            raise Invalid(f"{path} must be true or false", field=path, code="value.bool")
        return v
    if type_ == "date":
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        raise Invalid(f"{path} must be a date (YYYY-MM-DD)", field=path, code="value.date")
    if not isinstance(v, str) or len(v) > 256:
        raise Invalid(f"{path} must be a text value of at most 256 characters", field=path, code="value.text",
                      params={"max": 256})
    return v


def values_of(v: Any, type_: str, path: str, *, n: int | None = None) -> list[Any]:
    """A non-empty list of values of the type (exactly n when given)."""
    if not isinstance(v, list) or not v or len(v) > MAX_LIST or (n is not None and len(v) != n):
        want = f"a list of {n} values" if n else f"a list of 1 to {MAX_LIST} values"
        raise Invalid(f"{path} must be {want}", field=path, code="value.list_n" if n else "value.list",
                      params={"n": n} if n else {"max": MAX_LIST})
    return [scalar(x, type_, f"{path}.{i}") for i, x in enumerate(v)]


def compare(expr: exp.Expression, op: str, value: Any, type_: str, params: Params, path: str, *,
            today: date, name: str) -> exp.Expression:
    """`expr op value` for a field of `type_`, with the operator checked against the type."""
    if op not in OPERATORS[type_]:
        raise Invalid(f"operator '{op}' does not apply to {type_} field '{name}' "
                      f"(one of: {', '.join(OPERATORS[type_])})", field=f"{path}.op", code="op.not_applicable",
                      params={"op": op, "field": name})
    vpath = f"{path}.value"
    match op:
        case "is_null":
            return exp.Is(this=expr, expression=exp.Null())
        case "is_not_null":
            return exp.Not(this=exp.Is(this=expr, expression=exp.Null()))
        case "between":
            lo, hi = values_of(value, type_, vpath, n=2)
            return exp.Between(this=expr, low=params(lo), high=params(hi))
        case "in" | "not_in":
            inner = exp.In(this=expr, expressions=[params(x) for x in values_of(value, type_, vpath)])
            return inner if op == "in" else exp.Not(this=inner)
        case "contains":
            return exp.Anonymous(this="contains", expressions=[expr, params(scalar(value, type_, vpath))])
        case "within_last_days":
            days = number(value, vpath)
            if days < 1 or days != int(days):
                raise Invalid(f"{vpath} must be a whole number of days ≥ 1", field=vpath, code="value.days")
            return exp.Between(this=expr, low=params(today - timedelta(days=int(days) - 1)), high=params(today))
        case _:
            return binary(op, expr, params(scalar(value, type_, vpath)))


def binary(op: str, left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """A comparison node for an operator name."""
    cls = {"eq": exp.EQ, "neq": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}[op]
    return cls(this=left, expression=right)


def count_compare(expr: exp.Expression, op: str, value: Any, params: Params, path: str) -> exp.Expression:
    """A measure compared with a number (between takes [low, high])."""
    if op == "between":
        lo, hi = values_of(value, "number", f"{path}.value", n=2)
        return exp.Between(this=expr, low=params(lo), high=params(hi))
    return binary(op, expr, params(number(value, f"{path}.value")))


def holds_for_zero(op: str, value: Any) -> bool:
    """Whether `0 op value` is true: then customers who never did it match too."""
    if op == "between":
        lo, hi = value
        return lo <= 0 <= hi
    return {"eq": value == 0, "neq": value != 0, "gt": value < 0, "gte": value <= 0, "lt": value > 0,
            "lte": value >= 0}[op]

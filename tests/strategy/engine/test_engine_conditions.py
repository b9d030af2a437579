"""Conditions evaluated in memory by the engine mean what the same condition means in a segment (DuckDB)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from mofang.insight.catalogue import OPERATORS
from mofang.insight.segments.values import compare as compile_compare
from mofang.platform.storage.sql import Params, col
from mofang.strategy.engine.conditions import compare, lookup

TODAY = date(2026, 3, 2)
SQL_TYPES = {"string": "VARCHAR", "number": "DOUBLE", "date": "DATE", "bool": "BOOLEAN"}
scalars = {
    "string": st.sampled_from(["fund", "fun", "loan", "FUND", "", "基金"]),
    "number": st.one_of(st.integers(-5, 5), st.sampled_from([0.5, 50000, 49999.99])),
    "date": st.dates(min_value=TODAY - timedelta(days=40), max_value=TODAY + timedelta(days=3)),
    "bool": st.booleans(),
}


@st.composite
def typed_cases(draw: st.DrawFn) -> tuple[str, str, Any, Any]:
    """(type, op, actual, value) as a validated segment condition would have them."""
    type_ = draw(st.sampled_from(sorted(OPERATORS)))
    op = draw(st.sampled_from(OPERATORS[type_]))
    actual = draw(st.one_of(st.none(), scalars[type_]))
    one = scalars[type_]
    match op:
        case "between":
            value: Any = draw(st.lists(one, min_size=2, max_size=2))
        case "in" | "not_in":
            value = draw(st.lists(one, min_size=1, max_size=3))
        case "within_last_days":
            value = draw(st.integers(1, 35))
        case "is_null" | "is_not_null":
            value = None
        case _:
            value = draw(one)
    return type_, op, actual, value


def in_duckdb(type_: str, op: str, actual: Any, value: Any) -> bool:
    """The segment compiler's predicate for `v op value`, run on one row (NULL counts as false, as in a WHERE)."""
    params = Params()
    pred = compile_compare(col("v"), op, value, type_, params, "c", today=TODAY, name="v")
    row = exp.select(exp.Cast(this=params(actual), to=exp.DataType.build(SQL_TYPES[type_])).as_("v"))
    query = exp.select(exp.Coalesce(this=pred, expressions=[exp.false()])).from_(row.subquery("t"))
    return duckdb.execute(query.sql(dialect="duckdb"), params.values).fetchone()[0]


@settings(max_examples=400, deadline=None)
@given(typed_cases())
def test_same_answer_as_the_segment_compiler(case):
    type_, op, actual, value = case
    assert compare(actual, op, value, today=TODAY) is in_duckdb(type_, op, actual, value)


@pytest.mark.parametrize(("actual", "op", "value"), [
    ("50000", "gte", 50000),  # text is not a number
    (True, "eq", 1),  # a bool is not a number
    (50000, "eq", "50000"),
    (5, "contains", "5"),
    ({"a": 1}, "eq", {"a": 1}),
    (5, "between", 5),  # a malformed value
    (5, "in", 5),
    (5, "neq", "x"),  # mismatched types are false, even for neq
    (None, "not_in", ["a"]),  # NULL matches nothing but is_null
    ("not a date", "within_last_days", 3),
    ("2026-03-01", "within_last_days", 0),
    (5, "like", 5),  # unknown operator
])
def test_mismatched_types_and_bad_values_are_false_never_an_error(actual, op, value):
    assert compare(actual, op, value, today=TODAY) is False


@pytest.mark.parametrize(("actual", "op", "value", "expected"), [
    (["deposit", "fund"], "eq", "fund", True),  # a multi-valued tag matches when one value does
    (["deposit", "fund"], "in", ["loan", "fund"], True),
    (["deposit"], "neq", "deposit", False),
    ([], "is_null", None, True),
    (["x"], "is_not_null", None, True),
    ("2026-02-25", "within_last_days", 7, True),  # ISO strings from JSON are dates
    ("2026-02-25T23:00:00+00:00", "gte", "2026-02-25", True),
    (date(2026, 2, 23), "within_last_days", 7, False),  # 7 days ago: outside the last 7 days
    ("abc", "contains", "b", True),
])
def test_values_from_profiles_and_payloads(actual, op, value, expected):
    assert compare(actual, op, value, today=TODAY) is expected


def test_lookup_reads_dotted_paths_but_prefers_an_exact_key():
    props = {"device": {"os": "ios"}, "device.os": "flat"}
    assert lookup(props, "device.os") == "flat"
    assert lookup({"device": {"os": "ios"}}, "device.os") == "ios"
    assert lookup({"device": "ios"}, "device.os") is None

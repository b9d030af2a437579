"""Conditions evaluated in memory: a 条件分支's tree on the customer's facts, event property filters.

The operators mean what they mean in segments (`insight.segments.compiler`), evaluated on Python values instead of
compiled to SQL: a missing value is NULL (only `is_null` holds), values of mismatched types never match (no
exception, no coercion of "50000" to 50000), a multi-valued value (a tag with several values) matches when one of
its values does, like the segment's `customer_id IN (rows where …)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from mofang.insight.segments.contracts import PropertyFilter
from mofang.strategy.canvas.contracts import AllOf, AttributeIs, Condition, InSegment, NotOf, TagIs, TriggerIs
from mofang.strategy.engine.contracts import Facts


def lookup(properties: Mapping[str, Any], name: str) -> Any:
    """A property by its name, or by a dotted path into nested objects (None when absent)."""
    if name in properties:
        return properties[name]
    node: Any = properties
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _as_date(v: Any, tz: ZoneInfo | None) -> date | None:
    if isinstance(v, datetime):
        return v.astimezone(tz).date() if (tz is not None and v.tzinfo is not None) else v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def _pair(a: Any, b: Any, tz: ZoneInfo | None) -> tuple[Any, Any] | None:
    """Both values in one comparable type, or None when their types do not match."""
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if _is_number(a) and _is_number(b):
        return (float(a), float(b))
    if isinstance(a, date) or isinstance(b, date):  # datetime is a date too
        da, db = _as_date(a, tz), _as_date(b, tz)
        return (da, db) if da is not None and db is not None else None
    if isinstance(a, str) and isinstance(b, str):
        return (a, b)
    return None


def _ordered(pair: tuple[Any, Any] | None) -> bool:
    return pair is not None and not isinstance(pair[0], bool)


def _one(actual: Any, op: str, value: Any, today: date | None, tz: ZoneInfo | None) -> bool:
    """`actual op value` for one (non-NULL, single) value."""
    match op:
        case "eq" | "neq" | "gt" | "gte" | "lt" | "lte":
            pair = _pair(actual, value, tz)
            if pair is None or (op not in ("eq", "neq") and not _ordered(pair)):
                return False
            a, b = pair
            return {"eq": a == b, "neq": a != b, "gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
        case "between":
            if not isinstance(value, list | tuple) or len(value) != 2:
                return False
            return _one(actual, "gte", value[0], today, tz) and _one(actual, "lte", value[1], today, tz)
        case "in":
            return isinstance(value, list | tuple) and any(_one(actual, "eq", v, today, tz) for v in value)
        case "not_in":
            return isinstance(value, list | tuple) and all(_one(actual, "neq", v, today, tz) for v in value)
        case "contains":
            return isinstance(actual, str) and isinstance(value, str) and value in actual
        case "within_last_days":
            day = _as_date(actual, tz)
            if day is None or today is None or not _is_number(value) or value < 1 or value != int(value):
                return False
            return 0 <= (today - day).days <= int(value) - 1
        case _:
            return False


def compare(actual: Any, op: str, value: Any, *, today: date | None = None, tz: ZoneInfo | None = None) -> bool:
    """Whether a value satisfies `op value`; never raises (unknown operators and mismatched types are false)."""
    many = isinstance(actual, list | tuple | set | frozenset)
    if op == "is_null":
        return actual is None or (many and not actual)
    if op == "is_not_null":
        return actual is not None and not (many and not actual)
    if actual is None:
        return False
    if many:
        return any(x is not None and _one(x, op, value, today, tz) for x in actual)
    return _one(actual, op, value, today, tz)


def filters_match(filters: Sequence[PropertyFilter], properties: Mapping[str, Any], *, today: date | None = None,
                  tz: ZoneInfo | None = None) -> bool:
    """Whether every property filter holds on an event's (or payload's) properties."""
    return all(compare(lookup(properties, f.property), f.op, f.value, today=today, tz=tz) for f in filters)


def holds(condition: Condition, *, facts: Facts, trigger: Mapping[str, Any], today: date,
          tz: ZoneInfo | None = None) -> bool:
    """Whether a 条件分支 condition holds for the customer now."""
    match condition:
        case AttributeIs():
            actual = facts.attributes.get(condition.field)
            return compare(actual, condition.op, condition.value, today=today, tz=tz)
        case TagIs():
            return compare(facts.tags.get(condition.tag), condition.op, condition.value, today=today, tz=tz)
        case InSegment():
            return (condition.segment_id in facts.segments) == condition.member
        case TriggerIs():
            return compare(lookup(trigger, condition.property), condition.op, condition.value, today=today, tz=tz)
        case AllOf():
            results = (holds(c, facts=facts, trigger=trigger, today=today, tz=tz) for c in condition.conditions)
            return all(results) if condition.match == "all" else any(results)
        case NotOf():
            return not holds(condition.condition, facts=facts, trigger=trigger, today=today, tz=tz)
        case _:
            assert_never(condition)

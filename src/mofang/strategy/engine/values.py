"""Small pure helpers of the engine: times as stored in the context, JSON-safe payloads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mofang.strategy.engine.timing import utc


def iso(dt: datetime) -> str:
    """A UTC instant as an ISO string (how the context stores times)."""
    return utc(dt).isoformat()


def parse_instant(value: Any) -> datetime | None:
    """A datetime or ISO string as a UTC instant, None when it is neither."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, str):
        try:
            return utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def jsonable(value: Any) -> Any:
    """A copy of a payload that json.dumps accepts (times as ISO strings; anything else odd as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Decimal):
        return jsonable(float(value))  # conditions compare numbers; text would never match
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)

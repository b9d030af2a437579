"""Pure rules of saved analyses and dashboards: relative date windows, who may edit, item order, file names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from mofang.platform.errors import Invalid


def last_days(days: int, today: date) -> tuple[date, date]:
    """The last `days` bank days ending today (both ends included)."""
    return today - timedelta(days=days - 1), today


def with_range(query: dict[str, Any], range_: dict[str, Any], *, dated: bool, today: date) -> dict[str, Any]:
    """The query as it is run: a `last_days` range replaces its dates; fixed ranges and undated models keep it."""
    if not dated or range_.get("kind") != "last_days":
        return dict(query)
    start, end = last_days(int(range_["days"]), today)
    return {**query, "date_from": start.isoformat(), "date_to": end.isoformat()}


def field_name(prefix: str, loc: Sequence[int | str]) -> str:
    """A field path such as `query.steps.0.event` from a validation error location."""
    return ".".join([prefix, *(str(p) for p in loc)])


def may_edit(*, owner: str, username: str, is_admin: bool) -> bool:
    """Only the owner (or an administrator) changes or deletes a definition."""
    return is_admin or owner == username


def check_order(current: Sequence[int], order: Sequence[int]) -> None:
    """A new item order must name every item of the dashboard exactly once."""
    if len(order) != len(current) or set(order) != set(current):
        raise Invalid("the order must list every item of the dashboard exactly once", field="order")


def export_filename(model: str, query: dict[str, Any]) -> str:
    """`<model>_<date_from>_<date_to>.csv`, or `<model>.csv` for a model without a date range."""
    if query.get("date_from") and query.get("date_to"):
        return f"{model}_{query['date_from']}_{query['date_to']}.csv"
    return f"{model}.csv"

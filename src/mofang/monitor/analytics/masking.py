"""PII in analysis results: group labels and filter values in the form the store holds (masked at ingestion).

Events stored before ingestion masked PII still hold it in clear, so labels are masked on the way out as
well (masks are idempotent); a filter value a user types in clear is compared in its masked form.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from mofang.monitor.analytics.contracts import GroupBy
from mofang.platform.governance.logic import PiiPolicy

Q = TypeVar("Q", bound=BaseModel)
_FILTER_KEYS = frozenset({"property", "op", "value"})
_EXACT_OPS = frozenset({"eq", "neq", "in", "not_in"})  # a part of a value ("contains") has no masked form


def group_label(policy: PiiPolicy, group_by: GroupBy | None, label: str | None) -> str | None:
    """A group's label as shown: values of PII properties masked (attributes are shaped in SQL: `group_value`)."""
    if label is None or group_by is None or group_by.kind != "property":
        return label
    return str(policy.mask_scalar(group_by.name.rsplit(".", 1)[-1], label))


def stored_filters(policy: PiiPolicy, query: Q) -> Q:
    """The query with every event-property filter value in the form ingestion stores it."""
    raw = query.model_dump()
    masked = _walk(policy, raw)
    return query if masked == raw else type(query).model_validate(masked)


def _walk(policy: PiiPolicy, node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(policy, v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.keys() >= _FILTER_KEYS and isinstance(node["property"], str) and node["op"] in _EXACT_OPS:
        key = node["property"].rsplit(".", 1)[-1]
        value = node["value"]
        if isinstance(value, list):
            value = [policy.mask_scalar(key, v) for v in value]
        elif value is not None:
            value = policy.mask_scalar(key, value)
        return {**node, "value": value}
    return {k: _walk(policy, v) for k, v in node.items()}

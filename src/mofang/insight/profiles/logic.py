"""Pure rules of profiles: typing custom attribute values, what strategies may set, merging overrides."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from mofang.insight.profiles.contracts import PROFILE_ATTRIBUTES

ATTR_PREFIX = "attr:"
# Keys a strategy may set that nothing loads: kept on the profile only (lower-case, like declared attributes).
LOCAL_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def custom_value(type_: str, value: Any) -> Any:
    """A value for a declared attribute of `type_`, as JSON would carry it; ValueError when it is not one."""
    if value is None:
        return None
    match type_:
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError("not a number")
            return float(value)
        case "integer":
            if isinstance(value, bool):
                raise ValueError("not a whole number")
            if isinstance(value, float) and not value.is_integer():
                raise ValueError("not a whole number")
            return int(value)
        case "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError("not true/false")
        case "date":
            return date.fromisoformat(str(value)).isoformat()
        case _:
            text = str(value)
            if len(text) > 512:
                raise ValueError("longer than 512 characters")
            return text


def settable(key: str, declared: dict[str, tuple[str, bool]]) -> str:
    """How a strategy may set `key`: 'custom' (a declared non-PII attribute), 'local', or ValueError why not."""
    if key.startswith(ATTR_PREFIX):
        found = declared.get(key.removeprefix(ATTR_PREFIX))
        if found is None:
            raise ValueError("not a declared attribute")
        if found[1]:
            raise ValueError("a PII attribute cannot be set by a strategy")
        return "custom"
    if key in PROFILE_ATTRIBUTES:
        raise ValueError("loaded from the bank's customer master; a strategy cannot change it")
    if not LOCAL_KEY.match(key):
        raise ValueError("lower-case letters, digits and _ (2-40 characters)")
    return "local"


def merged(attributes: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The attributes a worker reads: loaded ones, with what strategies set over them."""
    return {**attributes, **(overrides or {})}


TAG_PREFIX = "tag:"  # overrides under this prefix are tag values set by strategies (打标签), not attributes


def split_overrides(overrides: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(attribute overrides, tag overrides by tag key) of a profile's overrides."""
    attrs: dict[str, Any] = {}
    tags: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if key.startswith(TAG_PREFIX):
            tags[key.removeprefix(TAG_PREFIX)] = value
        else:
            attrs[key] = value
    return attrs, tags


def merged_tags(tags: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The tags a worker reads: computed ones, with strategies' values over them (None: the tag was removed)."""
    out = {**tags, **overrides}
    return {k: v for k, v in out.items() if v is not None}


def tag_after(current: Any, action: str, value: str | None) -> Any:
    """A tag's value after adding or removing one value (no value: the tag as a whole; True marks a bare tag)."""
    have = [] if current is None else list(current) if isinstance(current, list) else [current]
    if action == "add":
        want = True if value is None else value
        values = have if want in have else [*have, want]
    elif value is None:
        values = []
    else:
        values = [v for v in have if v != value]
    if not values:
        return None
    return values[0] if len(values) == 1 else values

"""One guard for every API request: text and numbers the stores cannot hold are a 422 naming the field.

Pydantic accepts a lone UTF-16 surrogate (JSON `"\\ud800"`), a NUL character and an integer of any size,
but SQLite, PostgreSQL and DuckDB do not: they fail half-way through a write, or the stored row breaks
every later read. Checking the request as FastAPI received it, before any handler runs, covers every
route at once, including the ones written tomorrow.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Final

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from mofang.platform.errors import Invalid

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
# Lone surrogates cannot be encoded as UTF-8; NUL ends a C string (PostgreSQL refuses it in text).
_BAD_CHARS: Final = re.compile("[\x00\ud800-\udfff]")
_INT_LITERAL: Final = re.compile(r"[+-]?\d+")


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored (None when it can)."""
    found = _BAD_CHARS.search(value)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "is not valid Unicode (a lone surrogate)"


def problems(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(field, code, reason) for every value in a JSON document the stores cannot hold."""
    if isinstance(value, str):
        if (reason := bad_text(value)) is not None:
            yield path, "input.bad_text", reason
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield path, "input.int_range", "is outside the 64-bit integer range"
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path, "input.not_finite", "is not a finite number"
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if (reason := bad_text(str(key))) is not None:
                yield sub, "input.bad_text", f"the key {reason}"
            yield from problems(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from problems(item, f"{path}.{i}" if path else str(i))


def _wants_int(annotation: Any) -> bool:
    """True when a parameter's declared type accepts an integer (int, int | None, list[int] ...)."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _wants_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return any(_wants_int(a) for a in typing.get_args(annotation))
    return False


_INT_PARAMS: dict[int, frozenset[str]] = {}  # route id -> names of its integer path/query parameters


def _int_names(dependant: Dependant) -> Iterator[str]:
    for f in (*dependant.path_params, *dependant.query_params):
        if _wants_int(f.field_info.annotation):
            yield f.alias
    for sub in dependant.dependencies:
        yield from _int_names(sub)


def _int_params(route: APIRoute) -> frozenset[str]:
    names = _INT_PARAMS.get(id(route))
    if names is None:
        names = frozenset(_int_names(route.dependant))
        _INT_PARAMS[id(route)] = names
    return names


def _param_problem(name: str, raw: str, *, wants_int: bool) -> tuple[str, str, str] | None:
    if (reason := bad_text(raw)) is not None:
        return name, "input.bad_text", reason
    if wants_int and _INT_LITERAL.fullmatch(raw.strip()) and not INT64_MIN <= int(raw) <= INT64_MAX:
        return name, "input.int_range", "is outside the 64-bit integer range"
    return None


def _raise(found: tuple[str, str, str]) -> None:
    field, code, reason = found
    field = field or "body"
    raise Invalid(f"'{field}' {reason}", field=field, code=code, params={"field": field})


async def guard_input(request: Request) -> None:
    """Refuse a request whose path, query or JSON body holds what the stores cannot hold."""
    route = request.scope.get("route")
    int_names = _int_params(route) if isinstance(route, APIRoute) else frozenset()
    for name, raw in request.path_params.items():
        if isinstance(raw, str) and (found := _param_problem(name, raw, wants_int=name in int_names)):
            _raise(found)
    for name, raw in request.query_params.multi_items():
        if found := _param_problem(name, raw, wants_int=name in int_names):
            _raise(found)
    # Only bodies FastAPI parsed as JSON for a declared model: the ingestion routes read their raw bytes
    # themselves (strict UTF-8 via orjson) and must not pay for a second parse.
    if not isinstance(route, APIRoute) or route.body_field is None:
        return
    content_type = request.headers.get("content-type")
    if (content_type and "json" not in content_type) or not await request.body():
        return
    try:
        body = await request.json()
    except ValueError:  # FastAPI answers malformed JSON itself
        return
    for found in problems(body, ""):
        _raise(found)

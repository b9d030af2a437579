"""Columns read from the metadata database as one aggregated string each, decoded without a Python object per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Text, cast, func, literal
from sqlalchemy.dialects.postgresql import aggregate_order_by

# Between values: the ASCII unit separator, which no customer id or org code holds (a value that does is noticed:
# the count of values then disagrees with the row count, and the caller falls back to reading rows).
SEP = "\x1f"
# Stands for NULL inside a string column (string aggregates skip NULLs, which would misalign the columns).
NULL_MARK = "\x1e"


def aggregate(expr: Any, *, dialect: str, order_by: Any, sep: str = SEP) -> ColumnElement[Any]:
    """`expr` of every row joined by `sep` in one string; PostgreSQL orders by `order_by` so that several
    aggregates of one query line up even when it runs in parallel (SQLite feeds all of them one row at a time)."""
    if dialect == "postgresql":
        return func.string_agg(cast(expr, Text), aggregate_order_by(literal(sep, Text), order_by))
    return func.group_concat(expr, literal(sep))


def strings(text: str | None, n: int) -> pa.StringArray | None:
    """The `n` values of an aggregated string column as an Arrow array (NULL_MARK becomes null); None when the
    text does not hold exactly `n` values."""
    if n == 0:
        return pa.array([], pa.string())
    if text is None:
        return None
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)  # 0x1f never occurs inside a multi-byte character
    is_sep = raw == ord(SEP)
    seps = np.flatnonzero(is_sep)
    if seps.size != n - 1:
        return None
    data = raw[~is_sep]
    offsets = np.empty(n + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = seps - np.arange(seps.size)  # value i starts after i - 1 separators were taken out
    offsets[-1] = data.size
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data)).cast(pa.string())
    if NULL_MARK in text:
        arr = pc.if_else(pc.equal(arr, NULL_MARK), pa.scalar(None, pa.string()), arr)
    return arr


def digits(text: str | None, n: int) -> np.ndarray | None:
    """`n` one-digit values written side by side (no separator) as integers; None when the count differs."""
    if n == 0:
        return np.array([], dtype=np.int8)
    if text is None or len(text) != n:
        return None
    return (np.frombuffer(text.encode("ascii"), dtype=np.uint8) - ord("0")).astype(np.int8)


def integers(text: str | None, n: int) -> np.ndarray | None:
    """`n` integers joined by SEP; None when the count differs."""
    if n == 0:
        return np.array([], dtype=np.int64)
    if text is None:
        return None
    out = np.fromstring(text, dtype=np.int64, sep=SEP)  # text mode: parsed in C
    return out if out.size == n else None


def group_counts(keys: pa.Array, mask: np.ndarray, flag: np.ndarray) -> dict[str | None, tuple[int, int]]:
    """Per key among the rows in `mask`: how many rows, and how many of them have `flag`."""
    if not mask.any():
        return {}
    enc = pc.dictionary_encode(keys.filter(pa.array(mask)), null_encoding="encode")
    idx = enc.indices.to_numpy(zero_copy_only=False)
    names = enc.dictionary.to_pylist()
    n = np.bincount(idx, minlength=len(names))
    x = np.bincount(idx, weights=flag[mask], minlength=len(names))
    return {k: (int(n[j]), int(x[j])) for j, k in enumerate(names)}

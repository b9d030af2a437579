"""Pure tag rules: reading stored rules, shaping distributions and history, parsing value uploads."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from mofang.insight.tags.contracts import DistributionBucket, HistoryPoint, TagRule

RULE = TypeAdapter(TagRule)
TOP_VALUES = 50
HISTOGRAM_BINS = 10


def rule_of(stored: dict[str, Any]) -> TagRule:
    """A stored rule as its typed model."""
    return RULE.validate_python(stored)


def readable_rule(stored: dict[str, Any]) -> TagRule | None:
    """A stored rule, or None if it no longer reads (saved under older rules): the tag is shown, flagged."""
    try:
        return RULE.validate_python(stored)
    except ValueError:
        return None


def categorical(rows: list[dict[str, Any]], covered: int) -> list[DistributionBucket]:
    """Top values by count, the rest folded into 其他."""
    rows = sorted(rows, key=lambda r: (-r["n"], str(r["value"])))
    top, rest = rows[:TOP_VALUES], rows[TOP_VALUES:]
    out = [DistributionBucket(value=str(r["value"]), count=r["n"], ratio=round(r["n"] / covered, 4) if covered else 0)
           for r in top]
    if rest:
        n = sum(r["n"] for r in rest)
        out.append(DistributionBucket(value="其他", count=n, ratio=round(n / covered, 4) if covered else 0))
    return out


def histogram(rows: list[dict[str, Any]], covered: int) -> list[DistributionBucket]:
    """Equal-width numeric bins (rows: bin, n, lo, hi)."""
    return [
        DistributionBucket(value=f"{_fmt(r['lo'])} – {_fmt(r['hi'])}", count=r["n"],
                           ratio=round(r["n"] / covered, 4) if covered else 0, low=r["lo"], high=r["hi"])
        for r in sorted(rows, key=lambda r: r["bin"])
    ]


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{int(x)}" if float(x).is_integer() else f"{x:.2f}"


def history(rows: list[dict[str, Any]], *, numeric: bool) -> list[HistoryPoint]:
    """Per-day points (rows: day, value, n — or day, covered, mean for numbers)."""
    if numeric:
        return [HistoryPoint(day=r["day"], covered=r["n"], counts={}, mean=r["mean"]) for r in rows]
    points: dict[Any, HistoryPoint] = {}
    for r in rows:
        p = points.setdefault(r["day"], HistoryPoint(day=r["day"], covered=0, counts={}))
        p.covered += r["n"]
        p.counts[str(r["value"])] = r["n"]
    return [points[d] for d in sorted(points)]


def parse_values(content: bytes, *, numeric: bool) -> tuple[dict[str, str], list[dict[str, str | int]]]:
    """customer_id,value lines of an uploaded CSV, and the rejected lines with reasons."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [{"line": 0, "value": "", "reason": "the file is not UTF-8 text"}]
    values: dict[str, str] = {}
    rejects: list[dict[str, str | int]] = []
    for n, rec in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not rec or not rec[0].strip():
            continue
        cid = rec[0].strip()
        if n == 1 and cid.lower() in ("customer_id", "客户号"):
            continue
        value = rec[1].strip() if len(rec) > 1 else ""
        if not value or len(value) > 64:
            rejects.append({"line": n, "value": cid[:64], "reason": "missing value or longer than 64 characters"})
            continue
        if numeric:
            try:
                float(value)
            except ValueError:
                rejects.append({"line": n, "value": cid[:64], "reason": f"'{value[:20]}' is not a number"})
                continue
        if cid in values:
            rejects.append({"line": n, "value": cid[:64], "reason": "duplicate customer id"})
            continue
        values[cid] = value
    return values, rejects


def rewrites_history(*, day: date, today: date, last_day: date | None) -> bool:
    """Whether computing `day` would replace recorded history: a past day on or before the latest run."""
    return day < today and last_day is not None and day <= last_day

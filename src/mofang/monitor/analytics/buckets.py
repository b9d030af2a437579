"""Bucketing of numbers by edges (pure, plus its SQL form): [e_i, e_(i+1)) with open ends below and above."""

from __future__ import annotations

import itertools

from sqlglot import exp

from mofang.monitor.analytics.contracts import Bucket


def index_expr(value: exp.Expression, edges: list[float]) -> exp.Expression:
    """0 below the first edge, i for [e_(i-1), e_i), len(edges) at or above the last."""
    ifs = [exp.If(this=exp.LT(this=value.copy(), expression=exp.Literal.number(e)), true=exp.Literal.number(i))
           for i, e in enumerate(edges)]
    return exp.Case(ifs=ifs, default=exp.Literal.number(len(edges)))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def labels(edges: list[float], *, integer: bool) -> list[tuple[str, float, float | None]]:
    """(label, lower, upper) of every bucket; integer values get labels like 2–3 instead of [2, 4)."""
    out: list[tuple[str, float, float | None]] = [(f"<{_fmt(edges[0])}", float("-inf"), edges[0])]
    for lo, hi in itertools.pairwise(edges):
        if integer and float(lo).is_integer() and float(hi).is_integer():
            text = _fmt(lo) if hi - lo == 1 else f"{_fmt(lo)}–{_fmt(hi - 1)}"
        else:
            text = f"{_fmt(lo)}–{_fmt(hi)}"
        out.append((text, lo, hi))
    out.append((f"{_fmt(edges[-1])}+", edges[-1], None))
    return out


def shape(edges: list[float], counts: dict[int, int], *, integer: bool, drop_empty_below: bool) -> list[Bucket]:
    """Buckets with their customer counts; the open bucket below the first edge is left out when empty."""
    out = []
    for i, (text, lo, hi) in enumerate(labels(edges, integer=integer)):
        if i == 0 and drop_empty_below and not counts.get(0):
            continue
        out.append(Bucket(label=text, lower=None if lo == float("-inf") else lo, upper=hi,
                          customers=int(counts.get(i, 0))))
    return out

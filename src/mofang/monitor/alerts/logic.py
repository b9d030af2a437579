"""Pure alert rules: the metric's windows, whether a rule fires, and what the alert says."""

from __future__ import annotations

from datetime import date, timedelta

OP_TEXT = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "change_gt": "change >", "change_lt": "change <"}


def windows(day: date, days: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The `days` complete bank days before `day`, and the equally long window before those."""
    end = day - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    return (start, end), (start - timedelta(days=days), start - timedelta(days=1))


def change_pct(value: float, previous: float) -> float | None:
    """Change against the previous window in percent (None when the previous window was 0)."""
    return None if previous == 0 else (value - previous) / abs(previous) * 100


def fires(op: str, threshold: float, value: float, previous: float) -> bool:
    """Whether a rule's condition holds; a change from zero never fires (it has no percentage)."""
    if op in ("change_gt", "change_lt"):
        pct = change_pct(value, previous)
        return pct is not None and (pct > threshold if op == "change_gt" else pct < threshold)
    return {"gt": value > threshold, "gte": value >= threshold, "lt": value < threshold,
            "lte": value <= threshold}[op]


def message(*, rule: str, metric: str, op: str, threshold: float, value: float, previous: float, day: date) -> str:
    """One line saying what happened, for the email subject, the webhook and the console."""
    pct = change_pct(value, previous)
    change = "n/a" if pct is None else f"{pct:+.1f}%"
    unit = "%" if op.startswith("change") else ""
    return (f"[魔方预警] {rule}: {metric} = {value:g} (previous {previous:g}, change {change}) "
            f"{OP_TEXT[op]} {threshold:g}{unit} on {day.isoformat()}")

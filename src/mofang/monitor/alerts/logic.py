"""Pure alert rules: the metric's windows, whether a rule fires, and what the alert says."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

OP_TEXT = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "change_gt": "change >", "change_lt": "change <",
           "anomaly": "anomaly"}


def windows(day: date, days: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The `days` complete bank days before `day`, and the equally long window before those."""
    end = day - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    return (start, end), (start - timedelta(days=days), start - timedelta(days=1))


TOP_GROUPS = 20


def top_groups(values: dict[str | None, float], limit: int = TOP_GROUPS) -> list[tuple[str | None, float]]:
    """The groups with the largest values (ties by name, the unknown group last among equals)."""
    return sorted(values.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))[:limit]


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


# --- anomaly vs a 7-day baseline -------------------------------------------------------------------------

BASELINE_DAYS = 7
MIN_BASELINE_DAYS = 5
SEVERITY_TEXT = {"info": "提示", "warning": "警告", "critical": "严重"}


@dataclass(frozen=True)
class Anomaly:
    """The verdict on one value against its baseline (mean, sample σ over the days with data)."""

    outcome: Literal["fired", "quiet", "insufficient_baseline"]
    baseline_days: int
    mean: float | None = None
    sigma: float | None = None
    z: float | None = None  # None when σ = 0 (a flat baseline): any move is infinitely many σ
    change_pct: float | None = None  # None when the mean is 0


def anomaly(value: float, baseline: Sequence[float | None], *, k: float, direction: str,
            min_change_pct: float) -> Anomaly:
    """Whether `value` leaves the baseline by more than k·σ in `direction`, and by at least `min_change_pct`
    of the mean (so a flat, near-σ-free baseline does not fire on noise). None marks a day without data."""
    known = [v for v in baseline if v is not None]
    if len(known) < MIN_BASELINE_DAYS:
        return Anomaly(outcome="insufficient_baseline", baseline_days=len(known))
    mean, sigma = statistics.fmean(known), statistics.stdev(known)
    dev = value - mean
    z = dev / sigma if sigma > 0 else None
    pct = change_pct(value, mean)
    beyond = abs(dev) > k * sigma and abs(dev) * 100 >= min_change_pct * abs(mean)
    heading = {"up": dev > 0, "down": dev < 0, "both": dev != 0}[direction]
    return Anomaly(outcome="fired" if beyond and heading else "quiet", baseline_days=len(known), mean=mean,
                   sigma=sigma, z=z, change_pct=pct)


def _grouped(x: float) -> str:
    """1234.5 → '1,234.5' (thousands grouped, at most two decimals)."""
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def anomaly_message(*, rule: str, metric: str, value: float, a: Anomaly, measured: date) -> str:
    """The alert line of an anomaly, e.g. '… 为 2,000，较近7日均值 1,234 高出 3.4σ（+62.1%）'."""
    if a.outcome == "insufficient_baseline":
        return (f"[魔方预警] {rule}: {metric} 近{BASELINE_DAYS}日仅 {a.baseline_days} 天有数据"
                f"（至少需 {MIN_BASELINE_DAYS} 天），基线不足，未判断 {measured.isoformat()}")
    assert a.mean is not None
    word = "高出" if value >= a.mean else "低于"
    pct = "" if a.change_pct is None else f"{a.change_pct:+.1f}%"
    if a.z is not None:
        size = f"{abs(a.z):.1f}σ" + (f"（{pct}）" if pct else "")
    else:  # a flat baseline has no σ to count in: say how far in percent (or in units from zero)
        size = (f"{abs(a.change_pct):.1f}%" if a.change_pct is not None else _grouped(abs(value - a.mean))) + \
            f"（近{BASELINE_DAYS}日无波动）"
    return (f"[魔方预警] {rule}: {metric} {measured.isoformat()} 为 {_grouped(value)}，"
            f"较近{BASELINE_DAYS}日均值 {_grouped(a.mean)} {word} {size}")


def subject(severity: str, text: str) -> str:
    """Email subject: the severity first, so mail rules can route 严重 alerts."""
    return f"【{SEVERITY_TEXT.get(severity, severity)}】{text}"

"""Analysis results as flat tables for CSV export: one pure function per model, `(result) -> (header, rows)`.

Column names are stable English snake_case (machines read these files); an empty cell is a missing value.

- trends: one row per (line, bucket) — `series` (its index in the query from 0, as in the JSON result), `event`,
  `measure`, `group`, `bucket`, `value`, `line_total` (the whole-range value of the line, not always the sum:
  uniques), and when the previous period was asked `previous_bucket`, `previous_value`, `previous_line_total`
  (same series and group, aligned bucket by bucket).
- funnel: one row per (group, step) — `level` (`overall` | `group`), `group`, `step`, `event`, `customers`,
  `conversion_from_first`, `conversion_from_previous`, `dropped`, `median_seconds_from_previous`.
- retention: one row per cohort — `cohort`, `group`, `size`, then `period_<k>_retained`, `period_<k>_rate` for
  k = 0..periods (empty: the period has not begun yet).
- paths: one row per top path — `rank`, `sessions`, `share` (of all sessions), `steps`, `step_1`..`step_<n>`.
- attribution: one row per touch — `touch`, `value`, `touched_conversions`, `first`, `last`, `linear`,
  `position`, `time_decay`.
- distribution: one row per bucket — `bucket`, `lower`, `upper`, `customers`, then the statistics repeated on
  every row: `total_customers`, `customers_without`, `mean`, `median`, `p90`.
- interval: one row per bucket — `bucket`, `lower_seconds`, `upper_seconds`, `pairs`, then `total_pairs`,
  `total_customers`, `mean_seconds`, `median_seconds`, `p90_seconds`.
- properties: one row per cell — `value_1` (and `value_2` for a cross-tab), `customers`, `aum`, `share`.
- ltv: one row per (cohort, month since opening) — `cohort`, `customers`, `month`, `value`.
- rfm: one row per RFM class — `segment`, `label`, `customers`, `avg_recency_days`, `avg_frequency`,
  `avg_monetary`.
- mau-aum: one row per (month, org), then the month's total rows with `level` = `total` — `level`, `month`,
  `org_code`, `org_name`, `customers`, `mau`, `active_rate`, `aum` (empty: no snapshot that month), `net_inflow`,
  `first_day_with_data`, `last_day_with_data`, `partial_month` (data covers only part of the month).
"""

from __future__ import annotations

from mofang.monitor.analytics.contracts import (
    AttributionResult,
    DistributionResult,
    FunnelResult,
    IntervalResult,
    LtvResult,
    MauAumResult,
    PathsResult,
    PropertiesResult,
    RetentionResult,
    RfmResult,
    TrendLine,
    TrendsResult,
)

Cell = str | int | float | bool | None
Table = tuple[list[str], list[list[Cell]]]


def trends(r: TrendsResult) -> Table:
    """One row per line and bucket, with the previous period's value of the same series and group."""
    header = ["series", "event", "measure", "group", "bucket", "value", "line_total"]
    with_previous = r.previous is not None and r.previous_buckets is not None
    if with_previous:
        header += ["previous_bucket", "previous_value", "previous_line_total"]
    before: dict[tuple[int, str | None], TrendLine] = {(p.series, p.group): p for p in r.previous or []}
    rows: list[list[Cell]] = []
    for line in r.lines:
        prev = before.get((line.series, line.group))
        for i, bucket in enumerate(r.buckets):
            row: list[Cell] = [line.series, line.event, line.measure, line.group, bucket, line.values[i],
                               line.total]
            if with_previous:
                pb = r.previous_buckets or []
                # A group absent from the previous period had nothing there: 0, as missing buckets are.
                row += [pb[i] if i < len(pb) else None,
                        (prev.values[i] if prev is not None and i < len(prev.values) else 0.0),
                        prev.total if prev is not None else 0.0]
            rows.append(row)
    return header, rows


def funnel(r: FunnelResult) -> Table:
    """One row per step of the overall funnel, then per group and step."""
    header = ["level", "group", "step", "event", "customers", "conversion_from_first", "conversion_from_previous",
              "dropped", "median_seconds_from_previous"]
    rows: list[list[Cell]] = []
    for level, g in [("overall", r.overall)] + [("group", g) for g in r.groups]:
        rows += [[level, g.group, s.step, s.event, s.customers, s.conversion_from_first, s.conversion_from_previous,
                  s.dropped, s.median_seconds_from_previous] for s in g.steps]
    return header, rows


def retention(r: RetentionResult) -> Table:
    """One row per cohort: its size and each period's returners and rate."""
    header = ["cohort", "group", "size"]
    for k in range(r.periods + 1):
        header += [f"period_{k}_retained", f"period_{k}_rate"]
    rows: list[list[Cell]] = []
    for c in r.cohorts:
        row: list[Cell] = [c.cohort, c.group, c.size]
        for k in range(r.periods + 1):
            row += [c.returned[k] if k < len(c.returned) else None, c.rates[k] if k < len(c.rates) else None]
        rows.append(row)
    return header, rows


def paths(r: PathsResult) -> Table:
    """One row per top path, its events spread over step columns."""
    depth = max((len(p.events) for p in r.top), default=0)
    header = ["rank", "sessions", "share", "steps"] + [f"step_{i + 1}" for i in range(depth)]
    rows: list[list[Cell]] = []
    for rank, p in enumerate(r.top, start=1):
        share = round(p.sessions / r.sessions, 6) if r.sessions else 0.0
        rows.append([rank, p.sessions, share, len(p.events), *p.events, *([None] * (depth - len(p.events)))])
    return header, rows


def attribution(r: AttributionResult) -> Table:
    """One row per touch with its credit under every model."""
    header = ["touch", "value", "touched_conversions", "first", "last", "linear", "position", "time_decay"]
    return header, [[a.touch, a.value, a.touched_conversions, a.first, a.last, a.linear, a.position, a.time_decay]
                    for a in r.rows]


def distribution(r: DistributionResult) -> Table:
    """One row per bucket, the statistics repeated as columns."""
    header = ["bucket", "lower", "upper", "customers", "total_customers", "customers_without", "mean", "median",
              "p90"]
    return header, [[b.label, b.lower, b.upper, b.customers, r.customers, r.customers_without, r.mean, r.median,
                     r.p90] for b in r.buckets]


def interval(r: IntervalResult) -> Table:
    """One row per gap bucket, the statistics repeated as columns."""
    header = ["bucket", "lower_seconds", "upper_seconds", "pairs", "total_pairs", "total_customers", "mean_seconds",
              "median_seconds", "p90_seconds"]
    return header, [[b.label, b.lower, b.upper, b.customers, r.pairs, r.customers, r.mean_seconds, r.median_seconds,
                     r.p90_seconds] for b in r.buckets]


def properties(r: PropertiesResult) -> Table:
    """One row per value (or pair of values)."""
    width = max((len(c.values) for c in r.cells), default=1)
    header = [f"value_{i + 1}" for i in range(width)] + ["customers", "aum", "share"]
    return header, [[*c.values, *([None] * (width - len(c.values))), c.customers, c.aum, c.share] for c in r.cells]


def ltv(r: LtvResult) -> Table:
    """One row per cohort and month since opening."""
    header = ["cohort", "customers", "month", "value"]
    return header, [[c.cohort, c.customers, m, v] for c in r.cohorts for m, v in enumerate(c.values)]


def rfm(r: RfmResult) -> Table:
    """One row per RFM class."""
    header = ["segment", "label", "customers", "avg_recency_days", "avg_frequency", "avg_monetary"]
    return header, [[s.segment, s.label, s.customers, s.avg_recency_days, s.avg_frequency, s.avg_monetary]
                    for s in r.segments]


def mau_aum(r: MauAumResult) -> Table:
    """One row per month and child org, then the bank-wide total of each month, with the month's data coverage."""
    header = ["level", "month", "org_code", "org_name", "customers", "mau", "active_rate", "aum", "net_inflow",
              "first_day_with_data", "last_day_with_data", "partial_month"]
    cover = {m.month: m for m in r.months}

    def coverage(month: str) -> list[Cell]:
        m = cover.get(month)
        if m is None:
            return [None, None, None]
        return [m.first_day.isoformat() if m.first_day else None, m.last_day.isoformat() if m.last_day else None,
                m.partial]

    return header, [[level, x.month, x.org_code, x.org_name, x.customers, x.mau, x.active_rate, x.aum, x.net_inflow,
                     *coverage(x.month)]
                    for level, rows in (("org", r.rows), ("total", r.totals)) for x in rows]

"""Analysis results flattened to CSV tables: one row per thing a user reads in the chart, nothing lost."""

from __future__ import annotations

from mofang.monitor.analytics import tabular
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
    TrendsResult,
)
from mofang.monitor.analytics.registry import MODELS
from mofang.platform.csvfile import csv_text


def _line(series: int, group: str | None, values: list[float], total: float) -> dict:
    return {"series": series, "event": "app_open", "measure": "total", "group": group, "values": values,
            "total": total}


def test_trends_rows_per_line_and_bucket_with_the_previous_period_aligned():
    r = TrendsResult(buckets=["2026-03-01", "2026-03-02"],
                     lines=[_line(0, "P1", [3, 1], 4), _line(0, "P2", [0, 2], 2)],
                     previous_buckets=["2026-02-27", "2026-02-28"], previous=[_line(0, "P1", [5, 0], 5)])
    header, rows = tabular.trends(r)
    assert header == ["series", "event", "measure", "group", "bucket", "value", "line_total", "previous_bucket",
                      "previous_value", "previous_line_total"]
    assert rows == [
        [0, "app_open", "total", "P1", "2026-03-01", 3, 4, "2026-02-27", 5, 5],
        [0, "app_open", "total", "P1", "2026-03-02", 1, 4, "2026-02-28", 0, 5],
        # P2 did not occur in the previous period: zero there, like any empty bucket.
        [0, "app_open", "total", "P2", "2026-03-01", 0, 2, "2026-02-27", 0, 0],
        [0, "app_open", "total", "P2", "2026-03-02", 2, 2, "2026-02-28", 0, 0],
    ]
    plain, rows = tabular.trends(TrendsResult(buckets=["2026-03-01"], lines=[_line(0, None, [7], 7)]))
    assert "previous_value" not in plain and rows == [[0, "app_open", "total", None, "2026-03-01", 7, 7]]


def _steps(counts: list[int]) -> list[dict]:
    return [{"step": i + 1, "event": f"e{i + 1}", "customers": c, "conversion_from_first": c / counts[0],
             "conversion_from_previous": c / counts[max(i - 1, 0)], "dropped": counts[max(i - 1, 0)] - c,
             "median_seconds_from_previous": None if i == 0 else 60.0} for i, c in enumerate(counts)]


def test_funnel_rows_overall_first_then_each_group_including_customers_without_a_value():
    r = FunnelResult(overall={"group": None, "steps": _steps([4, 2])},
                     groups=[{"group": "财富", "steps": _steps([3, 2])}, {"group": None, "steps": _steps([1, 0])}])
    header, rows = tabular.funnel(r)
    assert header[:4] == ["level", "group", "step", "event"]
    assert [(row[0], row[1], row[2], row[4]) for row in rows] == [
        ("overall", None, 1, 4), ("overall", None, 2, 2), ("group", "财富", 1, 3), ("group", "财富", 2, 2),
        ("group", None, 1, 1), ("group", None, 2, 0)]
    assert rows[1][5:] == [0.5, 0.5, 2, 60.0]


def test_retention_one_row_per_cohort_with_count_and_rate_per_period():
    r = RetentionResult(periods=1, average=[1.0, 0.5], cohorts=[
        {"cohort": "2026-03-01", "group": None, "size": 4, "returned": [4, 2], "rates": [1.0, 0.5]},
        {"cohort": "2026-03-02", "group": None, "size": 2, "returned": [2, None], "rates": [1.0, None]}])
    header, rows = tabular.retention(r)
    assert header == ["cohort", "group", "size", "period_0_retained", "period_0_rate", "period_1_retained",
                      "period_1_rate"]
    assert rows == [["2026-03-01", None, 4, 4, 1.0, 2, 0.5], ["2026-03-02", None, 2, 2, 1.0, None, None]]


def test_paths_spread_events_over_step_columns_with_share_of_sessions():
    r = PathsResult(sessions=4, truncated=False, nodes=[], links=[], top=[
        {"events": ["app_open", "product_view", "purchase"], "sessions": 3}, {"events": ["app_open"], "sessions": 1}])
    header, rows = tabular.paths(r)
    assert header == ["rank", "sessions", "share", "steps", "step_1", "step_2", "step_3"]
    assert rows == [[1, 3, 0.75, 3, "app_open", "product_view", "purchase"], [2, 1, 0.25, 1, "app_open", None, None]]


def test_attribution_distribution_interval_properties_ltv_rfm_tables():
    att = AttributionResult(conversions=2, attributed=2, rows=[
        {"touch": "push_click", "value": None, "touched_conversions": 2, "first": 1.5, "last": 0.5, "linear": 1.0,
         "position": 1.0, "time_decay": 0.8}])
    assert tabular.attribution(att)[1] == [["push_click", None, 2, 1.5, 0.5, 1.0, 1.0, 0.8]]
    dist = DistributionResult(customers=3, customers_without=2, mean=2.0, median=2.0, p90=3.0, buckets=[
        {"label": "1", "lower": 1, "upper": 2, "customers": 1}, {"label": "2+", "lower": 2, "upper": None,
                                                                 "customers": 2}])
    header, rows = tabular.distribution(dist)
    assert header[:4] == ["bucket", "lower", "upper", "customers"]
    assert rows == [["1", 1, 2, 1, 3, 2, 2.0, 2.0, 3.0], ["2+", 2, None, 2, 3, 2, 2.0, 2.0, 3.0]]
    gaps = IntervalResult(pairs=5, customers=3, mean_seconds=90.0, median_seconds=60.0, p90_seconds=200.0,
                          buckets=[{"label": "<60", "lower": None, "upper": 60, "customers": 2}])
    assert tabular.interval(gaps)[1] == [["<60", None, 60, 2, 5, 3, 90.0, 60.0, 200.0]]
    cross = PropertiesResult(customers=3, cells=[{"values": ["财富", "M"], "customers": 2, "aum": 1.4e6,
                                                  "share": 0.666667}])
    assert tabular.properties(cross) == (["value_1", "value_2", "customers", "aum", "share"],
                                         [["财富", "M", 2, 1.4e6, 0.666667]])
    assert tabular.properties(PropertiesResult(customers=0, cells=[]))[0] == ["value_1", "customers", "aum", "share"]
    ltv = LtvResult(cohorts=[{"cohort": "2026-02", "customers": 2, "values": [1.5, None]}])
    assert tabular.ltv(ltv)[1] == [["2026-02", 2, 0, 1.5], ["2026-02", 2, 1, None]]
    rfm = RfmResult(customers=1, inactive=0, grid=[], segments=[
        {"segment": "111", "label": "重要价值", "customers": 1, "avg_recency_days": 2.0, "avg_frequency": 3.0,
         "avg_monetary": 900.0}])
    assert tabular.rfm(rfm) == (["segment", "label", "customers", "avg_recency_days", "avg_frequency",
                                 "avg_monetary"], [["111", "重要价值", 1, 2.0, 3.0, 900.0]])


def test_mau_aum_rows_then_month_totals_and_no_snapshot_stays_empty():
    row = {"month": "2026-03", "org_code": "GD", "org_name": "广东分行", "customers": 10, "mau": 4, "active_rate": 0.4,
           "aum": None, "net_inflow": 0.0}
    result = MauAumResult(rows=[row], totals=[{**row, "org_code": "HQ", "org_name": "总行"}], months=[
        {"month": "2026-03", "first_day": "2026-03-24", "last_day": "2026-03-31", "partial": True}])
    header, rows = tabular.mau_aum(result)
    assert header[:3] == ["level", "month", "org_code"] and header[-1] == "partial_month"
    coverage = ["2026-03-24", "2026-03-31", True]
    assert rows == [["org", "2026-03", "GD", "广东分行", 10, 4, 0.4, None, 0.0, *coverage],
                    ["total", "2026-03", "HQ", "总行", 10, 4, 0.4, None, 0.0, *coverage]]


def test_every_model_has_a_table_and_headers_are_snake_case():
    assert sorted(MODELS) == sorted(["trends", "funnel", "retention", "paths", "attribution", "distribution",
                                     "interval", "properties", "ltv", "rfm", "mau-aum"])
    header, _ = tabular.trends(TrendsResult(buckets=[], lines=[]))
    assert all(h.isidentifier() and h == h.lower() for h in header)


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised():
    text = csv_text([["group", "value"], ["=1+2", -3], ["+86", 1.5], [None, "广州"]])
    assert text.splitlines() == ["group,value", "'=1+2,-3", "'+86,1.5", ",广州"]

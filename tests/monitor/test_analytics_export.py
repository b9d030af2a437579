"""CSV export of analysis results: same numbers as the JSON answer, Excel-readable, scoped and audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from factories import events_for
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
from mofang.monitor.analytics.csv_headers import header as csv_header
from mofang.monitor.analytics.registry import MODELS
from mofang.platform.context import Platform

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-10"}
FUNNEL = {**MARCH, "steps": [{"event": "app_open"}, {"event": "product_view"}, {"event": "purchase"}],
          "group_by": {"kind": "attribute", "name": "tier"}}


@pytest.fixture
def hq(bank: Platform, make_user, login) -> dict[str, str]:
    """A head-office analyst's headers."""
    return login(make_user("exporter", "analyst", "HQ"))


def _export(client: TestClient, url: str, body: dict, headers: dict) -> tuple[str, list[dict[str, str]]]:
    # English column keys (lang=en) so that rows read as dicts by the result's field names.
    res = client.post(url, json=body, headers=headers, params={"lang": "en"})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "text/csv; charset=utf-8"
    assert res.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = res.content.decode("utf-8-sig")
    return res.headers["content-disposition"], list(csv.DictReader(io.StringIO(text)))


def _exports(client: TestClient, admin_headers: dict) -> list[dict]:
    page = client.get("/api/admin/audit", params={"action": "analytics.export"}, headers=admin_headers).json()
    return page["items"]


def _num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def test_funnel_csv_holds_the_json_result_row_for_row(app_client: TestClient, hq, admin_headers):
    result = app_client.post("/api/analytics/funnel", json=FUNNEL, headers=hq).json()
    disposition, rows = _export(app_client, "/api/analytics/funnel/export", FUNNEL, hq)
    assert disposition == 'attachment; filename="funnel_2026-03-01_2026-03-10.csv"'
    expected = [("overall", None, s) for s in result["overall"]["steps"]]
    expected += [("group", g["group"], s) for g in result["groups"] for s in g["steps"]]
    assert len(rows) == len(expected) == 3 + 3 * 3  # three tiers in the small bank
    for row, (level, group, step) in zip(rows, expected, strict=True):
        assert (row["level"], row["group"] or None, int(row["step"]), row["event"]) == (
            level, group, step["step"], step["event"])
        assert int(row["customers"]) == step["customers"] and int(row["dropped"]) == step["dropped"]
        assert _num(row["conversion_from_first"]) == pytest.approx(step["conversion_from_first"])
        assert _num(row["conversion_from_previous"]) == pytest.approx(step["conversion_from_previous"])
        assert _num(row["median_seconds_from_previous"]) == step["median_seconds_from_previous"]
    assert [r["group"] for r in rows if r["level"] == "group"][::3] == ["大众", "潜力", "财富"]

    [entry] = _exports(app_client, admin_headers)
    assert entry["username"] == "exporter"
    assert entry["detail"] == {"model": "funnel", "rows": 12, "date_from": "2026-03-01", "date_to": "2026-03-10"}


def test_trends_csv_from_declared_events_matches_the_chart(app_client: TestClient, bank: Platform, hq):
    events_for(bank, {"c1": [("transfer", datetime(2026, 3, 2, 2), {"amount": 50}),
                             ("transfer", datetime(2026, 3, 3, 2), {"amount": 70})],
                      "c4": [("transfer", datetime(2026, 3, 3, 3), {"amount": 5})]})
    body = {"date_from": "2026-03-02", "date_to": "2026-03-03", "compare_previous": True,
            "series": [{"event": "transfer"}, {"event": "transfer", "measure": "sum", "property": "amount"}]}
    result = app_client.post("/api/analytics/trends", json=body, headers=hq).json()
    _, rows = _export(app_client, "/api/analytics/trends/export", body, hq)
    got = [(int(r["series"]), r["bucket"], float(r["value"]), float(r["line_total"]), r["previous_bucket"],
            float(r["previous_value"])) for r in rows]
    want = [(ln["series"], b, ln["values"][i], ln["total"], result["previous_buckets"][i], 0.0)
            for ln in result["lines"] for i, b in enumerate(result["buckets"])]
    assert got == want
    assert got == [(0, "2026-03-02", 1, 3, "2026-02-28", 0), (0, "2026-03-03", 2, 3, "2026-03-01", 0),
                   (1, "2026-03-02", 50, 125, "2026-02-28", 0), (1, "2026-03-03", 75, 125, "2026-03-01", 0)]


def test_chinese_values_survive_and_models_without_dates_name_the_file_plainly(app_client: TestClient, hq,
                                                                              admin_headers):
    body = {"dimensions": [{"attribute": "tier"}]}
    result = app_client.post("/api/analytics/properties", json=body, headers=hq).json()
    disposition, rows = _export(app_client, "/api/analytics/properties/export", body, hq)
    assert disposition == 'attachment; filename="properties.csv"'
    assert [(r["value_1"], int(r["customers"]), float(r["aum"])) for r in rows] == [
        (c["values"][0], c["customers"], c["aum"]) for c in result["cells"]]
    assert {r["value_1"] for r in rows} == {"财富", "大众", "潜力"}
    [entry] = _exports(app_client, admin_headers)
    assert entry["detail"] == {"model": "properties", "rows": 3, "date_from": None, "date_to": None}


def test_export_refuses_what_the_model_route_refuses(app_client: TestClient, hq, admin_headers):
    bad = {**MARCH, "steps": [{"event": "app_open"}]}
    via_model = app_client.post("/api/analytics/funnel", json=bad, headers=hq)
    via_export = app_client.post("/api/analytics/funnel/export", json=bad, headers=hq)
    assert via_export.status_code == via_model.status_code == 422
    assert via_export.json() == via_model.json()
    assert via_export.json()["detail"][0]["loc"] == ["body", "steps"]
    unknown = app_client.post("/api/analytics/horoscope/export", json=MARCH, headers=hq)
    assert unknown.status_code == 404 and unknown.json()["field"] == "model"
    assert app_client.post("/api/analytics/saved/export", json=MARCH, headers=hq).status_code == 404
    assert _exports(app_client, admin_headers) == []


def test_a_branch_exports_only_its_own_customers(app_client: TestClient, bank, make_user, login, hq):
    body = {**MARCH, "event": {"event": "app_open"}, "edges": [1, 2, 3]}
    sz = login(make_user("sz_exporter", "analyst", "GD-SZ"))
    _, everyone = _export(app_client, "/api/analytics/distribution/export", body, hq)
    _, branch = _export(app_client, "/api/analytics/distribution/export", body, sz)
    assert {int(r["total_customers"]) for r in everyone} == {4}
    assert {int(r["total_customers"]) for r in branch} == {2}  # c1 and c2 bank in Shenzhen
    # Buckets 1, 2, 3+: c2 opened the app twice, c1 three times.
    assert [(r["bucket"], int(r["customers"])) for r in branch] == [("1", 0), ("2", 1), ("3+", 1)]


def test_saved_analysis_export_uses_todays_window_and_is_audited(app_client: TestClient, bank: Platform, hq,
                                                                admin_headers):
    bank.extras["clock"] = lambda: date(2026, 3, 4)
    saved = app_client.post("/api/analytics/saved", headers=hq, json={
        "name": "近两日开启", "model": "trends", "query": {"series": [{"event": "app_open"}]},
        "range": {"kind": "last_days", "days": 2}}).json()
    disposition, rows = _export(app_client, f"/api/analytics/saved/{saved['id']}/export", {}, hq)
    assert disposition == 'attachment; filename="trends_2026-03-03_2026-03-04.csv"'
    assert [(r["bucket"], float(r["value"])) for r in rows] == [("2026-03-03", 1), ("2026-03-04", 1)]
    [entry] = _exports(app_client, admin_headers)
    assert entry["target_type"] == "saved_analysis" and entry["target_id"] == str(saved["id"])
    assert entry["detail"] == {"model": "trends", "rows": 2, "date_from": "2026-03-03", "date_to": "2026-03-04",
                               "saved_id": saved["id"]}
    assert app_client.post("/api/analytics/saved/4242/export", json={}, headers=hq).status_code == 404



BODIES: dict[str, tuple[dict, type]] = {
    "trends": ({**MARCH, "series": [{"event": "app_open"}]}, TrendsResult),
    "funnel": (FUNNEL, FunnelResult),
    "retention": ({**MARCH, "initial": {"event": "app_open"}, "returning": {"event": "app_open"}, "periods": 3},
                  RetentionResult),
    "paths": ({**MARCH, "anchor": {"event": "app_open"}, "depth": 3}, PathsResult),
    "attribution": ({**MARCH, "conversion": {"event": "purchase"}, "touches": [{"event": "product_view"}]},
                    AttributionResult),
    "distribution": ({**MARCH, "event": {"event": "app_open"}}, DistributionResult),
    "interval": ({**MARCH, "first": {"event": "app_open"}, "then": {"event": "product_view"}}, IntervalResult),
    "properties": ({"dimensions": [{"attribute": "tier"}, {"attribute": "gender"}]}, PropertiesResult),
    "ltv": ({"date_from": "2020-01-01", "date_to": "2020-01-31", "months": 2}, LtvResult),  # all opened 2020-01
    "rfm": (MARCH, RfmResult),
    "mau-aum": ({"month_from": "2026-03-01", "month_to": "2026-03-01"}, MauAumResult),
}


def test_every_model_exports_exactly_the_table_of_its_json_answer(app_client: TestClient, bank: Platform, hq,
                                                                  admin_headers):
    assert set(BODIES) == set(MODELS)
    with bank.store.write() as cur:  # RFM reads transactions
        cur.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, NULL, 'app', NULL)", [
            ["t1", "c1", datetime(2026, 3, 2, 2), "salary", "in", 10_000.0],
            ["t2", "c4", datetime(2026, 3, 5, 2), "transfer_in", "in", 500.0]])
    for model, (body, result_type) in BODIES.items():
        answer = app_client.post(f"/api/analytics/{model}", json=body, headers=hq)
        assert answer.status_code == 200, (model, answer.text)
        header, rows = MODELS[model].table(result_type.model_validate(answer.json()))
        assert rows, model  # the small bank gives every model something to export
        res = app_client.post(f"/api/analytics/{model}/export", json=body, headers=hq)
        lines = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
        # The header is in Chinese by default, every column of every model named (no raw key left).
        zh_header = csv_header(model, header, "zh")
        assert not [c for c in zh_header if re.fullmatch(r"[a-z0-9_]+", c)], (model, zh_header)
        assert lines == [zh_header, *[["" if v is None else str(v) for v in row] for row in rows]], model
    counts = {e["detail"]["model"]: e["detail"]["rows"] for e in _exports(app_client, admin_headers)}
    assert set(counts) == set(BODIES) and counts["funnel"] == 12


def test_csv_header_is_chinese_by_default_and_english_on_request(app_client: TestClient, hq):
    body = {**MARCH, "series": [{"event": "app_open"}]}
    zh = app_client.post("/api/analytics/trends/export", json=body, headers=hq)
    assert zh.status_code == 200, zh.text
    header = zh.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:7] == ["序列", "事件", "度量", "分组", "时间", "数值", "合计"]
    en = app_client.post("/api/analytics/trends/export", json=body, headers=hq, params={"lang": "en"})
    assert en.content.decode("utf-8-sig").splitlines()[0].startswith("series,event,measure,group,bucket")
    assert app_client.post("/api/analytics/trends/export", json=body, headers=hq,
                           params={"lang": "fr"}).status_code == 422

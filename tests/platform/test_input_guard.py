"""Hostile input anywhere in a request is a 422 naming the field, and nothing is written."""

from __future__ import annotations

import pytest

from mofang.platform.input_guard import problems

BIG = 2**64  # 18446744073709551616


def test_problems_name_the_path_of_every_value_the_stores_cannot_hold():
    doc = {"name": "ok\ud800", "definition": {"steps": [{"n": 2**63}, {"x": float("nan")}]}, "k\x00": 1,
           "fine": ["中文 🙂", -(2**63), 2**63 - 1, 1.5, True]}
    assert [(f, c) for f, c, _ in problems(doc, "")] == [
        ("name", "input.bad_text"), ("definition.steps.0.n", "input.int_range"),
        ("definition.steps.1.x", "input.not_finite"), ("k\x00", "input.bad_text"),
    ]


def test_a_lone_surrogate_in_a_metric_is_refused_and_not_saved(app_client, admin_headers):
    res = app_client.post(
        "/api/monitor/metrics", headers={**admin_headers, "content-type": "application/json"},
        content=b'{"key": "app.opens", "name": "x\\ud800", "definition": {"event": {"event": "app_open"}}}')
    assert res.status_code == 422, res.text
    assert res.json()["field"] == "name" and res.json()["code"] == "input.bad_text"
    listed = app_client.get("/api/monitor/metrics", headers=admin_headers)
    assert listed.status_code == 200 and listed.json() == []


def test_a_surrogate_deep_in_a_definition_names_its_path(app_client, admin_headers):
    res = app_client.post(
        "/api/insight/segments", headers={**admin_headers, "content-type": "application/json"},
        content=b'{"name": "s", "definition": {"type": "group", "op": "and", "conditions": ['
                b'{"type": "attribute", "field": "city", "op": "eq", "value": "\\udfff"}]}}')
    assert res.status_code == 422, res.text
    assert res.json()["field"] == "definition.conditions.0.value"
    assert app_client.get("/api/insight/segments", headers=admin_headers).json()["total"] == 0


def test_a_nul_character_is_refused(app_client, admin_headers):
    res = app_client.post("/api/dashboards", headers=admin_headers, json={"name": "a\x00b"})
    assert res.status_code == 422 and res.json()["field"] == "name"
    assert app_client.get("/api/dashboards", headers=admin_headers).json() == []


@pytest.mark.parametrize("path", [
    f"/api/insight/segments/{BIG}", f"/api/insight/tags/{BIG}", f"/api/dashboards/{-BIG}",
    f"/api/monitor/metrics/{BIG}/value",
])
def test_an_id_beyond_64_bits_is_a_422_naming_the_parameter(app_client, admin_headers, path):
    res = app_client.get(path, headers=admin_headers)
    assert res.status_code == 422, res.text
    assert res.json()["code"] == "input.int_range" and res.json()["field"].endswith("_id")


def test_an_offset_beyond_64_bits_is_a_422(app_client, admin_headers):
    res = app_client.get("/api/insight/ml/churn/customers", params={"offset": str(BIG)}, headers=admin_headers)
    assert res.status_code == 422 and res.json()["field"] == "offset"
    # A digit string where text is expected (a card number, an ID number) is not an integer.
    res = app_client.get("/api/customers", params={"q": "9" * 20}, headers=admin_headers)
    assert res.status_code == 200, res.text


def test_an_integer_beyond_64_bits_in_a_body_is_refused(app_client, admin_headers):
    res = app_client.post("/api/monitor/alert-rules", headers=admin_headers, json={
        "metric_id": BIG, "name": "x", "op": "gt", "threshold": 1})
    assert res.status_code == 422 and res.json()["field"] == "metric_id"


def test_undecodable_bytes_in_a_path_or_query_are_never_a_server_error(app_client, admin_headers):
    for url in ("/api/customers?q=%ED%A0%80", "/api/customers?q=%00", "/api/insight/segments/%ED%A0%80",
                "/api/customers/%00"):
        res = app_client.get(url, headers=admin_headers)
        assert res.status_code < 500, (url, res.status_code, res.text)

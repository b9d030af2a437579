"""The bank's declared attributes (数据接入) are in the insight field catalogue: segments and tags use them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import add_customers
from mofang.platform.context import Platform


def _declare(client: TestClient, headers: dict[str, str]) -> None:
    for key, body in (("salary_avg", {"type": "number", "zh": "月均代发"}),
                      ("vip_since", {"type": "date", "zh": "贵宾起始日"}),
                      ("wechat_id", {"type": "string", "zh": "微信号", "pii": True})):
        assert client.put(f"/api/data/attributes/{key}", headers=headers, json=body).status_code == 200


def _estimate(client: TestClient, headers: dict[str, str], cond: dict) -> int:
    res = client.post("/api/insight/segments/estimate", headers=headers, json={"definition": cond})
    assert res.status_code == 200, res.text
    return res.json()["count"]


def test_declared_attributes_are_in_the_catalogue_and_filter_segments(
    platform: Platform, app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    _declare(app_client, admin_headers)
    attrs = {a["key"]: a for a in app_client.get("/api/insight/catalogue", headers=admin_headers).json()["attributes"]}
    assert attrs["attr:salary_avg"]["label"] == "月均代发" and attrs["attr:salary_avg"]["type"] == "number"
    assert attrs["attr:vip_since"]["type"] == "date" and "gt" in attrs["attr:salary_avg"]["ops"]
    assert "attr:wechat_id" not in attrs  # PII stays encrypted: nothing to compare in clear
    # Declared but never loaded: a definition naming it counts nobody (and does not fail).
    rich = {"type": "attribute", "field": "attr:salary_avg", "op": "gt", "value": 5000}
    assert _estimate(app_client, admin_headers, rich) == 0

    add_customers(platform, {c: {"name": "客户", "org_code": "GD-SZ-001"} for c in ("K1", "K2", "K3")})
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO customer_attributes VALUES (?, ?, ?)", [
            ["K1", "salary_avg", "8500.0"], ["K2", "salary_avg", "3000.0"], ["K1", "vip_since", "2024-05-01"]])
    assert _estimate(app_client, admin_headers, rich) == 1
    assert _estimate(app_client, admin_headers, {"type": "attribute", "field": "attr:salary_avg",
                                                 "op": "is_null"}) == 1
    assert _estimate(app_client, admin_headers, {"type": "attribute", "field": "attr:vip_since", "op": "lt",
                                                 "value": "2025-01-01"}) == 1
    unknown = app_client.post("/api/insight/segments/estimate", headers=admin_headers, json={"definition": {
        "type": "attribute", "field": "attr:wechat_id", "op": "eq", "value": "x"}})
    assert unknown.status_code == 422 and unknown.json()["code"] == "attribute.unknown"

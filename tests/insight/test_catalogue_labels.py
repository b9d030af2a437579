"""The field catalogue names event properties, so builders show 产品类型 rather than `product_type`."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from factories import add_customers, events_for


def test_event_properties_carry_display_names(app_client: TestClient, platform, admin_headers) -> None:
    add_customers(platform, {"C1": {"name": "客户一", "org_code": "GD-SZ-001", "aum": 1000.0}})
    events_for(platform, {"C1": [("product_view", datetime(2026, 11, 1, 10), {"product_type": "基金", "page": "home"}),
                                 ("odd_event", datetime(2026, 11, 1, 11), {"odd_key": "x"})]})
    cat = app_client.get("/api/insight/catalogue", headers=admin_headers).json()
    props = {e["name"]: {p["key"]: p["label"] for p in e["properties"]} for e in cat["events"]}
    assert props["product_view"]["product_type"] == "产品类型"
    assert props["product_view"]["page"] == "页面"
    # A key nobody named stays itself rather than being guessed.
    assert props["odd_event"]["odd_key"] == "odd_key"

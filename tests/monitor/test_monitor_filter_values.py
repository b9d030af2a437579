"""Filter values offered from the data: the top values of a property or attribute among the customers in the user's
scope, and whether a typed value occurs at all (so `product = p1` is flagged instead of silently matching 0)."""

from __future__ import annotations


def _values(client, headers, **params):
    res = client.get("/api/analytics/values", headers=headers, params=params)
    assert res.status_code == 200, res.text
    return res.json()


def test_top_values_of_an_event_property_and_a_check(app_client, admin_headers, bank):
    got = _values(app_client, admin_headers, source="events", event="product_view", key="product", check="p1")
    assert [(v["value"], v["count"]) for v in got["values"]] == [("P1", 3), ("P2", 1), ("P3", 1)]
    assert got["checked"] == {"value": "p1", "count": 0}  # never seen: the console warns
    assert _values(app_client, admin_headers, source="events", key="product", check="P2")["checked"]["count"] == 1


def test_values_are_those_of_the_users_scope(app_client, make_user, login, bank):
    zj = login(make_user("zj_vals", "branch_operator", "ZJ"))
    got = _values(app_client, zj, source="events", event="product_view", key="product", check="P2")
    # Only c4 (P1) and c5 (P3) are Zhejiang's; c2's P2 belongs to another branch and is not even confirmed.
    assert [v["value"] for v in got["values"]] == ["P1", "P3"]
    assert got["checked"]["count"] == 0
    tiers = _values(app_client, zj, source="attribute", key="tier")
    assert [(v["value"], v["count"]) for v in tiers["values"]] == [("潜力", 1), ("财富", 1)]
    assert _values(app_client, zj, source="attribute", key="tier", check="私行")["checked"]["count"] == 0


def test_personal_data_and_bad_fields(app_client, admin_headers, bank):
    assert _values(app_client, admin_headers, source="events", key="phone")["personal"] is True
    res = app_client.get("/api/analytics/values", headers=admin_headers, params={"source": "attribute", "key": "aum"})
    assert res.status_code == 422 and res.json()["field"] == "key"
    res = app_client.get("/api/analytics/values", headers=admin_headers, params={"source": "events", "key": "a b"})
    assert res.status_code == 422 and res.json()["field"] == "key"

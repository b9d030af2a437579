"""Churn warning list: each customer carries the outlet's and the relationship manager's names, as on Customer 360."""

from __future__ import annotations

CHURN = "/api/insight/ml/churn"


def test_warning_list_names_the_outlet_and_the_rm_like_customer_360(demo_bank) -> None:
    client, admin = demo_bank.client, demo_bank.admin
    if client.get(CHURN, headers=admin).json()["model_id"] is None:
        assert client.post(f"{CHURN}/train", headers=admin).status_code == 200
    items = client.get(f"{CHURN}/customers?limit=50", headers=admin).json()["items"]
    assert items
    for c in items:
        profile = client.get(f"/api/customers/{c['customer_id']}", headers=admin).json()["profile"]
        assert c["org_name"] == profile["org_name"] and c["org_name"], c
        assert c["rm_name"] == profile.get("rm_name"), c
    assert any(c["rm_name"] for c in items)  # the demo gives most customers an RM

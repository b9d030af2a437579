"""Shared helpers of the campaign tests: the clock, the period, a fake benefits facade, a running campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
START, END = "2026-12-01T00:00:00Z", "2026-12-31T00:00:00Z"


@dataclass
class Issued:
    """What the fake benefits facade was asked to issue, by idempotency key (a repeat key issues nothing new)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(kw)
        return self.by_key.setdefault(kw["idempotency_key"], {"ok": True, "benefit_id": kw["benefit_id"],
                                                              "customer_id": kw["customer_id"]})

    def to(self, customer_id: str) -> list[int]:
        return sorted(v["benefit_id"] for v in self.by_key.values() if v["customer_id"] == customer_id)


def running_campaign(client: TestClient, people: dict[str, dict[str, str]], template_id: str,
                     params: dict[str, Any], **extra: Any) -> int:
    """Create, submit, approve (another user) and launch a campaign; its id."""
    body = {"name": extra.pop("name", f"测试{template_id}"), "template_id": template_id, "params": params,
            "starts_at": START, "ends_at": END, "budget": 1000, "stock": 100, **extra}
    res = client.post("/api/campaigns", json=body, headers=people["maker"])
    assert res.status_code == 201, res.text
    cid = res.json()["id"]
    sub = client.post(f"/api/campaigns/{cid}/submit", headers=people["maker"])
    assert sub.status_code == 200, sub.text
    dec = client.post(f"/api/approvals/{sub.json()['id']}/decide", json={"approve": True},
                      headers=people["gd_approver"])
    assert dec.status_code == 200, dec.text
    launched = client.post(f"/api/campaigns/{cid}/launch", headers=people["maker"])
    assert launched.status_code == 200, launched.text
    assert launched.json()["status"] == "running"
    return int(cid)

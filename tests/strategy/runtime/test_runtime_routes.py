"""Monitoring and API-entry routes: counts and customers within the viewer's scope, write-key entry."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mofang.app import create_app
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.service import Runtime
from strategy.runtime.kit import Clock, DictFacts, send_delay_exit


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The test moves the engine by hand: no background threads.
    return Settings(data_dir=tmp_path / "data", start_background=False, scheduler=False)


@pytest.fixture
def client(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(settings, platform=platform)) as c:
        yield c


@pytest.fixture
def running(platform: Platform, rt: Runtime, facts: DictFacts, clock: Clock) -> None:
    facts.orgs.update({"sz1": "GD-SZ-001", "sz2": "GD-SZ-001", "gz1": "GD-GZ-001"})
    activate(platform=platform, strategy_id=5, version=1, graph=send_delay_exit(), org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=5, node_id="in",
                 customers=[(c, {"phone": "13800001234"}, "a") for c in ("sz1", "sz2", "gz1")])
    while engine.dispatch(platform=platform, rt=rt):
        pass


def _headers(client: TestClient, make_user: Callable[..., str], name: str, role: str, org: str) -> dict[str, str]:
    make_user(name, role, org)
    res = client.post("/api/auth/login", json={"username": name, "password": "Test@Pass2026"})
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


@pytest.mark.usefixtures("running")
def test_counts_and_customers_are_those_of_the_viewers_scope(client: TestClient, make_user: Callable[..., str]
                                                             ) -> None:
    hq = _headers(client, make_user, "hq", "hq_operator", "HQ")
    gz = _headers(client, make_user, "gz", "branch_operator", "GD-GZ-001")
    whole = client.get("/api/strategies/5/stats", headers=hq).json()
    mine = client.get("/api/strategies/5/stats", headers=gz).json()
    assert whole["totals"]["entered"] == 3 and mine["totals"]["entered"] == 1
    assert whole["nodes"]["wait"]["waiting"] == 3 and mine["nodes"]["wait"]["waiting"] == 1
    assert whole["nodes"]["in"]["entered"] == 3 and mine["nodes"]["in"]["entered"] == 1
    assert {e["source"]: e["count"] for e in whole["edges"]}["in"] == 3
    at_node = client.get("/api/strategies/5/nodes/wait/customers", headers=gz).json()
    assert [c["customer_id"] for c in at_node["items"]] == ["gz1"] and at_node["total"] == 1
    assert client.get("/api/customers/sz1/journeys", headers=gz).json()["items"] == []
    [journey] = client.get("/api/customers/sz1/journeys", headers=hq).json()["items"]
    assert journey["node"] == "wait" and journey["status"] == "waiting"
    assert "13800001234" not in str(journey)  # a payload's phone number is masked on read
    assert journey["steps"]


def test_unknown_strategy_and_bad_input_are_4xx(client: TestClient, make_user: Callable[..., str]) -> None:
    hq = _headers(client, make_user, "hq", "hq_operator", "HQ")
    assert client.get("/api/strategies/99/stats", headers=hq).status_code == 404
    assert client.get("/api/strategies/0/stats", headers=hq).status_code == 422
    assert client.get("/api/strategies/5/nodes/a%20b/customers", headers=hq).status_code == 422
    assert client.get("/api/strategies/5/stats").status_code == 401


@pytest.mark.usefixtures("running")
def test_bank_systems_enter_customers_with_a_write_key(client: TestClient, platform: Platform,
                                                       make_user: Callable[..., str]) -> None:
    with platform.metadata.session() as s:
        key = gov.create_key(session=s, name="core banking", actor="test").key
    basic = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    body = {"customer_id": "sz9", "payload": {"amount": 5}, "idempotency_key": "txn-1"}
    first = client.post("/api/strategies/5/enter", json=body, headers=basic)
    assert first.status_code == 200 and first.json()["entered"] is True
    again = client.post("/api/strategies/5/enter", json=body, headers=basic).json()
    assert again == first.json()  # a retried call gets its first answer, and nobody enters twice
    other = client.post("/api/strategies/5/enter", json={**body, "idempotency_key": "txn-2"}, headers=basic).json()
    assert other == {"entered": False, "instance_id": None, "reason": "reentry"}  # one journey at a time
    bad = {"Authorization": "Basic " + base64.b64encode(b"nope:").decode()}
    assert client.post("/api/strategies/5/enter", json=body, headers=bad).status_code == 401
    assert client.post("/api/strategies/5/enter", json=body).status_code == 401
    hq = _headers(client, make_user, "hq", "hq_operator", "HQ")
    by_user = client.post("/api/strategies/5/enter", json={**body, "customer_id": "sz8"}, headers=hq).json()
    assert by_user["entered"] is True
    audit = client.get("/api/admin/audit", headers=_headers(client, make_user, "root", "admin", "HQ")).json()
    entries = audit["items"] if isinstance(audit, dict) else audit
    assert any(e["action"] == "strategy.enter" and e["username"] == "hq" for e in entries)
    gz = _headers(client, make_user, "gz", "branch_operator", "GD-GZ-001")
    assert client.post("/api/strategies/5/enter", json=body, headers=gz).status_code == 404  # HQ's strategy
    analyst = _headers(client, make_user, "an", "analyst", "HQ")
    assert client.post("/api/strategies/5/enter", json=body, headers=analyst).status_code == 403
    res = client.post("/api/strategies/6/enter", json=body, headers=basic)
    assert res.status_code == 409 and res.json()["code"] == "engine.not_active"
    assert client.post("/api/strategies/5/enter", json={**body, "extra": 1}, headers=basic).status_code == 422

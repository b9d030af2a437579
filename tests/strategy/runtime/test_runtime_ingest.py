"""An event a bank's app sends to `/v1/batch` enters a real-time strategy in the running server, once."""

from __future__ import annotations

import base64
import time

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.strategy.engine import activate
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service import Runtime
from strategy.runtime.kit import send_delay_exit


def _instances(platform: Platform) -> list[EngineInstance]:
    with platform.metadata.session() as session:
        return list(session.scalars(select(EngineInstance).order_by(EngineInstance.customer_id)))


def test_an_ingested_event_enters_an_event_triggered_strategy_once(platform: Platform, rt: Runtime,
                                                                   app_client: TestClient) -> None:
    entry = {"id": "in", "type": "event_entry", "event": "理财.购买"}
    activate(platform=platform, strategy_id=7, version=1, graph=send_delay_exit(entry), org_code="HQ")
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
            "Content-Type": "application/json"}
    batch = {"batch": [
        {"type": "track", "event": "理财.购买", "userId": "C100", "messageId": "buy-1", "properties": {"amount": 5}},
        {"type": "track", "event": "login", "userId": "C200", "messageId": "login-1"},
    ]}
    for _ in range(2):  # the app retries the same batch: nobody enters twice
        res = app_client.post("/v1/batch", content=orjson.dumps(batch), headers=auth)
        assert res.status_code == 200, res.text
    deadline = time.monotonic() + 20
    while not _instances(platform) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    got = _instances(platform)
    assert [(i.customer_id, i.strategy_id, i.entry_key) for i in got] == [("C100", 7, "at:buy-1")]

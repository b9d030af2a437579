"""Ingestion publishes to NATS JetStream when `MOFANG_BUS_URL` names one (skipped without MOFANG_TEST_NATS_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from ingest_helpers import Sender
from test_bus_publish import Inbox

from mofang.platform.bus import bus_of, event_subject
from mofang.platform.bus.jetstream import JetStreamBus
from mofang.platform.context import Platform
from mofang.platform.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings whose bus is a JetStream namespace of this test alone."""
    url = os.environ.get("MOFANG_TEST_NATS_URL")
    if not url:
        if os.environ.get("MOFANG_TEST_REQUIRE_ALL"):
            pytest.fail("MOFANG_TEST_NATS_URL is required in CI")
        pytest.skip("NATS tests skipped: set MOFANG_TEST_NATS_URL (a JetStream server) to run them")
    sep = "&" if "?" in url else "?"
    yield Settings(data_dir=tmp_path / "data", scheduler=False,
                   bus_url=f"{url}{sep}namespace=t{uuid.uuid4().hex[:12]}")


def test_ingested_events_reach_jetstream(platform: Platform, send: Sender,
                                         stored: Callable[..., list[dict[str, Any]]]) -> None:
    bus = bus_of(platform)
    assert isinstance(bus, JetStreamBus)
    inbox = Inbox()
    try:
        bus.subscribe("events.>", "probe", inbox)
        events = [{"type": "track", "event": "理财.购买" if i % 2 else "App Opened", "userId": f"C{i}",
                   "messageId": f"n{i}", "properties": {"amount": i}} for i in range(40)]
        assert send.batch(events).status_code == 200
        assert len(stored()) == 40
        inbox.wait_for(40)
        got = inbox.by_message_id()
        assert set(got) == {f"n{i}" for i in range(40)}
        msg, body = got["n3"]
        assert msg.subject == event_subject("理财.购买") and msg.id == "n3"
        assert body["customer_id"] == "C3" and body["properties"] == {"amount": 3}
        assert orjson.loads(got["n4"][0].data)["event"] == "App Opened"
    finally:
        bus.delete_streams()

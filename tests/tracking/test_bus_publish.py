"""Every event ingestion stores reaches the bus once stored, as the strategy engine reads it, even across a crash."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from ingest_helpers import Sender

from mofang.app import create_app
from mofang.platform.bus import BusMessage, bus_of, event_subject
from mofang.platform.bus.embedded import EmbeddedBus
from mofang.platform.context import Platform
from mofang.platform.settings import Settings

SHAPE = {"customer_id", "user_id", "anonymous_id", "event", "ts", "properties", "message_id"}


class Inbox:
    """A subscriber collecting what the bus delivers.

    Tests subscribe it in a group of their own ("probe"): the app's engine is a member of group "engine", and a
    group shares its messages among its members, so a probe in that group would see only some of them."""

    def __init__(self) -> None:
        self.messages: list[BusMessage] = []
        self.lock = threading.Lock()

    def __call__(self, messages: Sequence[BusMessage]) -> None:
        with self.lock:
            self.messages.extend(messages)

    def by_message_id(self) -> dict[str, tuple[BusMessage, dict[str, Any]]]:
        with self.lock:
            return {(body := orjson.loads(m.data))["message_id"]: (m, body) for m in self.messages}

    def wait_for(self, n: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n:
            assert time.monotonic() < deadline, f"only {len(self.messages)} of {n} events reached the bus"
            time.sleep(0.02)


def test_ingested_events_reach_the_bus_with_the_stitched_customer(
        platform: Platform, send: Sender, stored: Callable[..., list[dict[str, Any]]]) -> None:
    inbox = Inbox()
    bus_of(platform).subscribe("events.>", "probe", inbox)
    res = send.batch([
        {"type": "track", "event": "理财.购买", "userId": "C100", "messageId": "m1",
         "timestamp": "2026-12-01T08:00:00Z", "properties": {"amount": 5000, "mobile": "13812345678"}},
        {"type": "identify", "userId": "C200", "anonymousId": "dev-9", "messageId": "m2"},
        {"type": "track", "event": "App Opened", "anonymousId": "dev-9", "messageId": "m3"},
        {"type": "track", "event": "login", "anonymousId": "stranger", "messageId": "m4"},
    ])
    assert res.status_code == 200, res.text
    assert len(stored()) == 4
    inbox.wait_for(4)
    got = inbox.by_message_id()
    assert set(got) == {"m1", "m2", "m3", "m4"}
    msg, body = got["m1"]
    assert set(body) == SHAPE
    assert msg.subject == event_subject("理财.购买") and msg.id == "m1"
    assert body["event"] == "理财.购买" and body["customer_id"] == "C100" and body["user_id"] == "C100"
    assert body["ts"] == "2026-12-01T08:00:00.000000+00:00"
    assert body["properties"]["amount"] == 5000
    assert "13812345678" not in msg.data.decode(), "a phone number went onto the bus in clear"
    # The anonymous event after the identify carries the customer it was stitched to; a stranger has none.
    assert got["m3"][1]["customer_id"] == "C200" and got["m3"][1]["user_id"] is None
    assert got["m3"][1]["anonymous_id"] == "dev-9"
    assert got["m4"][1]["customer_id"] is None


def test_a_duplicate_event_is_not_published_again(
        platform: Platform, send: Sender, stored: Callable[..., list[dict[str, Any]]]) -> None:
    inbox = Inbox()
    bus_of(platform).subscribe("events.>", "probe", inbox)
    event = {"type": "track", "event": "login", "userId": "C1", "messageId": "once"}
    assert send.batch([event]).status_code == 200
    stored()
    inbox.wait_for(1)
    assert send.batch([event, {**event, "messageId": "twice"}]).status_code == 200
    stored()
    inbox.wait_for(2)
    time.sleep(0.3)
    assert sorted(m.id for m in inbox.messages) == ["once", "twice"]


class RefusingBus:
    """A bus that is down: every publish fails."""

    def publish_messages(self, messages: Sequence[BusMessage]) -> None:
        raise ConnectionError("bus unreachable")

    def subscribe(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("bus unreachable")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("background", [True, False])
def test_events_stored_while_the_bus_was_down_are_published_at_the_next_start(
        tmp_path: Path, write_key: str, background: bool) -> None:
    settings = Settings(data_dir=tmp_path / "data", start_background=background, scheduler=False)
    from mofang.platform.context import open_platform

    plat = open_platform(settings)
    try:
        plat.extras["bus"] = RefusingBus()
        with TestClient(create_app(settings, platform=plat)) as client:
            from mofang.platform.governance import service as gov

            with plat.metadata.session() as session:
                key = gov.create_key(session=session, name="app", actor="test").key
            events = [{"type": "track", "event": "Fund Purchased", "userId": f"C{i}", "messageId": f"k{i}"}
                      for i in range(50)]
            assert Sender(client, key).batch(events).status_code == 200
            ingestor = plat.extras["ingestor"]
            assert ingestor.flush(timeout=10)
            assert plat.store.scalar("SELECT count(*) FROM bus_outbox") == 50
            # A crash now: the publisher never gets to finish (it would only have retried anyway).
            ingestor.publisher._stopping = True
            ingestor.publisher.stop = lambda timeout=0.0: None
        # Restart with the bus back: the outbox is published before anything new.
        bus = EmbeddedBus(settings.data_dir / "bus.sqlite", poll_interval=0.02)
        plat.extras["bus"] = bus
        inbox = Inbox()
        bus.subscribe("events.>", "probe", inbox)
        with TestClient(create_app(settings, platform=plat)):
            inbox.wait_for(50)
            assert plat.extras["ingestor"].publisher.wait_idle(10)
        assert sorted(m.id for m in inbox.messages) == sorted(f"k{i}" for i in range(50))
        assert plat.store.scalar("SELECT count(*) FROM bus_outbox") == 0
        assert orjson.loads(inbox.messages[0].data)["event"] == "Fund Purchased"
    finally:
        plat.close()

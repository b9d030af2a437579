"""The official Segment Python library, unmodified, against a real server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import segment.analytics as analytics

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from servers import served as serve_app


@pytest.fixture
def server_url(settings: Settings, platform: Platform) -> Iterator[str]:
    """A uvicorn server in a thread, stopped (and ingestion flushed) at the end."""
    with serve_app(settings, platform) as url:
        yield url


@pytest.mark.parametrize("gzip", [True, False])
def test_official_client_events_land_once_and_are_attributed(
    server_url: str, write_key: str, platform: Platform, gzip: bool
) -> None:
    errors: list[Any] = []
    client = analytics.Client(write_key, host=server_url, gzip=gzip, on_error=lambda e, batch: errors.append(e),
                              upload_interval=0.05, max_retries=2)
    # Before login the app knows only its device id.
    client.track(anonymous_id="device-7", event="App Opened", properties={"version": "5.2"}, message_id="s1")
    client.page(anonymous_id="device-7", name="理财产品列表", message_id="s2")
    client.flush()
    # Login: the app identifies the customer; then events carry the userId.
    client.identify(user_id="C1001", anonymous_id="device-7", traits={"tier": "财富"}, message_id="s3")
    client.track(user_id="C1001", event="Fund Purchased", properties={"amount": 50000}, message_id="s4")
    # A retry of a message already delivered (same messageId) must not double it.
    client.track(anonymous_id="device-7", event="App Opened", properties={"version": "5.2"}, message_id="s1")
    client.flush()
    client.shutdown()
    assert errors == []
    assert platform.extras["ingestor"].flush(timeout=10)
    rows = platform.store.query("SELECT message_id, type, event, customer_id, channel FROM events "
                                "ORDER BY message_id")
    assert [(r["message_id"], r["type"], r["customer_id"]) for r in rows] == [
        ("s1", "track", "C1001"), ("s2", "page", "C1001"), ("s3", "identify", "C1001"),
        ("s4", "track", "C1001"),
    ]
    assert {r["channel"] for r in rows} == {"server"}  # analytics-python is a server library


def test_official_client_sees_an_unknown_key_as_an_error(server_url: str, platform: Platform) -> None:
    errors: list[Any] = []
    client = analytics.Client("mfk_not_a_key", host=server_url, on_error=lambda e, batch: errors.append(e),
                              max_retries=0, sync_mode=True)
    with pytest.raises(Exception, match="401"):
        client.track(user_id="C1", event="x")
    assert platform.store.scalar("SELECT count(*) FROM events") == 0

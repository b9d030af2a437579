"""Fixtures for ingestion tests: a write key, a client that sends Segment calls, stored rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import Sender

from mofang.platform.context import Platform
from mofang.platform.governance import service as gov


@pytest.fixture
def write_key(platform: Platform) -> str:
    """A valid ingestion write key."""
    with platform.metadata.session() as session:
        return gov.create_key(session=session, name="test app", actor="test").key


@pytest.fixture
def send(app_client: TestClient, write_key: str) -> Sender:
    """A sender with a valid write key."""
    return Sender(app_client, write_key)


@pytest.fixture
def stored(platform: Platform) -> Callable[..., list[dict[str, Any]]]:
    """Flush ingestion, then return rows of `events` (optionally filtered by a WHERE clause)."""

    def _rows(where: str = "TRUE", params: list[Any] | None = None) -> list[dict[str, Any]]:
        ingestor = platform.extras.get("ingestor")
        if ingestor is not None:
            assert ingestor.flush(timeout=10)
        return platform.store.query(f"SELECT * FROM events WHERE {where} ORDER BY ts, message_id", params)

    return _rows

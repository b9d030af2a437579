"""Bus fixtures: every scenario runs on the embedded queue and, when configured, on NATS JetStream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bus_helpers import BusFarm


@pytest.fixture(params=["embedded", "nats"])
def farm(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BusFarm]:
    """Connections onto one bus: the embedded queue file, then NATS JetStream (skipped when not configured)."""
    f = BusFarm(request.param, tmp_path)
    yield f
    f.close()

"""Reach centre (触达中心): one delivery service for every channel, content library, receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mofang.platform.context import Platform
    from mofang.reach.contracts import DeliveryResult, SendRequest


def send(*, platform: Platform, request: SendRequest, now: datetime | None = None) -> DeliveryResult:
    """Send one message once (policy → consent → address → render → provider); idempotent by its key."""
    from mofang.reach.delivery.service import send as _send

    return _send(platform=platform, request=request, now=now)


def send_many(*, platform: Platform, requests: Sequence[SendRequest], now: datetime | None = None
              ) -> list[DeliveryResult]:
    """Send a batch, each message exactly as `send` would (answers in order; providers called in parallel)."""
    from mofang.reach.delivery.service import send_many as _send_many

    return _send_many(platform=platform, requests=requests, now=now)


def process_due(*, platform: Platform, now: datetime | None = None) -> int:
    """Make due retries, recover crashed attempts, hand queued receipt events to ingestion."""
    from mofang.reach.delivery.tasks import pump_once

    return pump_once(platform=platform, now=now)

"""Tracking: Segment-compatible event ingestion, identity stitching, bulk import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mofang.platform.context import Platform


def ingest_server_events(platform: Platform, messages: Sequence[dict[str, Any]], *, timeout: float = 10.0) -> int:
    """Ingest events the server itself produced (Segment track messages) through the normal path.

    Validated and PII-masked like /v1 events, made durable in the WAL (deduplicated by messageId, so a repeat is
    harmless) before this returns; raises `tracking.service.Overloaded` when ingestion is not running or full, and
    ValueError when a message is refused (the caller keeps its own copy and tries again later).
    """
    import orjson

    from mofang.tracking import logic, service
    from mofang.tracking.pii import guard_of

    if not messages:
        return 0
    ingestor = service.ingestor_of(platform)  # before any work: without ingestion running, nothing to do
    settings = platform.settings
    prepared = logic.prepare(orjson.dumps({"batch": list(messages)}), encoding=None, kind=None,
                             received_us=logic.now_us(), max_event_bytes=settings.max_event_bytes,
                             max_batch_bytes=max(settings.max_batch_bytes, 16 * 1024 * 1024), want_key=False,
                             guard=guard_of(platform))
    if prepared.error is not None:
        raise ValueError(prepared.error.message)
    if prepared.rejected:
        raise ValueError(f"{len(prepared.rejected)} server events refused: {prepared.rejected[0]}")
    ingestor.submit(prepared.payload, prepared.count).result(timeout=timeout)
    return prepared.count

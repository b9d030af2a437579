"""Tracking: Segment-compatible event ingestion, identity stitching, bulk import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mofang.platform.context import Platform
    from mofang.tracking.logic import Prepared

_SERVER_BATCH_BYTES = 16 * 1024 * 1024  # the server's own batches are not bound by the public request limit


def _refused(prepared: Prepared) -> None:
    """Raise ValueError when the server's own events were refused (a bug upstream, not a client's input)."""
    if prepared.error is not None:
        raise ValueError(prepared.error.message)
    if prepared.rejected:
        raise ValueError(f"{len(prepared.rejected)} server events refused: {prepared.rejected[0]}")


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
                             max_batch_bytes=max(settings.max_batch_bytes, _SERVER_BATCH_BYTES), want_key=False,
                             guard=guard_of(platform))
    _refused(prepared)
    ingestor.submit(prepared.payload, prepared.count).result(timeout=timeout)
    return prepared.count


async def ingest_server_events_async(platform: Platform, messages: Sequence[dict[str, Any]], *,
                                     timeout: float = 10.0) -> int:
    """`ingest_server_events` from the event loop: prepared in a parse worker like a /v1 body (not under the GIL).

    Falls back to preparing in this process when the platform has no parse workers; raises like the synchronous
    one, and `tracking.parsers.ParserUnavailable` when no parse worker could answer.
    """
    import asyncio

    import orjson

    from mofang.tracking import logic, parsers, service

    if not messages:
        return 0
    ingestor = service.ingestor_of(platform)
    settings = platform.settings
    prepared = await parsers.prepare(platform, orjson.dumps({"batch": list(messages)}), encoding=None, kind=None,
                                     received_us=logic.now_us(), max_event_bytes=settings.max_event_bytes,
                                     max_batch_bytes=max(settings.max_batch_bytes, _SERVER_BATCH_BYTES),
                                     want_key=False)
    _refused(prepared)
    await asyncio.wait_for(asyncio.wrap_future(ingestor.submit(prepared.payload, prepared.count)), timeout)
    return prepared.count

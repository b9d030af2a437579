"""Segment-compatible ingestion endpoints (/v1/track ... /v1/batch) and the ingestion status page."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mofang.platform.context import Platform
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_KEYS
from mofang.tracking import keys, logic, parsers, service
from mofang.tracking.contracts import TYPES

router = APIRouter(tags=["tracking"])

_GZIP_SLACK = 1024  # gzip of JSON is smaller than the JSON; this covers headers of tiny bodies
_BAD_KEY = "invalid or revoked write key"


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, message: str, *, field: str | None = None, code: str = "invalid_request",
           headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """Errors name the problem for people (`detail`) and for Segment clients (`code`, `message`)."""
    body: dict[str, Any] = {"success": False, "code": code, "message": message, "detail": message}
    if field:
        body["field"] = field
    body.update(extra)
    return _json(status, body, headers)


def _unauthorized(message: str) -> Response:
    return _error(401, message, code="unauthorized", field="writeKey",
                  headers={"WWW-Authenticate": 'Basic realm="mofang ingestion"'})


async def _key_ok(platform: Platform, key: str) -> bool:
    verdict = keys.write_key_cached(platform, key)
    if verdict is None:
        verdict = await run_in_threadpool(keys.write_key_ok, platform, key)
    return verdict


async def _read_body(request: Request, cap: int, what: str, limit: int) -> bytes:
    """The raw body, refusing to buffer more than `cap` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise logic.PayloadError(f"{what} is {declared} bytes, more than the {logic.kb(limit)} limit",
                                 field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise logic.PayloadError(f"{what} is more than the {logic.kb(limit)} limit", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


async def _ingest(request: Request, kind: str | None) -> Response:
    """Authenticate, decode and validate (in a parse worker), make durable, answer."""
    platform: Platform = request.app.state.platform
    settings = platform.settings
    what = "batch" if kind is None else "event"
    limit = settings.max_batch_bytes if kind is None else settings.max_event_bytes
    # An empty Basic user name counts as no header: the key may still come in the body.
    header_key = logic.basic_auth_key(request.headers.get("authorization")) or None
    if header_key is not None and not await _key_ok(platform, header_key):
        return _unauthorized(_BAD_KEY)
    encoding = request.headers.get("content-encoding")
    try:
        raw = await _read_body(request, limit + (_GZIP_SLACK if encoding else 0), what, limit)
    except logic.PayloadError as exc:
        return _error(exc.status, exc.message, field=exc.field, code=exc.code)
    try:
        prepared = await parsers.prepare(
            platform, raw, encoding=encoding, kind=kind, received_us=logic.now_us(),
            max_event_bytes=settings.max_event_bytes, max_batch_bytes=settings.max_batch_bytes,
            want_key=header_key is None)
    except parsers.ParserUnavailable as exc:
        return _error(503, str(exc), code="unavailable", headers={"Retry-After": "1"})
    # A key in the body is checked before anything about the events is said.
    if prepared.write_key is not None and not await _key_ok(platform, prepared.write_key):
        return _unauthorized(_BAD_KEY)
    if (exc := prepared.error) is not None:
        if exc.status == 401:
            return _unauthorized(exc.message)
        return _error(exc.status, exc.message, field=exc.field, code=exc.code)
    if not prepared.count:
        return _error(400, f"none of the {len(prepared.rejected)} events was accepted", field="batch",
                      accepted=0, rejected=prepared.rejected)
    try:
        await asyncio.wrap_future(service.ingestor_of(platform).submit(prepared.payload, prepared.count))
    except (service.Overloaded, OSError) as exc:
        return _error(503, str(exc), code="unavailable", headers={"Retry-After": "1"})
    return _json(200, {"success": True, "accepted": prepared.count, "rejected": prepared.rejected})


_DOC = ("Segment-compatible. Write key as HTTP Basic user name (empty password) or `writeKey` in the "
        "body; `Content-Encoding: gzip` accepted. Limits: {limit}.")


@router.post("/v1/batch", summary="Send a batch of events", description=_DOC.format(
    limit="500 KB per request, 32 KB per event; rejected events are listed by index, the rest kept"))
async def batch(request: Request) -> Response:
    """Ingest a batch of Segment messages; the good ones are kept, the bad ones listed."""
    return await _ingest(request, None)


# Segment's historical-import endpoint is the batch endpoint under another name.
router.add_api_route("/v1/import", batch, methods=["POST"], summary="Send a batch of events (alias)",
                     description=_DOC.format(limit="as /v1/batch"))


def _single_route(kind: str) -> None:
    async def endpoint(request: Request) -> Response:
        return await _ingest(request, kind)

    endpoint.__name__ = f"ingest_{kind}"
    endpoint.__doc__ = f"Ingest one {kind} message."
    router.add_api_route(f"/v1/{kind}", endpoint, methods=["POST"], summary=f"Send one {kind} call",
                         description=_DOC.format(limit="32 KB"))


for _kind in TYPES:
    _single_route(_kind)


@router.get("/api/tracking/status", tags=["tracking"])
def status(platform: PlatformDep, _who: Annotated[Principal, Depends(require(P_ADMIN_KEYS))]) -> dict[str, Any]:
    """Ingestion health: backlog waiting for DuckDB, last flush, events stored."""
    ingestor = platform.extras.get("ingestor")
    body: dict[str, Any] = ingestor.status() if ingestor is not None else {"mode": "stopped"}
    body["parse_workers"] = parsers.status(platform)
    body["events_total"] = service.events_total(platform)
    return body

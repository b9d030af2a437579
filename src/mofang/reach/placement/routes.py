"""资源位 decision API for the bank's app server, authenticated by a write key like /v1/inbox."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from mofang.platform.deps import PlatformDep
from mofang.platform.errors import Unauthorized
from mofang.reach.placement import service
from mofang.reach.placement.contracts import ClickIn, Decision

router = APIRouter(prefix="/v1/placements", tags=["reach"])


def _key_of(authorization: str) -> str:
    """The write key of an HTTP Basic header (the user name), or ''."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _write_key(request: Request, platform: PlatformDep) -> None:
    """A valid write key (HTTP Basic, the key as user name), remembered briefly: decisions stay off the database."""
    key = _key_of(request.headers.get("authorization") or "")
    if key and (service.key_known(platform=platform, key=key) or service.check_key(platform=platform, key=key)):
        return
    raise Unauthorized("a valid write key is required (HTTP Basic, the key as user name)", code="unauthorized")


App = Annotated[None, Depends(_write_key)]
Slot = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
CustomerId = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


@router.get("/{slot}", response_model=Decision)
async def decide(slot: Slot, customer_id: CustomerId, _app: App, platform: PlatformDep) -> Decision:
    """The content slot X shows customer Y now (`placement` null when none); the impression becomes an event."""
    return await run_in_threadpool(lambda: service.decide(platform=platform, slot=slot, customer_id=customer_id))


@router.post("/{slot}/click", status_code=204)
def clicked(slot: Slot, body: ClickIn, _app: App, platform: PlatformDep) -> Response:
    """The customer tapped the placement (a placement_clicked event)."""
    service.click(platform=platform, slot=slot, customer_id=body.customer_id, placement_id=body.placement_id)
    return Response(status_code=204)


_PREFIX = "/v1/placements/"
_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_QUERY = re.compile(rb"customer_id=([A-Za-z0-9_.:\-]{1,64})")


class FastDecisions:
    """ASGI middleware answering `GET /v1/placements/{slot}?customer_id=` from memory, off the dependency chain.

    Only the plain case: a write key checked within KEY_TTL, a slot and a customer id that need no decoding, a
    decision `service.decide_on_loop` can make without blocking. Anything else (a new or bad key, input to refuse,
    placements or segments not in memory yet) goes on to the route above, which answers as it always has.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(_PREFIX):
            body = await self._answer(scope)
            if body is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _answer(scope: Scope) -> bytes | None:
        slot = scope["path"][len(_PREFIX):]
        query = _QUERY.fullmatch(scope["query_string"])
        if query is None or _ID.fullmatch(slot) is None:
            return None
        platform = scope["app"].state.platform
        auth = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        key = _key_of(auth.decode("latin-1"))
        if not key or not service.key_known(platform=platform, key=key):
            return None
        return await service.decide_on_loop(platform=platform, slot=slot, customer_id=query.group(1).decode())

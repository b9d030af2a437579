"""资源位 decision API for the bank's app server, authenticated by a write key like /v1/inbox."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from mofang.platform.deps import PlatformDep
from mofang.platform.errors import Unauthorized
from mofang.platform.governance import service as gov
from mofang.reach.placement import service
from mofang.reach.placement.contracts import ClickIn, Decision

router = APIRouter(prefix="/v1/placements", tags=["reach"])
KEY_TTL = 10.0  # seconds a checked write key is trusted without asking the database again (revocation lag)
_keys: dict[str, float] = {}


def _write_key(request: Request, platform: PlatformDep) -> None:
    """A valid write key (HTTP Basic, the key as user name), remembered briefly: decisions stay off the database."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    key = ""
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if key and _keys.get(key, 0.0) > time.monotonic():
        return
    if key:
        with platform.metadata.session() as session:
            if gov.write_key_valid(session=session, key=key):
                if len(_keys) > 1000:
                    _keys.clear()
                _keys[key] = time.monotonic() + KEY_TTL
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

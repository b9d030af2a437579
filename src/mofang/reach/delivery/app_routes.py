"""站内信 API for the bank's app server, authenticated by a write key like /v1 (HTTP Basic user name)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from mofang.platform.deps import PlatformDep, SessionDep
from mofang.platform.errors import Unauthorized
from mofang.platform.governance import service as gov
from mofang.reach.delivery import inbox_service

router = APIRouter(prefix="/v1/inbox", tags=["reach"])
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
MessageId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _write_key(request: Request, platform: PlatformDep) -> None:
    """The caller holds a valid write key (Basic auth, the key as user name)."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    key = ""
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if key:
        with platform.metadata.session() as session:
            if gov.write_key_valid(session=session, key=key):
                return
    raise Unauthorized("a valid write key is required (HTTP Basic, the key as user name)", code="unauthorized")


App = Annotated[None, Depends(_write_key)]


@router.get("/{customer_id}", response_model=inbox_service.InboxPage)
def list_messages(customer_id: CustomerId, _app: App, session: SessionDep,
                  limit: Annotated[int, Query(ge=1, le=100)] = 20,
                  offset: Annotated[int, Query(ge=0, le=10**6)] = 0) -> inbox_service.InboxPage:
    """One customer's messages, newest first, with the unread count."""
    return inbox_service.list_messages(session=session, customer_id=customer_id, limit=limit, offset=offset)


@router.get("/{customer_id}/unread")
def unread(customer_id: CustomerId, _app: App, session: SessionDep) -> dict[str, int]:
    """How many messages the customer has not read (the app's badge)."""
    return {"unread": inbox_service.unread(session=session, customer_id=customer_id)}


@router.post("/{customer_id}/messages/{message_id}/read", status_code=204)
def read(customer_id: CustomerId, message_id: MessageId, _app: App, platform: PlatformDep) -> Response:
    """The customer opened a message (a message_opened event)."""
    inbox_service.mark(platform=platform, customer_id=customer_id, message_id=message_id, action="read")
    return Response(status_code=204)


@router.post("/{customer_id}/messages/{message_id}/click", status_code=204)
def click(customer_id: CustomerId, message_id: MessageId, _app: App, platform: PlatformDep) -> Response:
    """The customer followed a message's link (a message_clicked event)."""
    inbox_service.mark(platform=platform, customer_id=customer_id, message_id=message_id, action="click")
    return Response(status_code=204)


@router.delete("/{customer_id}/messages/{message_id}", status_code=204)
def delete(customer_id: CustomerId, message_id: MessageId, _app: App, platform: PlatformDep) -> Response:
    """The customer deleted a message."""
    inbox_service.mark(platform=platform, customer_id=customer_id, message_id=message_id, action="delete")
    return Response(status_code=204)

"""The customer-facing campaign API: server-to-server (write key) and H5 (signed customer token) variants.

Every mutating call takes an `Idempotency-Key` header; a retry with the same key gets the first answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import customer, logic
from mofang.campaigns.lifecycle.contracts import AcceptInvite, CustomerCall, IdentityCall, ReportAction, TokenRequest
from mofang.campaigns.lifecycle.idempotency import fingerprint, run_once
from mofang.platform.context import Platform, now_of
from mofang.platform.crypto import sha256_hex
from mofang.platform.deps import PlatformDep
from mofang.platform.errors import Invalid, Unauthorized
from mofang.platform.governance import service as gov

router = APIRouter(prefix="/api/campaign-api", tags=["campaign-api"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
Token = Annotated[str, Path(min_length=10, max_length=400)]



def _key_of(request: Request) -> str:
    key = request.headers.get("x-api-key") or ""
    auth = request.headers.get("authorization") or ""
    if not key and auth.lower().startswith("basic "):
        try:
            key = base64.b64decode(auth[6:].strip(), validate=True).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    return key.strip()


def server_key(request: Request, platform: PlatformDep) -> str:
    """The bank's server: a valid write key (X-Api-Key, or the HTTP Basic user name). Answers its hash."""
    key = _key_of(request)
    if not key or len(key) > 200:
        raise Unauthorized("a write key is required (X-Api-Key)", code="campaign.key_required")
    with platform.metadata.session() as s:
        if not gov.write_key_valid(session=s, key=key):
            raise Unauthorized("invalid write key", code="campaign.key_invalid")
    return sha256_hex(key)[:16]


Server = Annotated[str, Depends(server_key)]
Handler = Callable[..., dict[str, Any]]


async def _mutate(platform: Platform, scope: str, key: str | None, campaign_id: int, body: Any, fn: Handler
                  ) -> JSONResponse:
    now = now_of(platform)

    def work(session: Session) -> dict[str, Any]:
        return fn(platform=platform, session=session, campaign_id=campaign_id, body=body, now=now)

    status, answer = await run_in_threadpool(
        run_once, platform, scope=scope, key=key,
        fingerprint_=fingerprint(fn.__name__, campaign_id, body.model_dump(mode="json")), fn=work)
    return JSONResponse(answer, status_code=status)


def _read(platform: Platform, fn: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    with platform.metadata.session() as s:
        return fn(s)


# ------------------------------------------------------------------------------------- server-to-server

ACTIONS: dict[str, tuple[type, Handler]] = {
    "join": (IdentityCall, customer.join), "checkin": (CustomerCall, customer.check_in),
    "draw": (CustomerCall, customer.lottery), "invite-code": (IdentityCall, customer.invite_code),
    "invite-accept": (AcceptInvite, customer.accept_invite), "actions": (ReportAction, customer.report_action),
    "claim": (CustomerCall, customer.claim),
}


def _route(name: str, model: type, fn: Handler) -> None:
    async def handler(campaign_id: Id, platform: PlatformDep, caller: Server, idempotency_key: IdemKey = None,
                      body: Any = Body(...)) -> JSONResponse:
        return await _mutate(platform, f"s2s:{caller}:{name}", idempotency_key, campaign_id, body, fn)

    handler.__annotations__["body"] = model
    handler.__name__ = f"s2s_{name.replace('-', '_')}"
    handler.__doc__ = f"{name} for a customer (write key; Idempotency-Key header)."
    router.add_api_route(f"/campaigns/{{campaign_id}}/{name}", handler, methods=["POST"], name=handler.__name__)


for _name, (_model, _fn) in ACTIONS.items():
    _route(_name, _model, _fn)


@router.get("/campaigns/{campaign_id}/eligibility")
def eligibility(campaign_id: Id, platform: PlatformDep, _caller: Server,
                customer_id: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    """Whether a customer may take part, and why not."""
    return _read(platform, lambda s: customer.eligibility(session=s, campaign_id=campaign_id,
                                                          customer_id=customer_id, now=now_of(platform)))


@router.get("/campaigns/{campaign_id}/progress")
def progress(campaign_id: Id, platform: PlatformDep, _caller: Server,
             customer_id: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    """Where a customer stands in the campaign."""
    return _read(platform, lambda s: customer.progress(session=s, campaign_id=campaign_id, customer_id=customer_id,
                                                       now=now_of(platform)))


@router.get("/campaigns/{campaign_id}/benefits")
def benefits(campaign_id: Id, platform: PlatformDep, _caller: Server,
             customer_id: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    """The rewards the campaign gave a customer."""
    return _read(platform, lambda s: customer.my_benefits(session=s, campaign_id=campaign_id,
                                                          customer_id=customer_id))


@router.post("/campaigns/{campaign_id}/h5-link")
def h5_link(campaign_id: Id, body: TokenRequest, platform: PlatformDep, _caller: Server) -> dict[str, Any]:
    """A signed, expiring link to the campaign's H5 page for one customer (put it in an SMS or WeChat message)."""
    _read(platform, lambda s: {"c": customer.live(s, campaign_id).id})
    expires = now_of(platform) + timedelta(minutes=body.ttl_minutes)
    token = logic.sign_token(customer.secret(platform), campaign_id=campaign_id, customer_id=body.customer_id,
                             expires=expires)
    return {"path": f"/h5/c/{token}", "token": token, "expires_at": expires.isoformat()}


# ------------------------------------------------------------------------------------- H5 (customer token)


def token_subject(platform: Platform, token: str) -> tuple[int, str]:
    """(campaign, customer) of a valid H5 token; 401 for a forged or expired one."""
    found = logic.read_token(customer.secret(platform), token, now=now_of(platform))
    if found is None:
        raise Unauthorized("this link is invalid or has expired", code="campaign.token_invalid")
    return found


H5_ACTIONS = {"join", "checkin", "draw", "invite-code", "invite-accept", "claim"}


@router.post("/h5/{token}/{action}")
async def h5_action(token: Token, action: str, platform: PlatformDep, idempotency_key: IdemKey = None,
                    body: Annotated[dict[str, Any] | None, Body()] = None) -> JSONResponse:
    """The H5 page's calls: the customer comes from the signed token, never from the body."""
    campaign_id, customer_id = token_subject(platform, token)
    if action not in H5_ACTIONS:
        return JSONResponse({"detail": "unknown action", "code": "campaign.unknown_action", "params": {}},
                            status_code=404)
    model, fn = ACTIONS[action]
    extra = {k: v for k, v in (body or {}).items() if k in ("code", "device_id")}
    try:
        parsed = model.model_validate({**extra, "customer_id": customer_id})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid("invalid request", field=".".join(str(x) for x in first["loc"]),
                      code="campaign.bad_request") from exc
    return await _mutate(platform, f"h5:{campaign_id}:{customer_id}:{action}", idempotency_key, campaign_id,
                         parsed, fn)


@router.get("/h5/{token}/progress")
def h5_progress(token: Token, platform: PlatformDep) -> dict[str, Any]:
    """The customer's progress, for the H5 page."""
    campaign_id, customer_id = token_subject(platform, token)
    return _read(platform, lambda s: customer.progress(session=s, campaign_id=campaign_id, customer_id=customer_id,
                                                       now=now_of(platform)))

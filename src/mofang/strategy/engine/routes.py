"""HTTP routes of the engine runtime: monitoring counts, customers at a node, a customer's journeys, API entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from mofang.platform.deps import PlatformDep, SessionDep, bearer, client_ip, get_principal, require
from mofang.platform.errors import Forbidden, Unauthorized
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT, P_CUSTOMERS_READ
from mofang.strategy.engine import service

router = APIRouter(prefix="/api", tags=["strategy engine"])
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
StrategyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class EnterRequest(BaseModel):
    """A customer posted into a running strategy by the bank's systems (接口触发)."""

    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, max_length=50)
    idempotency_key: str = Field(min_length=1, max_length=128)
    node_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$")


class EnterRead(BaseModel):
    """Whether the customer entered, and why not."""

    entered: bool
    instance_id: int | None = None
    reason: str | None = None


@router.get("/strategies/{strategy_id}/stats")
def strategy_stats(strategy_id: StrategyId, who: Analyst, session: SessionDep,
                   version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> dict[str, Any]:
    """Live counts per node and edge, and totals — of the customers inside your scope."""
    return service.stats(session=session, who=who, strategy_id=strategy_id, version=version)


@router.get("/strategies/{strategy_id}/nodes/{node_id}/customers")
def strategy_node_customers(
    strategy_id: StrategyId, who: Reader, platform: PlatformDep, session: SessionDep,
    node_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")],
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """The customers at a node now, inside your scope (masked)."""
    return service.node_customers(platform=platform, session=session, who=who, strategy_id=strategy_id,
                                  node_id=node_id, limit=limit, offset=offset)


@router.get("/customers/{customer_id}/journeys")
def customer_journeys(customer_id: Annotated[str, Path(min_length=1, max_length=64)], who: Reader,
                      platform: PlatformDep, session: SessionDep) -> dict[str, Any]:
    """The strategies a customer is in, where, and the steps that took them there."""
    return service.customer_journeys(platform=platform, session=session, who=who, customer_id=customer_id)


async def _caller(request: Request, platform: PlatformDep) -> Principal | None:
    """A bank system with an ingestion write key (HTTP Basic, like /v1: None), or a user allowed to run campaigns."""
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        import base64
        import binascii

        try:
            key = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""

        def _valid() -> bool:
            with platform.metadata.session() as session:
                return bool(key) and gov.write_key_valid(session=session, key=key)

        if not await run_in_threadpool(_valid):
            raise Unauthorized("the write key is invalid or revoked", field="authorization", code="engine.bad_key")
        return None
    creds: HTTPAuthorizationCredentials | None = await bearer(request)
    who = await run_in_threadpool(get_principal, request, platform, creds)
    if not who.can(P_CAMPAIGN_EDIT):
        raise Forbidden(f"your role lacks the permission '{P_CAMPAIGN_EDIT}'", code="auth.permission",
                        params={"permission": P_CAMPAIGN_EDIT})
    return who


@router.post("/strategies/{strategy_id}/enter", response_model=EnterRead)
def strategy_enter(strategy_id: StrategyId, body: EnterRequest, platform: PlatformDep,
                   caller: Annotated[Principal | None, Depends(_caller)], request: Request) -> EnterRead:
    """Post a customer into a running strategy's API entry (idempotent by `idempotency_key`).

    A user may do so only for strategies owned inside their scope; a write key stands for the bank's systems.
    """
    return EnterRead(**service.enter_by_api(platform=platform, strategy_id=strategy_id, customer_id=body.customer_id,
                                            payload=body.payload, idempotency_key=body.idempotency_key,
                                            node_id=body.node_id, scope=caller.scope if caller else None,
                                            actor=caller.username if caller else None, ip=client_ip(request)))

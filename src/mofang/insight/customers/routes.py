"""HTTP routes of customer 360."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from mofang.insight.customers import service
from mofang.insight.customers.contracts import Customer360, CustomerPage, EventPage
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CUSTOMERS_READ

router = APIRouter(prefix="/api/customers", tags=["customers"])
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
CustomerId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("", response_model=CustomerPage)
def list_customers(
    who: Reader, platform: PlatformDep,
    q: Annotated[str | None, Query(max_length=64, description="Customer id, name, or phone suffix")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CustomerPage:
    """Customers in the user's scope, largest AUM first."""
    return service.list_customers(platform=platform, who=who, q=q, limit=limit, offset=offset)


@router.get("/{customer_id}", response_model=Customer360)
def get_customer(
    customer_id: CustomerId, who: Reader, platform: PlatformDep,
    unmask: Annotated[bool, Query(description="Show PII in clear (permission pii:unmask; audited)")] = False,
) -> Customer360:
    """The 360 view of one customer."""
    return service.get_or_raise(platform=platform, who=who, customer_id=customer_id, unmask=unmask)


@router.get("/{customer_id}/events", response_model=EventPage)
def customer_events(
    customer_id: CustomerId, who: Reader, platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    unmask: Annotated[bool, Query(description="Show PII in properties in clear (permission pii:unmask; audited)")
                      ] = False,
) -> EventPage:
    """The customer's events, newest first, including anonymous events stitched after identify."""
    return EventPage(items=service.list_events(platform=platform, who=who, customer_id=customer_id, limit=limit,
                                               unmask=unmask))

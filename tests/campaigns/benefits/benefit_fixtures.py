"""Helpers of the benefit tests: a principal without a login, a benefit with a pool."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mofang.campaigns.benefits import service
from mofang.campaigns.benefits.contracts import BenefitCreate, PoolCreate
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of

T0 = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


def who(role: str = "admin", org: str = "HQ", rm_id: str | None = None) -> Principal:
    """A principal of a role at an org (as the routes would build it)."""
    return Principal(user_id=1, username=f"{role}@{org}", display_name=role, role=role, org_code=org, rm_id=rm_id,
                     permissions=permissions_of(role), scope=Scope.for_user(role=role, org_code=org, rm_id=rm_id))


def benefit(platform: Platform, *, stock: int, budget_fen: int, spec: dict[str, Any] | None = None,
            limit: int = 1, campaign_id: int = 0, **extra: Any) -> tuple[int, int]:
    """A benefit valid for 30 days from issue with one head-office pool; (benefit id, pool id)."""
    data = BenefitCreate.model_validate({"name": "抢券", "spec": spec or {"kind": "cash", "amount_fen": 100},
                                         "valid_days": 30, "per_customer_limit": limit, **extra})
    b = service.create(platform=platform, who=who(), data=data)
    pool = service.create_pool(platform=platform, who=who(), data=PoolCreate(
        benefit_id=b.id, campaign_id=campaign_id, stock=stock, budget_fen=budget_fen))
    return b.id, pool.id

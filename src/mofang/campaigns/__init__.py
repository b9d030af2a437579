"""Campaign centre (活动中心): templates, benefits, approvals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mofang.campaigns.benefits.contracts import IssueResult

if TYPE_CHECKING:
    from mofang.platform.context import Platform

__all__ = ["IssueResult", "campaign_of_strategy", "claim", "issue_benefit"]


def issue_benefit(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
                  campaign_id: int | None = None, org_code: str | None = None,
                  now: datetime | None = None) -> IssueResult:
    """Issue a benefit (the engine's GrantBenefit): "issued", or "refused" with a reason; retries answer the same."""
    from mofang.campaigns.benefits import service

    return service.issue_benefit(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                                 idempotency_key=idempotency_key, campaign_id=campaign_id, org_code=org_code,
                                 now=now, source="engine")


def claim(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
          campaign_id: int | None = None, org_code: str | None = None, now: datetime | None = None) -> IssueResult:
    """A customer's own claim (抢券 / flash sale): the same exact path as issue_benefit."""
    from mofang.campaigns.benefits import service

    return service.issue_benefit(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                                 idempotency_key=idempotency_key, campaign_id=campaign_id, org_code=org_code,
                                 now=now, source="claim")


def campaign_of_strategy(*, platform: Platform, strategy_id: int) -> int | None:
    """The campaign a strategy was compiled from (its benefits draw on that campaign's stock and budget), or None."""
    from mofang.campaigns.lifecycle.service import campaign_of_strategy as _of

    return _of(platform=platform, strategy_id=strategy_id)

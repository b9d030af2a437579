"""Global contact policy (全局触达策略 / 频控): caps, quiet hours, consent, do-not-contact, opt-out.

The facade imports its service lazily: the reach centre imports this package, and this package's contracts import
the reach centre's, so nothing heavy may run at import time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mofang.platform.context import Platform
    from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision, SuppressionRead


def check(*, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
    """May this message go now? Counted when allowed; idempotent by request.key."""
    from mofang.strategy.contact_policy import service

    return service.check(platform=platform, request=request, now=now)


def check_many(*, platform: Platform, requests: Sequence[ContactRequest], now: datetime) -> list[PolicyDecision]:
    """`check` for a batch of sends at once (one transaction), answers in the requests' order."""
    from mofang.strategy.contact_policy import service

    return service.check_many(platform=platform, requests=requests, now=now)


def release(*, platform: Platform, key: str, now: datetime | None = None) -> bool:
    """An allowed send the provider finally refused stops counting against the caps."""
    from mofang.strategy.contact_policy import service

    return service.release(platform=platform, key=key, now=now)


def record_opt_out(*, session: Session, customer_id: str, channel: str, purpose: str, source: str,
                   now: datetime | None = None) -> None:
    """Record an opt-out in the caller's transaction (回T退订 → channel sms, purpose marketing)."""
    from mofang.strategy.contact_policy import service

    service.record_opt_out(session=session, customer_id=customer_id, channel=channel, purpose=purpose,
                           source=source, now=now)


def suppressions_of(*, session: Session, customer_id: str, limit: int = 100) -> list[SuppressionRead]:
    """A customer's suppressions and deferrals, newest first (for the 360 page)."""
    from mofang.strategy.contact_policy import service

    return service.suppressions_of(session=session, customer_id=customer_id, limit=limit)


def control_group_of(*, session: Session, customer_ids: Iterable[str]) -> set[str]:
    """Which of these customers are in the global control group (全行对照组) now."""
    from mofang.strategy.contact_policy import service

    return service.control_group_of(session=session, customer_ids=customer_ids)


__all__ = ["check", "check_many", "control_group_of", "record_opt_out", "release", "suppressions_of"]

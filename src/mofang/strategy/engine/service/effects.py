"""The effects the engine asks of other centres, behind one protocol (tests swap in a recorder).

Every call carries the command's idempotency key: calling again with the same key after a crash must not
repeat the effect (the reach centre dedupes sends by it; tags and attributes are set, not added).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.platform.storage.models import utcnow
from mofang.reach.contracts import DeliveryResult, SendRequest


@dataclass(frozen=True)
class Outcome:
    """What came of a non-send effect: "ok" or "failed" with a reason code."""

    outcome: str
    detail: dict[str, Any] = field(default_factory=dict)


class Effects(Protocol):
    """Sends, tags, attributes and benefits: what a journey does to a customer."""

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        """Deliver one message through the reach centre (idempotent by request.idempotency_key)."""
        ...

    def change_tag(self, *, platform: Platform, key: str, customer_id: str, tag: str, action: str,
                   value: str | None) -> Outcome:
        """Add or remove a manual tag value."""
        ...

    def change_attribute(self, *, platform: Platform, key: str, customer_id: str, field: str, value: Any) -> Outcome:
        """Set a custom attribute in the customer's profile."""
        ...

    def grant_benefit(self, *, platform: Platform, key: str, customer_id: str, benefit_id: int,
                      strategy_id: int) -> Outcome:
        """Issue a campaign benefit."""
        ...


def record_locally(platform: Platform, request: SendRequest) -> DeliveryResult:
    """Keep the message in the engine's local outbox: recorded, and nothing more is claimed."""
    from mofang.strategy.engine.repository import EngineOutbox, insert_ignore

    with platform.metadata.session() as session:
        insert_ignore(session, EngineOutbox.__table__, [{  # type: ignore[arg-type]
            "key": request.idempotency_key, "customer_id": request.customer_id, "channel": request.channel,
            "template_id": request.template_id, "status": "recorded", "created_at": utcnow(),
            "payload": {"variables": dict(request.variables), "purpose": request.purpose,
                        "strategy_id": request.strategy_id, "node_id": request.node_id},
        }], keys=["key"])
    return DeliveryResult(status="not_configured", reason="reach_not_available")


class DefaultEffects:
    """The other centres' facades: sends through the reach centre, tags and attributes on the customer's profile."""

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        """Through `mofang.reach.send` (policy → consent → address → render → provider), idempotent by key."""
        from mofang.reach import send

        return send(platform=platform, request=request)

    def send_many(self, *, platform: Platform, requests: Sequence[SendRequest]) -> list[DeliveryResult]:
        """A batch through `mofang.reach.send_many` (each exactly as `send`; answers in order)."""
        from mofang.reach import send_many

        return send_many(platform=platform, requests=requests)

    def change_tag(self, *, platform: Platform, key: str, customer_id: str, tag: str, action: str,
                   value: str | None) -> Outcome:
        """A tag value on the customer's profile (`profiles.set_tag`): later nodes read it at once."""
        from mofang.insight.profiles import set_tag

        return _on_profile(platform, lambda session: set_tag(session=session, customer_id=customer_id, tag=tag,
                                                             action=action, value=value))

    def change_attribute(self, *, platform: Platform, key: str, customer_id: str, field: str, value: Any) -> Outcome:
        """An attribute on the customer's profile (`profiles.set_attribute`): later nodes read it at once."""
        from mofang.insight.profiles import set_attribute

        return _on_profile(platform, lambda session: set_attribute(session=session, customer_id=customer_id,
                                                                   key=field, value=value))

    def grant_benefit(self, *, platform: Platform, key: str, customer_id: str, benefit_id: int,
                      strategy_id: int) -> Outcome:
        """Through `mofang.campaigns.issue_benefit` (stock, budget and limits are the campaign centre's)."""
        from mofang.campaigns import campaign_of_strategy, issue_benefit

        try:
            # A strategy compiled from a campaign draws on that campaign's pools (stock, budget, branch shares).
            result = issue_benefit(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                                   idempotency_key=key,
                                   campaign_id=campaign_of_strategy(platform=platform, strategy_id=strategy_id))
        except MofangError as exc:  # e.g. an unknown benefit: a result the journey goes on from
            return Outcome("failed", {"reason": exc.code or "benefit_refused"})
        if result.status == "issued":
            return Outcome("ok", {"grant_id": result.grant_id})
        return Outcome("failed", {"reason": result.reason or "benefit_refused"})


def _on_profile(platform: Platform, change: Callable[[Session], Any]) -> Outcome:
    """Apply one profile change in its own transaction; a refusal (no profile, not settable) is a failed result."""
    try:
        with platform.metadata.session() as session:
            change(session)
    except MofangError as exc:
        return Outcome("failed", {"reason": exc.code or "refused"})
    return Outcome("ok")

"""Queries of placements: the active placement channel, its templates' content, a customer's segments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.insight.profiles.models import CustomerProfile
from mofang.reach.models import ReachChannel


def active_config(session: Session) -> tuple[int, dict[str, Any]] | None:
    """(row id, config) of the active `placement` channel, if any."""
    row = session.scalars(select(ReachChannel).where(ReachChannel.channel == "placement",
                                                     ReachChannel.active.is_(True))
                          .order_by(ReachChannel.id.desc()).limit(1)).first()
    return (row.id, dict(row.config or {})) if row is not None else None


def segments_of(session: Session, customer_id: str) -> list[int]:
    """The segments the customer's profile lists (none when it has no profile)."""
    segments = session.scalar(select(CustomerProfile.segments).where(CustomerProfile.customer_id == customer_id))
    return [int(s) for s in segments or [] if isinstance(s, int)]


def segments_page(session: Session, *, after: str, limit: int) -> list[tuple[str, list[Any]]]:
    """(customer_id, segments) of up to `limit` profiles after `after`, in customer order (one page of a scan)."""
    rows = session.execute(select(CustomerProfile.customer_id, CustomerProfile.segments)
                           .where(CustomerProfile.customer_id > after)
                           .order_by(CustomerProfile.customer_id).limit(limit)).all()
    return [(r[0], r[1] or []) for r in rows]

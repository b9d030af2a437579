"""站内信 for the bank's app server: list, unread count, read, click, delete one customer's messages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import NotFound
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.events import flush_events
from mofang.reach.delivery.receipts import record_engagement
from mofang.reach.models import InboxMessage


class InboxItem(BaseModel):
    """One message as the app shows it."""

    id: int
    title: str | None
    body: str
    url: str | None
    created_at: datetime
    read: bool


class InboxPage(BaseModel):
    """A customer's messages, newest first, and how many are unread."""

    items: list[InboxItem]
    total: int
    unread: int


def _live(customer_id: str):  # type: ignore[no-untyped-def]
    return select(InboxMessage).where(InboxMessage.customer_id == customer_id, InboxMessage.deleted_at.is_(None))


def unread(*, session: Session, customer_id: str) -> int:
    """How many messages the customer has not read."""
    q = _live(customer_id).where(InboxMessage.read_at.is_(None))
    return session.scalar(select(func.count()).select_from(q.subquery())) or 0


def list_messages(*, session: Session, customer_id: str, limit: int, offset: int) -> InboxPage:
    """The customer's messages, newest first."""
    total = session.scalar(select(func.count()).select_from(_live(customer_id).subquery())) or 0
    rows = session.scalars(_live(customer_id).order_by(InboxMessage.id.desc()).limit(limit).offset(offset))
    return InboxPage(items=[InboxItem(id=r.id, title=r.title, body=r.body, url=r.url, created_at=as_utc(r.created_at),
                                      read=r.read_at is not None) for r in rows],
                     total=total, unread=unread(session=session, customer_id=customer_id))


def _message(session: Session, customer_id: str, message_id: int) -> InboxMessage:
    row = session.get(InboxMessage, message_id)
    if row is None or row.customer_id != customer_id or row.deleted_at is not None:
        raise NotFound("no such message", field="message_id")
    return row


def mark(*, platform: Platform, customer_id: str, message_id: int, action: str, now: datetime | None = None) -> None:
    """read / click / delete one message; read and click become events through ingestion."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        row = _message(session, customer_id, message_id)
        if action == "delete":
            row.deleted_at = now
            return
        first_read = row.read_at is None
        if first_read:
            row.read_at = now
        delivery = repo.by_key(session, row.delivery_key)
        if delivery is not None and (action == "click" or first_read):
            status = "clicked" if action == "click" else "opened"
            suffix = f"clicked-inbox-{int(now.timestamp() * 1000)}" if action == "click" else "opened"
            record_engagement(platform=platform, delivery_id=delivery.id, status=status, at=now, suffix=suffix,
                              detail={"source": "inbox"}, session=session)
    flush_events(platform)

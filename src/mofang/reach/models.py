"""ORM tables of the reach centre: channels, the delivery log, its event outbox, inbox messages, RM tasks, links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class ReachChannel(Base):
    """A configured channel: which provider, its settings, its secrets (encrypted), cost and rate."""

    __tablename__ = "reach_channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets_enc: Mapped[str | None] = mapped_column(Text)  # JSON of the secret fields, encrypted
    unit_cost_fen: Mapped[int] = mapped_column(Integer, default=0)
    rate_per_second: Mapped[float] = mapped_column(Float, default=100.0)
    burst: Mapped[int] = mapped_column(Integer, default=100)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """One send, keyed by its idempotency key: what came of it, and every receipt after."""

    __tablename__ = "reach_deliveries"
    # Covers the effect page's delivery funnel (migration 0038): grouped from the index, no table lookups.
    __table_args__ = (Index("ix_reach_deliveries_funnel", "strategy_id", "channel", "customer_org_code", "status",
                            "reason", "cost_fen", "delivered_at", "opened_at", "clicked_at", "customer_rm_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(191), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_org_code: Mapped[str | None] = mapped_column(String(64), index=True)  # the customer's, for scope
    customer_rm_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16), default="marketing")
    template_id: Mapped[int | None] = mapped_column(Integer)
    template_version: Mapped[int | None] = mapped_column(Integer)
    strategy_id: Mapped[int | None] = mapped_column(Integer, index=True)
    strategy_version: Mapped[int | None] = mapped_column(Integer)
    node_id: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    org_code: Mapped[str | None] = mapped_column(String(64))  # owner org of the strategy / campaign
    # attempting | accepted | suppressed | deferred | unreachable | retrying | failed | not_configured | unknown
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(64))
    dead: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # failed after every try: a dead letter
    vendor_id: Mapped[str | None] = mapped_column(String(128), index=True)
    address_masked: Mapped[str | None] = mapped_column(String(128))
    cost_fen: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    request_enc: Mapped[str | None] = mapped_column(Text)  # the send's variables (may hold PII), encrypted
    receipt: Mapped[str | None] = mapped_column(String(16))  # the most engaged receipt so far
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReachEvent(Base):
    """An event about a delivery waiting to enter ingestion (written in the same transaction as its cause)."""

    __tablename__ = "reach_event_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(128), unique=True)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboxMessage(Base):
    """A 站内信 message for one customer, as the bank's app shows it."""

    __tablename__ = "reach_inbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_key: Mapped[str] = mapped_column(String(191), unique=True)  # the send's idempotency key
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RmTask(Base):
    """A 客户经理任务: call or visit one customer of the RM's book, with the script and the key facts."""

    __tablename__ = "reach_rm_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_key: Mapped[str] = mapped_column(String(191), unique=True)  # the send's idempotency key
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_org_code: Mapped[str | None] = mapped_column(String(64), index=True)
    rm_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(String(256))
    script: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))  # reached | not_reached | interested | declined
    note: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrackedLink(Base):
    """A short link /r/{token}: unguessable, expiring, redirecting only to the URL stored with it."""

    __tablename__ = "reach_links"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(Integer, index=True)
    url: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CallbackSeen(Base):
    """A signed callback already taken (its signature's hash): the same one again is a replay."""

    __tablename__ = "reach_callbacks_seen"
    __table_args__ = (UniqueConstraint("channel_id", "signature_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(Integer)
    signature_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PendingReceipt(Base):
    """A vendor's report that came before its send's answer was saved (a fast gateway): applied when it is."""

    __tablename__ = "reach_pending_receipts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

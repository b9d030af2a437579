"""ORM models of benefits (权益): definitions, stock/budget pools, the append-only issue and event ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class BenefitDefinition(Base):
    """What a benefit is (kind and its parameters), how long it is valid, its limits, cost and owner org."""

    __tablename__ = "benefit_definitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_days: Mapped[int | None] = mapped_column(Integer)
    per_customer_limit: Mapped[int] = mapped_column(Integer)
    stackable: Mapped[bool] = mapped_column(Boolean)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    owner_org: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BenefitPool(Base):
    """Stock and money budget of a benefit in one campaign at one org (HQ's pool, or a branch's allocation)."""

    __tablename__ = "benefit_pools"
    __table_args__ = (
        UniqueConstraint("benefit_id", "campaign_id", "org_code", name="uq_benefit_pools_scope"),
        CheckConstraint("stock_remaining >= 0", name="ck_benefit_pools_stock"),
        CheckConstraint("budget_remaining_fen >= 0", name="ck_benefit_pools_budget"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    benefit_id: Mapped[int] = mapped_column(Integer, ForeignKey("benefit_definitions.id"))
    campaign_id: Mapped[int] = mapped_column(Integer)
    org_code: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("benefit_pools.id"))
    stock_total: Mapped[int] = mapped_column(BigInteger)
    stock_remaining: Mapped[int] = mapped_column(BigInteger)
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    budget_remaining_fen: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BenefitGrant(Base):
    """One answer to an issue request (issued or refused with a reason), written once per idempotency key."""

    __tablename__ = "benefit_grants"
    __table_args__ = (
        UniqueConstraint("benefit_id", "campaign_id", "customer_id", "customer_seq",
                         name="uq_benefit_grants_customer_seq"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    benefit_id: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int] = mapped_column(Integer)
    pool_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    org_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    customer_seq: Mapped[int | None] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class BenefitEvent(Base):
    """What happened to an issued benefit afterwards: redeemed or expired (once), or a fulfilment step."""

    __tablename__ = "benefit_events"
    __table_args__ = (UniqueConstraint("grant_id", "terminal", name="uq_benefit_events_terminal"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[int] = mapped_column(Integer, ForeignKey("benefit_grants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    terminal: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))

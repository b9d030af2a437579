"""ORM models of the contact policy: rules, settings, decisions by key, suppressions, do-not-contact, opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class PolicySettings(Base):
    """The one settings row: a version bumped by every change (caches reload on it) and the control group."""

    __tablename__ = "policy_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    control_percent: Mapped[float] = mapped_column(Float, default=0.0)
    control_salt: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    drawn_by: Mapped[str | None] = mapped_column(String(64))


class PolicyRule(Base):
    """One rule: a cap, quiet hours or a consent requirement, as validated JSON."""

    __tablename__ = "policy_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicyDecisionRow(Base):
    """The decision taken for one send key; allowed, unreleased rows are the persisted contact log."""

    __tablename__ = "policy_decisions"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    business_line: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    strategy_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(40))
    rule_id: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_policy_decisions_customer_at", "customer_id", "at"),)


class PolicySuppression(Base):
    """One suppression or deferral, kept for the 360 page, node statistics and the console."""

    __tablename__ = "policy_suppressions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    strategy_id: Mapped[int | None] = mapped_column(Integer, index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DoNotContact(Base):
    """A customer who must get no marketing at all (勿扰名单), with why and who said so."""

    __tablename__ = "policy_dnc"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OptOut(Base):
    """A customer's withdrawal from one channel and purpose (回T退订, unsubscribe link, counter request)."""

    __tablename__ = "policy_opt_outs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("customer_id", "channel", "purpose", name="uq_policy_opt_outs"),)

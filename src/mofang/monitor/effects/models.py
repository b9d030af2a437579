"""ORM models of effect evaluation: fixed costs and targets owners enter (the rest is read from other centres)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class EffectFixedCost(Base):
    """One fixed cost of a strategy in fen (creative, agency, gifts bought outside the benefits ledger)."""

    __tablename__ = "effect_fixed_costs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[int] = mapped_column(Integer, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(200))
    org_code: Mapped[str] = mapped_column(String(64))  # the org of whoever entered it
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EffectGoal(Base):
    """A target an owner stated for a strategy or a campaign's strategies: metric, value, period."""

    __tablename__ = "effect_goals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_ids: Mapped[list[int]] = mapped_column(JSON)
    first_strategy_id: Mapped[int] = mapped_column(Integer, index=True)  # strategy pages list their goals by it
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    metric: Mapped[str] = mapped_column(String(32))
    target: Mapped[float] = mapped_column(Float)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    org_code: Mapped[str] = mapped_column(String(64))  # the org of whoever stated it
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""ORM model of experiments: promoted winners with the statistics seen when promoting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class ExperimentPromotion(Base):
    """One promotion of an AB node's winner: the version it published, who did it, and the numbers at that moment."""

    __tablename__ = "experiment_promotions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[int] = mapped_column(Integer, ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)  # the published version that carries the winner
    previous_version: Mapped[int | None] = mapped_column(Integer)
    promoted_by: Mapped[str | None] = mapped_column(String(64))
    promoted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    statistics: Mapped[dict[str, Any]] = mapped_column(JSON)

"""ORM models of saved analyses and dashboards (definitions live in the metadata database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class SavedAnalysis(Base):
    """A named query of one analysis model, with how its dates are chosen when run."""

    __tablename__ = "saved_analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(32))
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    range: Mapped[dict[str, Any]] = mapped_column(JSON)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    org_code: Mapped[str | None] = mapped_column(String(64), ForeignKey("orgs.code"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Dashboard(Base):
    """A page of pinned saved analyses."""

    __tablename__ = "dashboards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    org_code: Mapped[str | None] = mapped_column(String(64), ForeignKey("orgs.code"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DashboardItem(Base):
    """A saved analysis pinned at a position of a dashboard (each analysis at most once per dashboard)."""

    __tablename__ = "dashboard_items"
    __table_args__ = (UniqueConstraint("dashboard_id", "analysis_id", name="uq_dashboard_items_analysis"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dashboard_id: Mapped[int] = mapped_column(Integer, ForeignKey("dashboards.id", ondelete="CASCADE"), index=True)
    analysis_id: Mapped[int] = mapped_column(Integer, ForeignKey("saved_analyses.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer)
    size: Mapped[str] = mapped_column(String(8), default="half")

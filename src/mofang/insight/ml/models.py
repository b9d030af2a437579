"""ORM models of ML insight: trained models with their metrics, and editable settings (churn rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class MlModel(Base):
    """One trained model (a decision tree or a churn model): its spec, metrics and where its binary lives."""

    __tablename__ = "ml_models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # tree | churn
    name: Mapped[str] = mapped_column(String(128))
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # request, features, encoded columns, cutoffs
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    nodes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    path: Mapped[str] = mapped_column(String(512), default="")  # joblib file under data_dir/models
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MlSetting(Base):
    """An editable setting of ML insight by key (e.g. the churn rules), with who changed it last."""

    __tablename__ = "ml_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

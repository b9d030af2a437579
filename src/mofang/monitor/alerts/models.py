"""ORM models of the metric library and alerts (definitions and history live in the metadata database)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class Metric(Base):
    """A metric of the library; its definition is validated JSON (an event aggregate)."""

    __tablename__ = "monitor_metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # off: its rules rest
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertRule(Base):
    """A threshold on a metric and whom to tell."""

    __tablename__ = "monitor_alert_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[int] = mapped_column(Integer, ForeignKey("monitor_metrics.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    op: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[float] = mapped_column(Float)  # for op "anomaly": k, also kept in params
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # op "anomaly": k, direction, min_change_pct
    severity: Mapped[str] = mapped_column(String(16), default="warning", server_default="warning")
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(512))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Why the last evaluation could not judge this rule (cleared by the next one that could).
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """A rule that fired for a business day (at most once per rule and day)."""

    __tablename__ = "monitor_alerts"
    __table_args__ = (UniqueConstraint("rule_id", "day", name="uq_monitor_alerts_rule_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(Integer, ForeignKey("monitor_alert_rules.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    value: Mapped[float] = mapped_column(Float)
    previous: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    # The rule's severity when it fired: history keeps what people were told even if the rule changes later.
    severity: Mapped[str] = mapped_column(String(16), default="warning", server_default="warning", index=True)
    outcome: Mapped[str] = mapped_column(String(24), default="fired", server_default="fired")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # anomaly rules: baseline mean, σ, z, ...
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    notifications: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertReadMark(Base):
    """That a user has seen an alert in the console (the header bell counts the alerts without one)."""

    __tablename__ = "monitor_alert_reads"
    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("monitor_alerts.id", ondelete="CASCADE"),
                                          primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

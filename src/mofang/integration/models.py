"""ORM models of data integration: saved sources (mappings), load history and the one-load-per-source lock.

The loaded data itself lives in the event store (DuckDB) tables the product reads; only bookkeeping lives here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class DataSource(Base):
    """A named source of one entity with its saved column mapping."""

    __tablename__ = "integration_sources"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16), default="file")  # file | database
    url: Mapped[str | None] = mapped_column(Text)  # database URL without its password
    password_enc: Mapped[str | None] = mapped_column(Text)  # the URL's password, encrypted
    query: Mapped[str | None] = mapped_column(Text)
    watermark_column: Mapped[str | None] = mapped_column(String(64))
    watermark: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {kind, value} of the last load's maximum
    schedule: Mapped[str | None] = mapped_column(String(16))  # daily@HH:MM (bank time)
    reject_threshold: Mapped[float | None] = mapped_column(Float)
    last_scheduled: Mapped[date | None] = mapped_column(Date)  # the business day the schedule last ran it
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataLoad(Base):
    """One load: what came in, what was kept, refused or closed, how long it took and who ran it."""

    __tablename__ = "integration_loads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(8))
    file_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_closed: Mapped[int] = mapped_column(Integer, default=0)
    # Behaviour events stored for the transactions this load added (后端日志自动埋点).
    events_emitted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reject_threshold: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))


class LoadLock(Base):
    """Held by the running load of a source: a second load of the same source is refused while it exists."""

    __tablename__ = "integration_locks"
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    load_id: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str | None] = mapped_column(String(128))  # host:pid:nonce of the process running the load
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomAttribute(Base):
    """A customer attribute of the bank's own, declared once: its type, Chinese name and whether it is PII."""

    __tablename__ = "integration_attributes"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    zh: Mapped[str] = mapped_column(String(64))
    pii: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

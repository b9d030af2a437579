"""ORM models of customer insight: tag and segment definitions, versions, runs, lists, sets and shares.

Values (tag history, segment snapshots, imported lists) are customer-level facts and live in the
event store (DuckDB); only definitions and bookkeeping live here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class TagDef(Base):
    """A tag definition (current version); its rule is validated JSON."""

    __tablename__ = "insight_tags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    family: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32))
    value_type: Mapped[str] = mapped_column(String(16))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TagVersion(Base):
    """Every saved version of a tag's definition, for audit and rollback."""

    __tablename__ = "insight_tag_versions"
    __table_args__ = (UniqueConstraint("tag_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tag_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_tags.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TagRun(Base):
    """One computation of one tag for one day: when, how long, how many customers, or why it failed."""

    __tablename__ = "insight_tag_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tag_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_tags.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | manual | import | model
    status: Mapped[str] = mapped_column(String(16))  # ok | error
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    coverage: Mapped[float] = mapped_column(Float, default=0.0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SegmentDef(Base):
    """A segment: a condition tree, dynamic (re-evaluated daily) or static (frozen once)."""

    __tablename__ = "insight_segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))  # dynamic | static
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_count: Mapped[int | None] = mapped_column(Integer)
    last_evaluated_on: Mapped[date | None] = mapped_column(Date)
    frozen_on: Mapped[date | None] = mapped_column(Date)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the last daily evaluation failed (None once it ran)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SegmentSnapshot(Base):
    """A dated member snapshot of a segment (members themselves are in the event store)."""

    __tablename__ = "insight_segment_snapshots"
    __table_args__ = (UniqueConstraint("segment_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_segments.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomerList(Base):
    """An imported list of customer ids (CSV), usable as a segment condition."""

    __tablename__ = "insight_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SegmentSet(Base):
    """A segment set (客群集) with a strategy suggestion, shared with the bank or chosen orgs."""

    __tablename__ = "insight_segment_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    strategy: Mapped[str] = mapped_column(Text, default="")
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    share_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SegmentSetItem(Base):
    """A segment inside a set, in order."""

    __tablename__ = "insight_segment_set_items"
    set_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                                        primary_key=True)
    segment_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_segments.id", ondelete="CASCADE"),
                                            primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SegmentSetShare(Base):
    """An org a set is shared with (its whole subtree receives it)."""

    __tablename__ = "insight_segment_set_shares"
    set_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                                        primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), primary_key=True)


class SegmentSetRef(Base):
    """A receiving org's reference (引用) to a shared set; counted for the owner."""

    __tablename__ = "insight_segment_set_refs"
    __table_args__ = (UniqueConstraint("set_id", "org_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    set_id: Mapped[int] = mapped_column(Integer, ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                                        index=True)
    org_code: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"))
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

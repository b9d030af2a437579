"""ORM tables of the content library: templates, their versions and shares, and the sensitive-word list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class Template(Base):
    """A message template of one channel; its content lives in versions (the current one is `version`)."""

    __tablename__ = "reach_templates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    products: Mapped[list[str]] = mapped_column(JSON, default=list)
    scenes: Mapped[list[str]] = mapped_column(JSON, default=list)
    personas: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_org: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), index=True)
    share_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TemplateVersion(Base):
    """One saved content of a template; never changed once written (a send records which one it used)."""

    __tablename__ = "reach_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template_id: Mapped[int] = mapped_column(Integer, ForeignKey("reach_templates.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TemplateShare(Base):
    """An org a template is shared with (its subtree receives it)."""

    __tablename__ = "reach_template_shares"
    template_id: Mapped[int] = mapped_column(Integer, ForeignKey("reach_templates.id", ondelete="CASCADE"),
                                             primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64), ForeignKey("orgs.code"), primary_key=True)


class SensitiveWord(Base):
    """A word refused in every template at save; `exceptions` are allowed phrases that contain it."""

    __tablename__ = "reach_sensitive_words"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    word: Mapped[str] = mapped_column(String(32), unique=True)
    exceptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

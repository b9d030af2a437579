"""ORM model of the customer profile: what every worker reads to decide about a customer (metadata DB)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class CustomerProfile(Base):
    """A customer's current branch, RM, KYC level, tier, AUM, non-PII attributes, tags, segments and consents."""

    __tablename__ = "customer_profiles"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    rm_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kyc_level: Mapped[str | None] = mapped_column(String(8))
    tier: Mapped[str | None] = mapped_column(String(16))
    aum: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON)
    segments: Mapped[list[int]] = mapped_column(JSON)
    consents: Mapped[dict[str, bool]] = mapped_column(JSON)
    # Attributes set by strategies (更新属性), read over the computed ones; declared custom attributes leave
    # once written to the event store (the next refresh then carries them), strategy-only ones stay.
    overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Written by the daily smart job, not by a refresh: propensity per target event (0..1), the customer's place
    # from the top in percent of the bank (0 < rank ≤ 100, for 高潜筛选's top N%), the most responsive hour.
    scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    score_ranks: Mapped[dict[str, float] | None] = mapped_column(JSON)
    best_hour: Mapped[int | None] = mapped_column(Integer)
    # What a send shows of the customer (surname, RM name, masked name and phone: JSON, encrypted with the platform
    # cipher) and the master's own encrypted phone / e-mail (the address of customers identities do not hold).
    personal_enc: Mapped[str | None] = mapped_column(Text)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    email_enc: Mapped[str | None] = mapped_column(Text)
    row_hash: Mapped[str] = mapped_column(String(32))  # of the computed part: a refresh skips unchanged rows
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

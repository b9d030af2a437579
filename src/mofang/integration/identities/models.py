"""ORM models of customer identities: how each customer is addressed on each channel (metadata DB)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class CustomerIdentity(Base):
    """One identifier of a customer (mobile, e-mail, openid, push token, app user id, customer number).

    Secret values are kept only as ciphertext (`value_enc`) beside a masked copy and a keyed hash (lookup by value
    without decrypting); an app user id or customer number is not secret and is kept in `value`.
    """

    __tablename__ = "customer_identities"
    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "value_hash", name="uq_customer_identity"),
        Index("ix_customer_identities_lookup", "kind", "value_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64))  # found through uq_customer_identity, which starts with it
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(256))  # clear only for kinds that are not secret
    value_enc: Mapped[str | None] = mapped_column(Text)
    value_hash: Mapped[str] = mapped_column(String(64))
    masked: Mapped[str] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(64))
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdentityBatch(Base):
    """A pushed batch of identities by its idempotency key: a repeat returns the first answer, applies nothing."""

    __tablename__ = "identity_batches"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

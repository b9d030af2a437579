"""Tables of the engine runtime: published versions, durable instances, the command outbox, step counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mofang.platform.storage.models import Base, utcnow


class EngineVersion(Base):
    """A published version of a strategy as the engine runs it (written by activate / deactivate)."""

    __tablename__ = "engine_versions"
    strategy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    org_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # active / paused / stopped
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class EngineInstance(Base):
    """One customer's journey through one version; the row is the durable state `advance` reads and writes."""

    __tablename__ = "engine_instances"
    __table_args__ = (
        # An entry is never doubled: the key says which entry (once / cooldown bucket / event / API call).
        UniqueConstraint("strategy_id", "customer_id", "entry_key", name="uq_engine_instances_entry"),
        Index("ix_engine_instances_due", "status", "wake_at"),
        Index("ix_engine_instances_customer", "customer_id", "status"),
        Index("ix_engine_instances_node", "strategy_id", "version", "node", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(64))
    org_code: Mapped[str | None] = mapped_column(String(64))  # the customer's branch at entry (data scope)
    rm_id: Mapped[str | None] = mapped_column(String(64))
    entry_node: Mapped[str] = mapped_column(String(40))
    entry_key: Mapped[str] = mapped_column(String(160))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    node: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # active / waiting / done
    wake_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    waiting_for: Mapped[str | None] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    variant: Mapped[str | None] = mapped_column(String(40))
    holdout: Mapped[bool] = mapped_column(Boolean, default=False)
    converted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    lease_owner: Mapped[str | None] = mapped_column(String(64))  # the worker that last stepped it
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The instance's steps for the customer 360 page, appended as text: `,[seq,"node","metric","label","at"]` each
    # (`trail_of` reads it). Written with the step in the same row, so it never disagrees with the state.
    trail: Mapped[str] = mapped_column(Text, default="", server_default="")


class EngineCommand(Base):
    """The outbox: one effect to carry out, keyed by its deterministic idempotency key."""

    __tablename__ = "engine_commands"
    __table_args__ = (Index("ix_engine_commands_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending / done / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Due time; a claim pushes it forward by the lease, so a command whose worker died becomes due again.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EngineCount(Base):
    """How many steps of a kind (entered / passed with a label / converted …) a node counted, per branch and RM."""

    __tablename__ = "engine_counts"
    strategy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    node: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" not NULL: NULLs never collide in a key
    org_code: Mapped[str] = mapped_column(String(64), primary_key=True)  # the instance's branch ("" unknown)
    rm_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the instance's RM ("" none)
    # Workers add to different rows of the same key (summed when read), so PostgreSQL workers rarely wait on
    # each other's counter locks.
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class EngineOutbox(Base):
    """Messages recorded locally while the reach centre is not available: claimed as nothing more than recorded."""

    __tablename__ = "engine_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    template_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # recorded
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EngineQuota(Base):
    """A node's pass counter for one period (频控), raised only while below the limit."""

    __tablename__ = "engine_quota"
    strategy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node: Mapped[str] = mapped_column(String(40), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class EngineQuotaGrant(Base):
    """The answer given to one quota request (by command key): asking again returns it, never a second pass."""

    __tablename__ = "engine_quota_grants"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)


class EngineEntryRun(Base):
    """One run of a segment entry (at activation, or a scheduled slot), claimed once across workers."""

    __tablename__ = "engine_entry_runs"
    __table_args__ = (UniqueConstraint("strategy_id", "version", "node", "run_key", name="uq_engine_entry_runs"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(40))
    run_key: Mapped[str] = mapped_column(String(40))  # "activation" or the scheduled slot (ISO, bank time)
    status: Mapped[str] = mapped_column(String(16))  # running / done / failed
    entered: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EngineSecret(Base):
    """An installation secret of the engine (the webhook signing key), encrypted at rest."""

    __tablename__ = "engine_secrets"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value_enc: Mapped[str] = mapped_column(Text)

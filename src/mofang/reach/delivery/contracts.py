"""API types of the delivery service: channel configuration, the delivery log, daily channel figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ChannelKind = Literal["sms", "push", "inbox", "placement", "wechat", "email", "call", "rm_task"]


class ChannelCreate(BaseModel):
    """A channel configuration: provider kind, its settings and secrets (secrets are write-only)."""

    channel: ChannelKind
    name: str = Field(min_length=1, max_length=64)
    provider: str = Field(min_length=1, max_length=32)
    config: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict, description="write-only; never returned")
    unit_cost_fen: int = Field(default=0, ge=0, le=100_000)
    rate_per_second: float = Field(default=100.0, gt=0, le=100_000)
    burst: int = Field(default=100, ge=1, le=1_000_000)
    max_attempts: int = Field(default=5, ge=1, le=20)
    active: bool = True


class ChannelUpdate(BaseModel):
    """Changes to a channel configuration; a secret left out keeps its stored value."""

    name: str | None = Field(default=None, min_length=1, max_length=64)
    config: dict[str, Any] | None = None
    secrets: dict[str, str] | None = Field(default=None, description="write-only; merged into the stored ones")
    unit_cost_fen: int | None = Field(default=None, ge=0, le=100_000)
    rate_per_second: float | None = Field(default=None, gt=0, le=100_000)
    burst: int | None = Field(default=None, ge=1, le=1_000_000)
    max_attempts: int | None = Field(default=None, ge=1, le=20)
    active: bool | None = None


class ChannelRead(BaseModel):
    """A channel configuration as the console shows it: secrets only as `***` and a has_secret flag."""

    id: int
    channel: str
    name: str
    provider: str
    sandbox: bool
    config: dict[str, Any]
    secrets: dict[str, str]
    has_secret: bool
    unit_cost_fen: int
    rate_per_second: float
    burst: int
    max_attempts: int
    active: bool
    callback_path: str | None
    updated_by: str | None
    updated_at: datetime


class ProviderKindRead(BaseModel):
    """A provider kind the console may configure."""

    kind: str
    channels: list[str]
    secret_fields: list[str]
    builtin: bool
    sandbox: bool


class TestSend(BaseModel):
    """A test message to the caller's own address (never a customer's)."""

    address: str = Field(min_length=3, max_length=128)
    content: str = Field(min_length=1, max_length=500)
    title: str | None = Field(default=None, max_length=100)


class TestSendResult(BaseModel):
    """What the provider answered to a test send."""

    accepted: bool
    reason: str | None = None
    vendor_id: str | None = None


class DeliveryRead(BaseModel):
    """One delivery of the log: the address masked, the customer's own identity not shown beyond the id."""

    id: int
    customer_id: str
    channel: str
    channel_id: int | None
    purpose: str
    template_id: int | None
    template_version: int | None
    strategy_id: int | None
    strategy_version: int | None
    node_id: str | None
    campaign_id: int | None
    status: str
    reason: str | None
    dead: bool
    receipt: str | None
    address_masked: str | None
    cost_fen: int
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    failed_reason: str | None
    created_at: datetime
    updated_at: datetime


class DeliveryPage(BaseModel):
    """A page of the delivery log."""

    items: list[DeliveryRead]
    total: int


class RetryResult(BaseModel):
    """What came of retrying a dead letter."""

    status: str
    reason: str | None = None
    delivery_id: int | None = None


class ChannelDay(BaseModel):
    """One channel's figures for one day: volume, delivery and click rates, cost."""

    day: str
    channel: str
    sent: int
    accepted: int
    suppressed: int
    failed: int
    unreachable: int
    delivered: int
    clicked: int
    delivery_rate: float | None
    click_rate: float | None
    cost_fen: int

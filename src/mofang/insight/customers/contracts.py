"""Public types of customer 360."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class Consent(BaseModel):
    """Whether the customer agreed to be contacted on each channel."""

    sms: bool
    push: bool
    inbox: bool
    wechat: bool
    email: bool
    call: bool


class CustomerSummary(BaseModel):
    """One row of the customer list (PII masked unless unmasked and audited)."""

    customer_id: str
    name: str
    gender: str | None
    age: int | None
    phone: str | None
    tier: str | None
    risk_level: str | None
    org_code: str
    org_name: str | None
    rm_id: str | None
    rm_name: str | None
    aum: float | None


class CustomerProfile(CustomerSummary):
    """The profile card of the 360 page."""

    birth_date: date | None = Field(description="Full date only when unmasked (audited); else null")
    birth_year: int | None
    id_number: str | None
    email: str | None
    province: str | None
    city: str | None
    occupation: str | None
    income_band: str | None
    open_date: date | None
    acquisition_channel: str | None
    lifecycle: str | None
    consent: Consent
    masked: bool


class Holding(BaseModel):
    """A product the customer holds."""

    product_id: str
    product_name: str
    product_type: str
    risk_level: str | None
    rate: float | None
    balance: float
    is_liability: bool
    opened_at: date | None


class AumPoint(BaseModel):
    """AUM on one day."""

    date: date
    aum: float


class Transaction(BaseModel):
    """One transaction."""

    ts: datetime
    type: str
    direction: str
    amount: float
    category: str | None
    channel: str | None
    description: str | None


class CustomerEvent(BaseModel):
    """One behaviour event of the customer (anonymous events stitched after identify included)."""

    event: str
    type: str
    timestamp: datetime
    properties: dict[str, Any]
    message_id: str
    channel: str | None


class Customer360(BaseModel):
    """Everything the 360 page shows."""

    profile: CustomerProfile
    holdings: list[Holding]
    aum_trend: list[AumPoint]
    transactions: list[Transaction]
    recent_events: list[CustomerEvent]


class CustomerPage(BaseModel):
    """A page of customers with the total count."""

    items: list[CustomerSummary]
    total: int


class EventPage(BaseModel):
    """The customer's events, newest first."""

    items: list[CustomerEvent]

"""Public types of customer profiles: what any worker may read to decide about a customer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

# Built-in, non-PII customer attributes copied into every profile (names as in the insight catalogue).
PROFILE_ATTRIBUTES: tuple[str, ...] = (
    "gender", "birth_date", "province", "city", "occupation", "income_band", "risk_level", "open_date",
    "acquisition_channel", "org_code", "rm_id", "tier", "aum",
)
CONSENT_CHANNELS: tuple[str, ...] = ("sms", "push", "inbox", "wechat", "email", "call")


class Profile(BaseModel):
    """One customer's profile as of its last refresh (attributes set by strategies read over the loaded ones)."""

    model_config = ConfigDict(frozen=True)

    customer_id: str
    org_code: str
    rm_id: str | None
    kyc_level: str | None
    tier: str | None
    aum: float | None
    attributes: dict[str, Any]
    tags: dict[str, Any]
    segments: list[int]
    consents: dict[str, bool | None]
    scores: dict[str, float] = {}  # propensity per target event (0..1)
    score_ranks: dict[str, float] = {}  # place from the top in percent of the bank, per target event
    best_hour: int | None = None  # most responsive hour of day (bank time), when there is enough data
    updated_at: datetime


class RefreshReport(BaseModel):
    """What a refresh did."""

    customers: int
    written: int
    deleted: int
    seconds: float

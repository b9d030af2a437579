"""Public types of placements: a configured placement, the decision the bank's app receives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator


class PlacementRule(BaseModel):
    """One placement in a slot, as configured on the `placement` channel (content from a placement template)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    slot: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    template_id: int = Field(ge=1, le=2**31 - 1)
    priority: int = Field(default=100, ge=0, le=10_000)  # lower wins, like SendRequest.priority
    segment_ids: list[int] = Field(default_factory=list, max_length=50)  # empty: every customer is eligible
    cap_per_day: int | None = Field(default=None, ge=1, le=1000)  # impressions per customer and bank day
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    strategy_id: int | None = None
    campaign_id: int | None = None

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _bank_time(cls, value: datetime | None) -> datetime | None:
        """A time without a zone is bank time (Asia/Shanghai)."""
        return value.replace(tzinfo=ZoneInfo("Asia/Shanghai")) if value and value.tzinfo is None else value


class PlacementContent(BaseModel):
    """What the app shows: the template's current version, rendered once per change (no customer variables)."""

    placement_id: str
    slot: str
    template_id: int
    title: str | None = None
    body: str
    url: str | None = None


class Decision(BaseModel):
    """The answer for one slot and customer: the content to show, or none."""

    slot: str
    customer_id: str
    placement: PlacementContent | None = None


class ClickIn(BaseModel):
    """The app reports that the customer tapped a placement."""

    customer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    placement_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")

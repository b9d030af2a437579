"""Public types of saved analyses and dashboards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from mofang.monitor.analytics.registry import ModelName

MAX_LAST_DAYS = 730
Size = Literal["half", "full"]


class FixedRange(BaseModel):
    """Run with the dates saved in the query."""

    kind: Literal["fixed"] = "fixed"


class LastDays(BaseModel):
    """Run over the last `days` bank days ending on the day it is run (today included)."""

    kind: Literal["last_days"]
    days: int = Field(ge=1, le=MAX_LAST_DAYS)


SavedRange = Annotated[FixedRange | LastDays, Field(discriminator="kind")]


class SavedAnalysisCreate(BaseModel):
    """A named query of one model; the query is validated against that model's contract."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    model: ModelName
    query: dict[str, Any]
    range: SavedRange = Field(default_factory=FixedRange)
    # Absent on update: keep what it was (a console that does not know the flag never unshares by accident).
    shared: bool | None = None


class SavedAnalysisRead(BaseModel):
    """A saved analysis as listed."""

    id: int
    name: str
    description: str | None
    model: ModelName
    query: dict[str, Any]
    range: SavedRange
    shared: bool
    owner: str
    org_code: str | None
    created_at: datetime
    updated_at: datetime
    can_edit: bool = False


class SavedRun(BaseModel):
    """One run of a saved analysis: the query actually run (dates filled in) and the model's result."""

    analysis: SavedAnalysisRead
    query: dict[str, Any]
    result: dict[str, Any]


class DashboardWrite(BaseModel):
    """A dashboard's name, description and whether everyone with analytics access sees it."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    shared: bool = False


class ItemCreate(BaseModel):
    """Pin a saved analysis to a dashboard."""

    analysis_id: int
    size: Size = "half"


class ItemResize(BaseModel):
    """Change a pinned analysis's width."""

    size: Size


class ItemOrder(BaseModel):
    """The dashboard's item ids in their new order (every item exactly once)."""

    order: list[int] = Field(max_length=500)


class ItemRead(BaseModel):
    """A pinned analysis at a position of the dashboard."""

    id: int
    analysis_id: int
    position: int
    size: Size
    analysis: SavedAnalysisRead


class DashboardRead(BaseModel):
    """A dashboard and its items ordered by position."""

    id: int
    name: str
    description: str | None
    shared: bool
    owner: str
    org_code: str | None
    created_at: datetime
    updated_at: datetime
    can_edit: bool = False
    items: list[ItemRead] = Field(default_factory=list)

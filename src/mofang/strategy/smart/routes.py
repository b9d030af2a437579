"""HTTP routes of the smart nodes: a target event's propensity model (status, train now), best-hour coverage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mofang.insight.ml import PropensityRead
from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT
from mofang.strategy.smart import service
from mofang.strategy.smart.contracts import BestTimeRead

router = APIRouter(prefix="/api/strategies/models", tags=["strategy"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Event = Annotated[str, Query(min_length=1, max_length=128)]


@router.get("/propensity", response_model=PropensityRead)
def propensity_status(event: Event, who: Reader, platform: PlatformDep, session: SessionDep) -> PropensityRead:
    """The target event's propensity model: trained when, held-out AUC (head office), counts in your scope."""
    return service.propensity_status(platform=platform, session=session, who=who, event=event)


@router.post("/propensity", response_model=PropensityRead)
def train_propensity(event: Event, who: Editor, platform: PlatformDep, session: SessionDep) -> PropensityRead:
    """Train the target event's model now on the bank's history and score every customer."""
    return service.train_now(platform=platform, session=session, who=who, event=event)


@router.get("/best-time", response_model=BestTimeRead)
def best_time_status(who: Reader, session: SessionDep) -> BestTimeRead:
    """How many customers in your scope have a known most responsive hour (refreshed daily)."""
    return service.best_time_status(session=session, who=who)

"""HTTP routes of experiment results: a strategy's AB splits and holdout, and promoting a winner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_STRATEGY_PUBLISH
from mofang.strategy.experiments import service
from mofang.strategy.experiments.contracts import ExperimentsRead, PromoteRead, PromoteRequest

router = APIRouter(prefix="/api/strategies", tags=["strategy"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Publisher = Annotated[Principal, Depends(require(P_STRATEGY_PUBLISH))]
StrategyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NodeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


@router.get("/{strategy_id}/experiments", response_model=ExperimentsRead)
def get_experiments(strategy_id: StrategyId, who: Reader, session: SessionDep) -> ExperimentsRead:
    """Results of every AB split and of the holdout, counted over your customers only."""
    return service.results(session=session, who=who, strategy_id=strategy_id)


@router.post("/{strategy_id}/experiments/{node_id}/promote", response_model=PromoteRead)
def promote_winner(strategy_id: StrategyId, node_id: NodeId, body: PromoteRequest, who: Publisher,
                   platform: PlatformDep, session: SessionDep) -> PromoteRead:
    """Send all future traffic of an AB split to one variant (a new published version); customers inside stay."""
    return service.promote(platform=platform, session=session, who=who, strategy_id=strategy_id, node_id=node_id,
                           data=body)

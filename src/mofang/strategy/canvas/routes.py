"""HTTP routes of the strategy centre's canvas: strategies, drafts, validation, versions and lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT, P_STRATEGY_PUBLISH
from mofang.strategy.canvas import service
from mofang.strategy.canvas.contracts import (
    CatalogueRead,
    DraftGraph,
    PublishRequest,
    StrategyCreate,
    StrategyRead,
    StrategyUpdate,
    ValidationRead,
    VersionRead,
    VersionSummary,
)

router = APIRouter(prefix="/api/strategies", tags=["strategy"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Publisher = Annotated[Principal, Depends(require(P_STRATEGY_PUBLISH))]
StrategyId = Annotated[int, Query(ge=1, le=2**31 - 1)]


@router.get("", response_model=list[StrategyRead])
def list_strategies(who: Reader, session: SessionDep) -> list[StrategyRead]:
    """Strategies of your org subtree (head office: all)."""
    return service.list_strategies(session=session, who=who)


@router.post("", response_model=StrategyRead, status_code=201)
def create_strategy(body: StrategyCreate, who: Editor, session: SessionDep) -> StrategyRead:
    """A new draft strategy owned by your org."""
    return service.create(session=session, who=who, data=body)


@router.get("/catalogue", response_model=CatalogueRead)
def get_catalogue(who: Reader, platform: PlatformDep, session: SessionDep,
                  strategy_id: StrategyId | None = None) -> CatalogueRead:
    """Pick-lists of the editor: segments, tags, events and properties, attributes, templates, benefits."""
    return service.catalogue_for(platform=platform, session=session, who=who, strategy_id=strategy_id)


@router.get("/{strategy_id}", response_model=StrategyRead)
def get_strategy(strategy_id: int, who: Reader, session: SessionDep) -> StrategyRead:
    """One strategy with its latest graph."""
    return service.get(session=session, who=who, strategy_id=strategy_id)


@router.put("/{strategy_id}", response_model=StrategyRead)
def update_strategy(strategy_id: int, body: StrategyUpdate, who: Editor, session: SessionDep) -> StrategyRead:
    """Rename or save the draft (a new version when the latest one is published)."""
    return service.update(session=session, who=who, strategy_id=strategy_id, data=body)


@router.post("/{strategy_id}/validate", response_model=ValidationRead)
def validate_strategy(strategy_id: int, who: Reader, platform: PlatformDep, session: SessionDep,
                      body: Annotated[DraftGraph | None, Body()] = None) -> ValidationRead:
    """Problems of the posted graph (or of the saved latest version), each naming its node and field."""
    return service.validate(platform=platform, session=session, who=who, strategy_id=strategy_id, graph=body)


@router.post("/{strategy_id}/publish", response_model=StrategyRead)
def publish_strategy(strategy_id: int, who: Publisher, platform: PlatformDep, session: SessionDep,
                     body: Annotated[PublishRequest | None, Body()] = None) -> StrategyRead:
    """Validate and publish the latest version (422 listing the problems)."""
    return service.publish(platform=platform, session=session, who=who, strategy_id=strategy_id,
                           data=body or PublishRequest())


@router.post("/{strategy_id}/pause", response_model=StrategyRead)
def pause_strategy(strategy_id: int, who: Publisher, platform: PlatformDep, session: SessionDep) -> StrategyRead:
    """Hold every running customer where they are."""
    return service.transition(platform=platform, session=session, who=who, strategy_id=strategy_id, action="pause")


@router.post("/{strategy_id}/resume", response_model=StrategyRead)
def resume_strategy(strategy_id: int, who: Publisher, platform: PlatformDep, session: SessionDep) -> StrategyRead:
    """Run a paused strategy again."""
    return service.transition(platform=platform, session=session, who=who, strategy_id=strategy_id,
                              action="resume")


@router.post("/{strategy_id}/stop", response_model=StrategyRead)
def stop_strategy(strategy_id: int, who: Publisher, platform: PlatformDep, session: SessionDep) -> StrategyRead:
    """End the strategy: no one enters, everyone inside exits."""
    return service.transition(platform=platform, session=session, who=who, strategy_id=strategy_id, action="stop")


@router.post("/{strategy_id}/archive", response_model=StrategyRead)
def archive_strategy(strategy_id: int, who: Publisher, platform: PlatformDep, session: SessionDep
                     ) -> StrategyRead:
    """Put away a stopped strategy or an unpublished draft."""
    return service.transition(platform=platform, session=session, who=who, strategy_id=strategy_id,
                              action="archive")


@router.get("/{strategy_id}/versions", response_model=list[VersionSummary])
def list_versions(strategy_id: int, who: Reader, session: SessionDep) -> list[VersionSummary]:
    """Saved versions, newest first."""
    return service.list_versions(session=session, who=who, strategy_id=strategy_id)


@router.get("/{strategy_id}/versions/{version}", response_model=VersionRead)
def get_version(strategy_id: int, version: int, who: Reader, session: SessionDep) -> VersionRead:
    """One version's graph."""
    return service.get_version(session=session, who=who, strategy_id=strategy_id, version=version)

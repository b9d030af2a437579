"""HTTP routes of the tag system."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from mofang.insight.tags import service
from mofang.insight.tags.contracts import (
    Distribution,
    HistoryPoint,
    ImportReport,
    RunReport,
    RunRequest,
    TagCreate,
    TagRead,
    TagRunRead,
    TagUpdate,
)
from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.errors import Invalid
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_CUSTOMERS_READ

router = APIRouter(prefix="/api/insight/tags", tags=["insight"])
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
MAX_UPLOAD = 64 * 1024 * 1024


@router.get("", response_model=list[TagRead])
def list_tags(who: Reader, platform: PlatformDep, session: SessionDep) -> list[TagRead]:
    """Every tag with its latest run."""
    return service.list_tags(platform=platform, session=session, who=who)


@router.post("", response_model=TagRead, status_code=201)
def create_tag(body: TagCreate, who: Editor, platform: PlatformDep, session: SessionDep) -> TagRead:
    """A new tag (rule validated against the catalogue)."""
    return service.create(platform=platform, session=session, who=who, data=body)


@router.get("/{tag_id}", response_model=TagRead)
def get_tag(tag_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> TagRead:
    """One tag."""
    return service.get_or_raise(platform=platform, session=session, who=who, tag_id=tag_id)


@router.patch("/{tag_id}", response_model=TagRead)
def update_tag(tag_id: int, body: TagUpdate, who: Editor, platform: PlatformDep, session: SessionDep) -> TagRead:
    """Change a tag (a new rule is a new version)."""
    return service.update(platform=platform, session=session, who=who, tag_id=tag_id, data=body)


@router.delete("/{tag_id}", status_code=204)
def delete_tag(tag_id: int, who: Editor, platform: PlatformDep, session: SessionDep) -> None:
    """Delete a tag and its history."""
    service.delete(platform=platform, session=session, who=who, tag_id=tag_id)


@router.get("/{tag_id}/versions")
def tag_versions(tag_id: int, _who: Reader, session: SessionDep) -> list[dict[str, Any]]:
    """Saved versions, newest first."""
    return service.versions(session=session, tag_id=tag_id)


@router.post("/{tag_id}/run", response_model=RunReport)
def run_tag(tag_id: int, who: Editor, platform: PlatformDep, session: SessionDep,
            body: RunRequest | None = None) -> RunReport:
    """Compute a tag now (default: today); its owner or head office only, never over recorded history."""
    return service.run(platform=platform, session=session, who=who, tag_id=tag_id, day=body.day if body else None)


@router.get("/{tag_id}/runs", response_model=list[TagRunRead])
def tag_runs(tag_id: int, who: Reader, platform: PlatformDep, session: SessionDep,
             limit: Annotated[int, Query(ge=1, le=500)] = 30) -> list[TagRunRead]:
    """Latest runs: day, duration, customers, coverage, changes, errors (figures inside your scope)."""
    return service.list_runs(platform=platform, session=session, who=who, tag_id=tag_id, limit=limit)


@router.get("/{tag_id}/distribution", response_model=Distribution)
def tag_distribution(tag_id: int, who: Reader, platform: PlatformDep, session: SessionDep,
                     day: Annotated[date | None, Query()] = None) -> Distribution:
    """Values (or a histogram) and coverage inside your scope, now or on a past day."""
    return service.distribution(platform=platform, session=session, who=who, tag_id=tag_id, day=day)


@router.get("/{tag_id}/history", response_model=list[HistoryPoint])
def tag_history(tag_id: int, who: Reader, platform: PlatformDep, session: SessionDep,
                days: Annotated[list[date] | None, Query(max_length=400)] = None) -> list[HistoryPoint]:
    """Counts per value on each run day (or the days given), inside your scope."""
    return service.history(platform=platform, session=session, who=who, tag_id=tag_id, days=days)


@router.post("/{tag_id}/values", response_model=ImportReport)
async def import_tag_values(
    tag_id: int, who: Editor, platform: PlatformDep, session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV lines customer_id,value")],
    day: Annotated[date | None, Form()] = None,
) -> ImportReport:
    """Upload values of an imported tag; rejects are reported."""
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Invalid(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB", field="file")
    return service.import_values(platform=platform, session=session, who=who, tag_id=tag_id, content=content, day=day)


def _default_tags(platform: PlatformDep) -> None:
    """The default tag catalogue exists before anything lists fields or builds segments (once per process)."""
    service.ensure_defaults(platform=platform)


def insight_router() -> APIRouter:
    """Every insight router but customer 360: tags, catalogue, segments, lists, sets, flows."""
    from mofang.insight.segments.routes import router as segments_router

    combined = APIRouter()
    combined.include_router(router)
    combined.include_router(segments_router, dependencies=[Depends(_default_tags)])
    return combined

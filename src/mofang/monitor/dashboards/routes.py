"""HTTP routes of saved analyses, dashboards and the CSV export of analysis results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from mofang.monitor.dashboards import service
from mofang.monitor.dashboards.contracts import (
    DashboardRead,
    DashboardWrite,
    ItemCreate,
    ItemOrder,
    ItemRead,
    ItemResize,
    SavedAnalysisCreate,
    SavedAnalysisRead,
    SavedRun,
)
from mofang.platform.csvfile import MEDIA_TYPE, Lang, attachment
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS

router = APIRouter(tags=["dashboards"])
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]
ExportLang = Annotated[Lang, Query(description="Language of the CSV header: zh (default) or en")]
SAVED = "/api/analytics/saved"
BOARDS = "/api/dashboards"


def _csv(filename: str, text: str) -> Response:
    return Response(content=text.encode("utf-8"), media_type=MEDIA_TYPE, headers=attachment(filename))


# Saved-analysis routes come before `/api/analytics/{model}/export` so that `saved` is never read as a model.


@router.post(SAVED, response_model=SavedAnalysisRead, status_code=201)
def create_analysis(data: SavedAnalysisCreate, who: Analyst, platform: PlatformDep) -> SavedAnalysisRead:
    """Save an analysis (its query is validated against the model)."""
    return service.create_analysis(platform=platform, who=who, data=data)


@router.get(SAVED, response_model=list[SavedAnalysisRead])
def list_analyses(who: Analyst, platform: PlatformDep) -> list[SavedAnalysisRead]:
    """Own and shared saved analyses."""
    return service.list_analyses(platform=platform, who=who)


@router.get(SAVED + "/{analysis_id}", response_model=SavedAnalysisRead)
def get_analysis(analysis_id: int, who: Analyst, platform: PlatformDep) -> SavedAnalysisRead:
    """One saved analysis."""
    return service.get_analysis(platform=platform, who=who, analysis_id=analysis_id)


@router.put(SAVED + "/{analysis_id}", response_model=SavedAnalysisRead)
def update_analysis(analysis_id: int, data: SavedAnalysisCreate, who: Analyst,
                    platform: PlatformDep) -> SavedAnalysisRead:
    """Replace a saved analysis (owner or administrator)."""
    return service.update_analysis(platform=platform, who=who, analysis_id=analysis_id, data=data)


@router.delete(SAVED + "/{analysis_id}", status_code=204)
def delete_analysis(analysis_id: int, who: Analyst, platform: PlatformDep) -> Response:
    """Delete a saved analysis and unpin it everywhere (owner or administrator)."""
    service.delete_analysis(platform=platform, who=who, analysis_id=analysis_id)
    return Response(status_code=204)


@router.post(SAVED + "/{analysis_id}/run", response_model=SavedRun)
def run_analysis(analysis_id: int, who: Analyst, platform: PlatformDep) -> SavedRun:
    """Run a saved analysis over your own data scope."""
    return service.run_analysis(platform=platform, who=who, analysis_id=analysis_id)


@router.post(SAVED + "/{analysis_id}/export", response_class=Response)
def export_saved(analysis_id: int, who: Analyst, platform: PlatformDep,
                 _body: Annotated[dict[str, Any] | None, Body()] = None, lang: ExportLang = "zh") -> Response:
    """A saved analysis's result as CSV (audited)."""
    return _csv(*service.export_saved(platform=platform, who=who, analysis_id=analysis_id, lang=lang))


@router.post("/api/analytics/{model}/export", response_class=Response)
def export_query(model: str, body: Annotated[dict[str, Any], Body()], who: Analyst,
                 platform: PlatformDep, lang: ExportLang = "zh") -> Response:
    """A model's result for the posted query as CSV (audited); the body is the model's own query."""
    try:
        analysis, query = service.parse_query(model, body)
    except ValidationError as exc:
        # The same 422 the model's own route gives for this body.
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
                                     ) from None
    return _csv(*service.export_query(platform=platform, who=who, model=analysis, query=query, lang=lang))


@router.post(BOARDS, response_model=DashboardRead, status_code=201)
def create_dashboard(data: DashboardWrite, who: Analyst, platform: PlatformDep) -> DashboardRead:
    """A new empty dashboard."""
    return service.create_dashboard(platform=platform, who=who, data=data)


@router.get(BOARDS, response_model=list[DashboardRead])
def list_dashboards(who: Analyst, platform: PlatformDep) -> list[DashboardRead]:
    """Own and shared dashboards."""
    return service.list_dashboards(platform=platform, who=who)


@router.get(BOARDS + "/{dashboard_id}", response_model=DashboardRead)
def get_dashboard(dashboard_id: int, who: Analyst, platform: PlatformDep) -> DashboardRead:
    """One dashboard with its items."""
    return service.get_dashboard(platform=platform, who=who, dashboard_id=dashboard_id)


@router.put(BOARDS + "/{dashboard_id}", response_model=DashboardRead)
def update_dashboard(dashboard_id: int, data: DashboardWrite, who: Analyst, platform: PlatformDep) -> DashboardRead:
    """Rename, describe, share or unshare a dashboard."""
    return service.update_dashboard(platform=platform, who=who, dashboard_id=dashboard_id, data=data)


@router.delete(BOARDS + "/{dashboard_id}", status_code=204)
def delete_dashboard(dashboard_id: int, who: Analyst, platform: PlatformDep) -> Response:
    """Delete a dashboard (its saved analyses stay)."""
    service.delete_dashboard(platform=platform, who=who, dashboard_id=dashboard_id)
    return Response(status_code=204)


@router.post(BOARDS + "/{dashboard_id}/items", response_model=ItemRead, status_code=201)
def add_item(dashboard_id: int, data: ItemCreate, who: Analyst, platform: PlatformDep) -> ItemRead:
    """Pin a saved analysis to the dashboard."""
    return service.add_item(platform=platform, who=who, dashboard_id=dashboard_id, data=data)


@router.put(BOARDS + "/{dashboard_id}/items", response_model=DashboardRead)
def reorder_items(dashboard_id: int, data: ItemOrder, who: Analyst, platform: PlatformDep) -> DashboardRead:
    """Reorder the dashboard's items."""
    return service.reorder_items(platform=platform, who=who, dashboard_id=dashboard_id, data=data)


@router.patch(BOARDS + "/{dashboard_id}/items/{item_id}", response_model=ItemRead)
def resize_item(dashboard_id: int, item_id: int, data: ItemResize, who: Analyst, platform: PlatformDep) -> ItemRead:
    """Make an item half or full width."""
    return service.resize_item(platform=platform, who=who, dashboard_id=dashboard_id, item_id=item_id, data=data)


@router.delete(BOARDS + "/{dashboard_id}/items/{item_id}", status_code=204)
def remove_item(dashboard_id: int, item_id: int, who: Analyst, platform: PlatformDep) -> Response:
    """Unpin an item."""
    service.remove_item(platform=platform, who=who, dashboard_id=dashboard_id, item_id=item_id)
    return Response(status_code=204)

"""HTTP routes of the field catalogue, segments, imported lists, segment sets and flows."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from mofang.insight.catalogue import Catalogue
from mofang.insight.segments import flows, service, sets
from mofang.insight.segments.contracts import (
    Composition,
    EstimateRead,
    EstimateRequest,
    FlowCellSegment,
    FlowRead,
    FlowRequest,
    ListRead,
    MemberPage,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
    SegmentSetCreate,
    SegmentSetRead,
    SegmentSetUpdate,
    SegmentUpdate,
    ShareRequest,
    SnapshotRead,
    TrendPoint,
)
from mofang.platform.csvfile import Lang
from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.errors import Invalid
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_CUSTOMERS_READ, P_EXPORT

router = APIRouter(prefix="/api/insight", tags=["insight"])
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Exporter = Annotated[Principal, Depends(require(P_EXPORT))]
MAX_UPLOAD = 32 * 1024 * 1024


@router.get("/catalogue", response_model=Catalogue)
def get_catalogue(who: Reader, platform: PlatformDep, session: SessionDep) -> Catalogue:
    """Attributes, events and their properties, products and tags a definition may use, with operators."""
    return service.get_catalogue(platform=platform, session=session, who=who)


@router.post("/segments/estimate", response_model=EstimateRead)
def estimate(body: EstimateRequest, who: Reader, platform: PlatformDep, session: SessionDep) -> EstimateRead:
    """Live count of a definition inside your scope (实时预估)."""
    return service.estimate(platform=platform, session=session, who=who, definition=body.definition)


@router.post("/segments/composition", response_model=Composition)
def preview_composition(body: EstimateRequest, who: Reader, platform: PlatformDep, session: SessionDep
                        ) -> Composition:
    """Composition of a definition being edited, inside your scope."""
    return service.composition(platform=platform, session=session, who=who, definition=body.definition)


@router.get("/segments", response_model=SegmentPage)
def list_segments(who: Reader, platform: PlatformDep, session: SessionDep) -> SegmentPage:
    """Segments of your org subtree and segments shared with you through sets (counts inside your scope)."""
    return service.list_segments(platform=platform, session=session, who=who)


@router.post("/segments", response_model=SegmentRead, status_code=201)
def create_segment(body: SegmentCreate, who: Editor, platform: PlatformDep, session: SessionDep) -> SegmentRead:
    """Save a segment (a static one is frozen now)."""
    return service.create(platform=platform, session=session, who=who, data=body)


@router.get("/segments/{segment_id}", response_model=SegmentRead)
def get_segment(segment_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> SegmentRead:
    """One segment (its last count inside your scope)."""
    return service.get_or_raise(platform=platform, session=session, who=who, segment_id=segment_id)


@router.patch("/segments/{segment_id}", response_model=SegmentRead)
def update_segment(segment_id: int, body: SegmentUpdate, who: Editor, platform: PlatformDep, session: SessionDep
                   ) -> SegmentRead:
    """Rename or redefine a segment."""
    return service.update(platform=platform, session=session, who=who, segment_id=segment_id, data=body)


@router.delete("/segments/{segment_id}", status_code=204)
def delete_segment(segment_id: int, who: Editor, platform: PlatformDep, session: SessionDep) -> None:
    """Delete a segment no other segment uses."""
    service.delete(platform=platform, session=session, who=who, segment_id=segment_id)


@router.get("/segments/{segment_id}/members", response_model=MemberPage)
def segment_members(
    segment_id: int, who: Reader, platform: PlatformDep, session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    day: Annotated[date | None, Query(description="A dynamic segment's snapshot day")] = None,
) -> MemberPage:
    """Members inside your scope, masked."""
    return service.members(platform=platform, session=session, who=who, segment_id=segment_id, limit=limit,
                           offset=offset, day=day)


@router.get("/segments/{segment_id}/composition", response_model=Composition)
def segment_composition(segment_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> Composition:
    """Members by age band, gender, province, tier, risk, products held and lifecycle stage."""
    return service.composition(platform=platform, session=session, who=who, segment_id=segment_id)


@router.get("/segments/{segment_id}/snapshots", response_model=list[SnapshotRead])
def segment_snapshots(segment_id: int, who: Reader, platform: PlatformDep, session: SessionDep
                      ) -> list[SnapshotRead]:
    """Dated snapshot sizes (members inside your scope)."""
    return service.snapshots(platform=platform, session=session, who=who, segment_id=segment_id)


@router.get("/segments/{segment_id}/export.csv", response_class=StreamingResponse)
def export_segment(
    segment_id: int, who: Exporter, platform: PlatformDep,
    unmask: Annotated[bool, Query(description="Clear names and phones (permission pii:unmask)")] = False,
    lang: Annotated[Lang, Query(description="Language of the header and of 性别: zh (default) or en")] = "zh",
) -> StreamingResponse:
    """All members inside your scope as CSV (audited; masked unless permitted)."""
    # Own session: the audit entry is committed before the first byte is streamed.
    with platform.metadata.session() as session:
        filename, chunks = service.export_csv(platform=platform, session=session, who=who, segment_id=segment_id,
                                              unmask=unmask, lang=lang)
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/lists", response_model=ListRead, status_code=201)
async def import_list(
    who: Editor, platform: PlatformDep, session: SessionDep,
    name: Annotated[str, Form(min_length=1, max_length=128)],
    file: Annotated[UploadFile, File(description="CSV with one customer id per line")],
) -> ListRead:
    """Upload a list of customer ids; rejects are reported."""
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Invalid(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB", field="file")
    return service.import_list(platform=platform, session=session, who=who, name=name, content=content)


@router.get("/lists", response_model=list[ListRead])
def list_lists(who: Reader, session: SessionDep) -> list[ListRead]:
    """Imported lists of your org subtree."""
    return service.list_lists(session=session, who=who)


@router.get("/segment-sets", response_model=list[SegmentSetRead])
def list_sets(who: Reader, platform: PlatformDep, session: SessionDep) -> list[SegmentSetRead]:
    """Sets your org owns or receives."""
    return sets.list_sets(platform=platform, session=session, who=who)


@router.post("/segment-sets", response_model=SegmentSetRead, status_code=201)
def create_set(body: SegmentSetCreate, who: Editor, platform: PlatformDep, session: SessionDep) -> SegmentSetRead:
    """A new set of your own segments with a strategy suggestion."""
    return sets.create(platform=platform, session=session, who=who, data=body)


@router.get("/segment-sets/{set_id}", response_model=SegmentSetRead)
def get_set(set_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> SegmentSetRead:
    """One set; each segment counted inside your scope."""
    return sets.get_or_raise(platform=platform, session=session, who=who, set_id=set_id)


@router.patch("/segment-sets/{set_id}", response_model=SegmentSetRead)
def update_set(set_id: int, body: SegmentSetUpdate, who: Editor, platform: PlatformDep, session: SessionDep
               ) -> SegmentSetRead:
    """Change a set you own."""
    return sets.update(platform=platform, session=session, who=who, set_id=set_id, data=body)


@router.delete("/segment-sets/{set_id}", status_code=204)
def delete_set(set_id: int, who: Editor, session: SessionDep) -> None:
    """Delete a set you own."""
    sets.delete(session=session, who=who, set_id=set_id)


@router.post("/segment-sets/{set_id}/share", response_model=SegmentSetRead)
def share_set(set_id: int, body: ShareRequest, who: Editor, platform: PlatformDep, session: SessionDep
              ) -> SegmentSetRead:
    """Share with the whole bank or chosen orgs."""
    return sets.share(platform=platform, session=session, who=who, set_id=set_id, data=body)


@router.post("/segment-sets/{set_id}/reference", response_model=SegmentSetRead)
def reference_set(set_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> SegmentSetRead:
    """Reference (引用) a set shared with your org."""
    return sets.reference(platform=platform, session=session, who=who, set_id=set_id, on=True)


@router.delete("/segment-sets/{set_id}/reference", response_model=SegmentSetRead)
def unreference_set(set_id: int, who: Reader, platform: PlatformDep, session: SessionDep) -> SegmentSetRead:
    """Drop your org's reference."""
    return sets.reference(platform=platform, session=session, who=who, set_id=set_id, on=False)


@router.post("/flows", response_model=FlowRead)
def flow(body: FlowRequest, who: Reader, platform: PlatformDep, session: SessionDep) -> FlowRead:
    """Transition matrix of a tiering between two dates, inside your scope."""
    return flows.flow(platform=platform, session=session, who=who, req=body)


@router.get("/flows/trend", response_model=list[TrendPoint])
def flow_trend(
    who: Reader, platform: PlatformDep, session: SessionDep,
    days: Annotated[list[date], Query(min_length=1, max_length=120)],
    tag: Annotated[str | None, Query(max_length=64, description="A tag tiering")] = None,
    segment_ids: Annotated[list[int] | None, Query(min_length=2, max_length=20,
                                                   description="An ordered segment tiering")] = None,
) -> list[TrendPoint]:
    """Each tier's size on each given day (a tag, or an ordered list of segments)."""
    return flows.trend(platform=platform, session=session, who=who, tag=tag, segment_ids=segment_ids, days=days)


@router.post("/flows/segment", response_model=SegmentRead, status_code=201)
def flow_cell_segment(body: FlowCellSegment, who: Editor, platform: PlatformDep, session: SessionDep
                      ) -> SegmentRead:
    """Save the customers behind one flow cell (tag or segment tiering) as a static segment."""
    return flows.cell_segment(platform=platform, session=session, who=who, data=body)

"""Segment sets (客群集): grouped segments with a strategy suggestion, shared HQ → branches and referenced."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mofang.insight.models import SegmentDef, SegmentSet, SegmentSetRef
from mofang.insight.segments import logic, queries, service
from mofang.insight.segments import repository as repo
from mofang.insight.segments.contracts import (
    SegmentSetCreate,
    SegmentSetRead,
    SegmentSetUpdate,
    SetSegment,
    ShareRequest,
)
from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT
from mofang.platform.storage.models import as_utc, utcnow
from mofang.platform.storage.sql import Params


def _received(session: Session, who: Principal, row: SegmentSet) -> bool:
    return logic.receives(user_org=who.org_code, share_all=row.share_all, shared_with=repo.set_shares(session, row.id))


def _set_or_404(session: Session, who: Principal, set_id: int) -> SegmentSet:
    row = repo.segment_set(session, set_id)
    if row is None or not (logic.owns(who.scope, row.owner_org) or _received(session, who, row)):
        raise NotFound(f"segment set {set_id} not found")
    return row


def _owned_or_403(who: Principal, row: SegmentSet) -> None:
    if not (who.can(P_CAMPAIGN_EDIT) and logic.owns(who.scope, row.owner_org)):
        raise Forbidden(f"segment set {row.id} belongs to {row.owner_org}: only its owner may change it",
                        field="set_id", code="segment_set_not_owner", params={"name": row.name, "owner": row.owner_org})


def _check_segments(session: Session, who: Principal, ids: list[int]) -> None:
    for i, sid in enumerate(ids):
        seg = repo.segment(session, sid)
        if seg is None or not logic.owns(who.scope, seg.owner_org):
            raise Invalid(f"unknown segment {sid} (a set holds segments of your own org)", field=f"segment_ids.{i}",
                          code="sets.unknown_segment", params={"id": sid})


def _read(*, platform: Platform, session: Session, who: Principal, row: SegmentSet, counts: dict[int, int],
          scoped_counts: bool) -> SegmentSetRead:
    owned = logic.owns(who.scope, row.owner_org)
    segs = [seg for sid in repo.set_items(session, row.id) if (seg := repo.segment(session, sid)) is not None]
    if scoped_counts:
        counts_of = [_scoped_count(platform, session, who, seg) for seg in segs]
    else:  # the last snapshot's size, members inside the viewer's scope (a receiver counts only their own)
        evaluated = [(seg, seg.last_evaluated_on, seg.last_count) for seg in segs
                     if seg.last_count is not None and seg.last_evaluated_on is not None]
        sizes = dict(zip([seg.id for seg, _, _ in evaluated],
                         service.scoped_sizes(platform=platform, who=who, items=evaluated),  # type: ignore[arg-type]
                         strict=True))
        counts_of = [sizes.get(seg.id) for seg in segs]
    segments = [SetSegment(id=seg.id, name=seg.name, kind=seg.kind, count=n) for seg, n in zip(segs, counts_of,
                                                                                              strict=True)]
    return SegmentSetRead(
        id=row.id, name=row.name, strategy=row.strategy, owner_org=row.owner_org, created_by=row.created_by,
        created_at=as_utc(row.created_at), segments=segments, share_all=row.share_all,
        shared_with=repo.set_shares(session, row.id), reference_count=counts.get(row.id, 0),
        referenced_by_me=repo.ref(session, row.id, who.org_code) is not None, owned=owned,
    )


def _scoped_count(platform: Platform, session: Session, who: Principal, seg: SegmentDef) -> int:
    """Members the viewer may see: a receiver counts only customers inside their own scope."""
    today = service.today_of(platform)
    ctx = service.context(platform=platform, session=session, who=None, tree=None, today=today, extra=[seg])
    params = Params()
    pred = service.membership(seg, ctx, params)
    return int(repo.rows(platform.store, queries.count_query(pred, who.scope, params), params)[0]["n"])


def list_sets(*, platform: Platform, session: Session, who: Principal) -> list[SegmentSetRead]:
    """Sets the user's org owns or receives."""
    counts = repo.ref_counts(session)
    return [
        _read(platform=platform, session=session, who=who, row=r, counts=counts, scoped_counts=False)
        for r in repo.sets(session) if logic.owns(who.scope, r.owner_org) or _received(session, who, r)
    ]


def get_or_raise(*, platform: Platform, session: Session, who: Principal, set_id: int) -> SegmentSetRead:
    """One set, each segment counted inside the viewer's scope."""
    row = _set_or_404(session, who, set_id)
    return _read(platform=platform, session=session, who=who, row=row, counts=repo.ref_counts(session),
                 scoped_counts=True)


def create(*, platform: Platform, session: Session, who: Principal, data: SegmentSetCreate) -> SegmentSetRead:
    """A new set owned by the user's org. Audited."""
    _check_segments(session, who, data.segment_ids)
    row = SegmentSet(name=data.name, strategy=data.strategy, owner_org=who.org_code, created_by=who.username)
    session.add(row)
    session.flush()
    repo.replace_set_items(session, row.id, data.segment_ids)
    gov.record(session=session, username=who.username, action="segment_set.create", target_type="segment_set",
               target_id=str(row.id), detail={"name": row.name, "segments": data.segment_ids}, ip=who.ip)
    session.flush()
    return _read(platform=platform, session=session, who=who, row=row, counts={}, scoped_counts=False)


def update(*, platform: Platform, session: Session, who: Principal, set_id: int, data: SegmentSetUpdate
           ) -> SegmentSetRead:
    """Change a set's name, strategy or segments. Audited."""
    row = _set_or_404(session, who, set_id)
    _owned_or_403(who, row)
    if data.segment_ids is not None:
        _check_segments(session, who, data.segment_ids)
        repo.replace_set_items(session, row.id, data.segment_ids)
    if data.name is not None:
        row.name = data.name
    if data.strategy is not None:
        row.strategy = data.strategy
    row.updated_at = utcnow()
    gov.record(session=session, username=who.username, action="segment_set.update", target_type="segment_set",
               target_id=str(row.id), detail=data.model_dump(exclude_none=True), ip=who.ip)
    session.flush()
    return _read(platform=platform, session=session, who=who, row=row, counts=repo.ref_counts(session),
                 scoped_counts=False)


def delete(*, session: Session, who: Principal, set_id: int) -> None:
    """Delete a set (its segments stay). Audited."""
    row = _set_or_404(session, who, set_id)
    _owned_or_403(who, row)
    session.delete(row)
    gov.record(session=session, username=who.username, action="segment_set.delete", target_type="segment_set",
               target_id=str(set_id), detail={"name": row.name}, ip=who.ip)


def share(*, platform: Platform, session: Session, who: Principal, set_id: int, data: ShareRequest
          ) -> SegmentSetRead:
    """Share with the whole bank or with chosen orgs (replacing earlier shares). Audited."""
    row = _set_or_404(session, who, set_id)
    _owned_or_403(who, row)
    known = gov.org_names(session=session)
    for i, code in enumerate(data.org_codes):
        if code not in known:
            raise Invalid(f"unknown org code '{code}'", field=f"org_codes.{i}", code="org.unknown",
                          params={"org": code})
    row.share_all = data.all
    repo.replace_set_shares(session, row.id, data.org_codes)
    gov.record(session=session, username=who.username, action="segment_set.share", target_type="segment_set",
               target_id=str(row.id), detail={"name": row.name, "all": data.all, "org_codes": data.org_codes},
               ip=who.ip)
    session.flush()
    return _read(platform=platform, session=session, who=who, row=row, counts=repo.ref_counts(session),
                 scoped_counts=False)


def reference(*, platform: Platform, session: Session, who: Principal, set_id: int, on: bool) -> SegmentSetRead:
    """A receiving org references (引用) a shared set, or drops its reference. Audited."""
    row = _set_or_404(session, who, set_id)
    if logic.owns(who.scope, row.owner_org) and not _received(session, who, row):
        raise Invalid("a set is referenced by the orgs it is shared with, not by its owner", field="set_id")
    existing = repo.ref(session, row.id, who.org_code)
    if on and existing is None:
        session.add(SegmentSetRef(set_id=row.id, org_code=who.org_code, username=who.username))
    elif not on and existing is not None:
        session.delete(existing)
    gov.record(session=session, username=who.username, action="segment_set.reference" if on else
               "segment_set.unreference", target_type="segment_set", target_id=str(row.id), detail={"name": row.name},
               ip=who.ip)
    session.flush()
    return _read(platform=platform, session=session, who=who, row=row, counts=repo.ref_counts(session),
                 scoped_counts=False)

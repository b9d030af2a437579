"""Segment orchestration: catalogue, estimates, CRUD, members, composition, exports, lists, snapshots."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from mofang.insight import catalogue as cat
from mofang.insight.models import CustomerList, SegmentDef
from mofang.insight.segments import compiler as comp
from mofang.insight.segments import logic, queries
from mofang.insight.segments import repository as repo
from mofang.insight.segments.contracts import (
    Composition,
    Condition,
    EstimateRead,
    ListRead,
    MemberPage,
    SegmentCondition,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
    SegmentUpdate,
    SnapshotRead,
)
from mofang.platform.context import Platform
from mofang.platform.csvfile import BOM, Lang, csv_text
from mofang.platform.errors import Conflict, Forbidden, Invalid, MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_PII_UNMASK, Scope
from mofang.platform.storage.models import as_utc, utcnow
from mofang.platform.storage.sql import Params, col

CONDITION = TypeAdapter(Condition)
SNAPSHOT_KEEP_DAYS = 92  # daily snapshots kept this long; month-end snapshots are kept for good
ALL = Scope(kind="all")
log = logging.getLogger(__name__)


def today_of(platform: Platform) -> date:
    """The bank's today: from the injectable clock `platform.extras['clock']` (tests), else the real one."""
    clock = platform.extras.get("clock")
    now = clock() if callable(clock) else datetime.now(UTC) + timedelta(hours=cat.LOCAL_UTC_OFFSET_HOURS)
    return now.date() if isinstance(now, datetime) else now


def get_catalogue(*, platform: Platform, session: Session, who: Principal | None = None) -> cat.Catalogue:
    """The field catalogue (event discovery cached for a few minutes); event counts for whole-bank viewers only."""
    cat.ensure_insight_schema(platform.store, platform.extras)
    catalogue = cat.build(store=platform.store, session=session, cache=platform.extras)
    if who is None or who.scope.kind == "all":
        return catalogue
    # The discovered counts are the whole bank's events: a narrower viewer is shown names, not volumes.
    return catalogue.model_copy(update={"events": [e.model_copy(update={"count": None}) for e in catalogue.events]})


def owner_scope(owner_org: str) -> Scope:
    """The scope a definition owned by an org is evaluated in: that org's subtree."""
    return Scope.for_user(role="operator", org_code=owner_org, rm_id=None)


# ---------------------------------------------------------------------------------------------- visibility


def _visible(session: Session, who: Principal, seg: SegmentDef, shares: dict[int, list[str]] | None = None) -> bool:
    if logic.owns(who.scope, seg.owner_org):
        return True
    shares = repo.shared_set_ids(session) if shares is None else shares
    for set_id in repo.sets_containing(session, seg.id):
        row = repo.segment_set(session, set_id)
        if row is not None and logic.receives(user_org=who.org_code, share_all=row.share_all,
                                              shared_with=shares.get(set_id, [])):
            return True
    return False


def visible_to_org(*, session: Session, org_code: str) -> list[tuple[int, str]]:
    """(id, name) of the segments an org may use: its subtree's, or received through a shared set."""
    who = Principal(user_id=0, username="", display_name="", role="operator", org_code=org_code, rm_id=None,
                    permissions=frozenset(), scope=owner_scope(org_code))
    shares = repo.shared_set_ids(session)
    return [(s.id, s.name) for s in repo.segments(session) if _visible(session, who, s, shares)]


def visible_or_404(session: Session, who: Principal, segment_id: int) -> SegmentDef:
    """A segment the user may see (their subtree's or received through a set), else 404."""
    return _segment_or_404(session, who, segment_id)


def _segment_or_404(session: Session, who: Principal, segment_id: int) -> SegmentDef:
    seg = repo.segment(session, segment_id)
    if seg is None or not _visible(session, who, seg):
        raise NotFound(f"segment {segment_id} not found")
    return seg


def _editable_or_403(who: Principal, seg: SegmentDef) -> None:
    if not (who.can(P_CAMPAIGN_EDIT) and logic.owns(who.scope, seg.owner_org)):
        raise Forbidden(f"segment {seg.id} belongs to {seg.owner_org}: you may view it but not change it",
                        field="segment_id", code="segment_not_owner", params={"name": seg.name, "owner": seg.owner_org})


def scoped_sizes(*, platform: Platform, who: Principal, items: list[tuple[SegmentDef, date, int]]) -> list[int]:
    """Snapshot sizes (segment, day, stored size) as the viewer may see them: members inside their scope.

    A snapshot holds the owner's subtree; a viewer who sees all of it gets the stored size, anyone else
    (a branch receiving a head-office segment, an RM) the members of their own scope."""
    partial = sorted({(seg.id, day) for seg, day, _ in items if not logic.covers(who.scope, seg.owner_org)})
    counts = repo.scoped_snapshot_sizes(platform.store, pairs=partial, scope=who.scope)
    return [n if logic.covers(who.scope, seg.owner_org) else counts.get((seg.id, day), 0) for seg, day, n in items]


def _reads(platform: Platform, who: Principal, segs: list[SegmentDef]) -> list[SegmentRead]:
    """Segments as the viewer sees them, last counts inside their scope."""
    evaluated = [(s, s.last_evaluated_on, s.last_count) for s in segs
                 if s.last_count is not None and s.last_evaluated_on is not None]
    sizes = dict(zip([s.id for s, _, _ in evaluated],
                     scoped_sizes(platform=platform, who=who, items=evaluated), strict=True))  # type: ignore[arg-type]
    return [_read(s, who, sizes.get(s.id)) for s in segs]


def _read(seg: SegmentDef, who: Principal, last_count: int | None) -> SegmentRead:
    return SegmentRead(
        id=seg.id, name=seg.name, description=seg.description, kind=seg.kind,
        definition=_definition(seg), version=seg.version, owner_org=seg.owner_org,
        created_by=seg.created_by, created_at=as_utc(seg.created_at), updated_at=as_utc(seg.updated_at),
        last_count=last_count, last_evaluated_on=seg.last_evaluated_on, frozen_on=seg.frozen_on,
        last_error=seg.last_error, last_error_at=as_utc(seg.last_error_at) if seg.last_error_at else None,
        editable=who.can(P_CAMPAIGN_EDIT) and logic.owns(who.scope, seg.owner_org),
    )


# ---------------------------------------------------------------------------------------------- compiling


def _ref(seg: SegmentDef) -> comp.SegmentRef:
    definition = _definition(seg) if seg.kind == "dynamic" else None
    return comp.SegmentRef(id=seg.id, kind=seg.kind, owner_org=seg.owner_org, definition=definition,
                           frozen_on=seg.frozen_on)


def _definition(seg: SegmentDef) -> Condition | None:
    """A stored definition, or None if it no longer reads (stored under older rules): its users are told so."""
    try:
        return CONDITION.validate_python(seg.definition)
    except ValueError:
        return None


def context(*, platform: Platform, session: Session, who: Principal | None, tree: Condition | None,
            today: date, extra: Sequence[SegmentDef] = ()) -> comp.Context:
    """Catalogue plus every segment and list the tree refers to (directly visible to the user, or nested)."""
    catalogue = get_catalogue(platform=platform, session=session)
    refs: dict[int, comp.SegmentRef] = {s.id: _ref(s) for s in extra}
    lists: set[int] = set()
    todo = [tree] if tree is not None else []
    todo += [r.definition for r in refs.values() if r.definition is not None]
    direct = True
    while todo:
        seg_ids, list_ids = set(), set()
        for t in todo:
            s_ids, l_ids = comp.referenced(t)
            seg_ids |= s_ids
            list_ids |= l_ids
        todo = []
        for seg in repo.segments(session, seg_ids - set(refs)):
            if direct and who is not None and not _visible(session, who, seg):
                continue  # invisible: the compiler reports it as unknown
            refs[seg.id] = _ref(seg)
            if refs[seg.id].definition is not None:
                todo.append(refs[seg.id].definition)  # type: ignore[arg-type]
        for list_id in list_ids:
            row = repo.customer_list(session, list_id)
            if row is not None and (not direct or who is None or logic.owns(who.scope, row.owner_org)):
                lists.add(list_id)
        direct = False
    return comp.Context(catalogue=catalogue, today=today, segments=refs, lists=frozenset(lists),
                        pii=platform.settings.pii_policy())


def membership(seg: SegmentDef, ctx: comp.Context, params: Params, day: date | None = None) -> Any:
    """Predicate of a saved segment's members: frozen or dated snapshot, or its live definition."""
    if day is not None and seg.kind == "dynamic":
        return comp.member_in(comp.snapshot_members(seg.id, day, params))
    return comp.condition(SegmentCondition(type="segment", segment_id=seg.id), ctx, params)


# ---------------------------------------------------------------------------------------------- estimate & CRUD


def estimate(*, platform: Platform, session: Session, who: Principal, definition: Condition) -> EstimateRead:
    """Live count of a definition inside the user's scope (实时预估)."""
    today = today_of(platform)
    ctx = context(platform=platform, session=session, who=who, tree=definition, today=today)
    params = Params()
    query = queries.estimate_query(comp.condition(definition, ctx, params), who.scope, params)
    started = time.perf_counter()
    row = repo.rows(platform.store, query, params)[0]
    elapsed = int((time.perf_counter() - started) * 1000)
    total = int(row["total"] or 0)
    return EstimateRead(count=int(row["n"]), total=total, ratio=round(row["n"] / total, 6) if total else 0.0,
                        elapsed_ms=elapsed)


def list_segments(*, platform: Platform, session: Session, who: Principal) -> SegmentPage:
    """Segments the user owns (in their subtree) or receives through a shared set; counts inside their scope."""
    shares = repo.shared_set_ids(session)
    items = _reads(platform, who, [s for s in repo.segments(session) if _visible(session, who, s, shares)])
    return SegmentPage(items=items, total=len(items))


def get_or_raise(*, platform: Platform, session: Session, who: Principal, segment_id: int) -> SegmentRead:
    """One visible segment, its last count inside the viewer's scope."""
    return _reads(platform, who, [_segment_or_404(session, who, segment_id)])[0]


def create(*, platform: Platform, session: Session, who: Principal, data: SegmentCreate) -> SegmentRead:
    """Validate and save a segment; a static one is frozen now. Audited."""
    today = today_of(platform)
    ctx = context(platform=platform, session=session, who=who, tree=data.definition, today=today)
    comp.condition(data.definition, ctx, Params())  # validation: 422 naming the field
    seg = SegmentDef(name=data.name, description=data.description, kind=data.kind,
                     definition=data.definition.model_dump(mode="json", exclude_none=True), version=1,
                     owner_org=who.org_code, created_by=who.username)
    session.add(seg)
    session.flush()
    if seg.kind == "static":
        _freeze(platform=platform, session=session, seg=seg, ctx=ctx, today=today)
    gov.record(session=session, username=who.username, action="segment.create", target_type="segment",
               target_id=str(seg.id), detail={"name": seg.name, "kind": seg.kind}, ip=who.ip)
    return _reads(platform, who, [seg])[0]


def _freeze(*, platform: Platform, session: Session, seg: SegmentDef, ctx: comp.Context, today: date) -> None:
    params = Params()
    tree = CONDITION.validate_python(seg.definition)
    ids = queries.ids_query(comp.condition(tree, ctx, params, segment_id=seg.id), owner_scope(seg.owner_org), params)
    count = repo.write_snapshot(platform.store, segment_id=seg.id, day=today, ids_query=ids, params=params)
    seg.frozen_on, seg.last_count, seg.last_evaluated_on = today, count, today
    repo.upsert_snapshot(session, segment_id=seg.id, day=today, count=count)


def update(*, platform: Platform, session: Session, who: Principal, segment_id: int, data: SegmentUpdate
           ) -> SegmentRead:
    """Rename, describe, or redefine (dynamic only) a segment; a new definition is a new version. Audited."""
    seg = _segment_or_404(session, who, segment_id)
    _editable_or_403(who, seg)
    changes: dict[str, Any] = {}
    if data.definition is not None:
        if seg.kind == "static":
            raise Conflict("a static segment is frozen: create a new segment instead", field="definition")
        ctx = context(platform=platform, session=session, who=who, tree=data.definition, today=today_of(platform))
        comp.condition(data.definition, ctx, Params(), segment_id=seg.id)
        seg.definition = data.definition.model_dump(mode="json", exclude_none=True)
        seg.version += 1
        changes["version"] = seg.version
    if data.name is not None:
        seg.name = changes["name"] = data.name
    if data.description is not None:
        seg.description = data.description
        changes["description"] = "changed"
    seg.updated_at = utcnow()
    gov.record(session=session, username=who.username, action="segment.update", target_type="segment",
               target_id=str(seg.id), detail=changes, ip=who.ip)
    return _reads(platform, who, [seg])[0]


def delete(*, platform: Platform, session: Session, who: Principal, segment_id: int) -> None:
    """Delete a segment nobody else builds on. Audited."""
    seg = _segment_or_404(session, who, segment_id)
    _editable_or_403(who, seg)
    users = [s.id for s in repo.segments(session)
             if s.id != seg.id and (d := _definition(s)) is not None and seg.id in comp.referenced(d)[0]]
    if users:
        raise Conflict(f"segment {seg.id} is used by segments {users}", field="segment_id")
    repo.drop_snapshots(platform.store, segment_id=seg.id)
    session.delete(seg)
    gov.record(session=session, username=who.username, action="segment.delete", target_type="segment",
               target_id=str(segment_id), detail={"name": seg.name}, ip=who.ip)


# ---------------------------------------------------------------------------------------------- members


def members(*, platform: Platform, session: Session, who: Principal, segment_id: int, limit: int, offset: int,
            day: date | None = None) -> MemberPage:
    """A page of members inside the viewer's scope, masked (a dynamic segment's past day from its snapshot)."""
    seg = _segment_or_404(session, who, segment_id)
    _check_snapshot_day(session, seg, day)
    today = today_of(platform)
    ctx = context(platform=platform, session=session, who=None, tree=None, today=today, extra=[seg])
    params = Params()
    pred = membership(seg, ctx, params, day)
    total = repo.rows(platform.store, queries.count_query(pred, who.scope, params), params)[0]["n"]
    params2 = Params()
    pred2 = membership(seg, ctx, params2, day)
    page = repo.rows(platform.store, queries.members_query(pred2, who.scope, params2, limit=limit, offset=offset),
                     params2)
    return MemberPage(items=[logic.member_row(r, today=today) for r in page], total=int(total),
                      day=day or seg.frozen_on)


def _check_snapshot_day(session: Session, seg: SegmentDef, day: date | None) -> None:
    if day is not None and day not in {s.day for s in repo.snapshots(session, seg.id)}:
        raise NotFound(f"segment {seg.id} has no snapshot on {day}", field="day")


def composition(*, platform: Platform, session: Session, who: Principal, segment_id: int | None = None,
                definition: Condition | None = None) -> Composition:
    """Members (of a saved segment, or of a definition being edited) by age band, gender, province, tier,
    risk, products held and lifecycle stage — inside the viewer's scope."""
    today = today_of(platform)
    params = Params()
    if segment_id is not None:
        seg = _segment_or_404(session, who, segment_id)
        ctx = context(platform=platform, session=session, who=None, tree=None, today=today, extra=[seg])
        pred = membership(seg, ctx, params)
    else:
        assert definition is not None
        ctx = context(platform=platform, session=session, who=who, tree=definition, today=today)
        pred = comp.condition(definition, ctx, params)
    lifecycle = ctx.catalogue.tag("lifecycle_stage")
    query = queries.composition_query(pred, who.scope, params, today=today,
                                   lifecycle_tag_id=lifecycle.id if lifecycle else None)
    return logic.composition(repo.rows(platform.store, query, params))


def export_csv(*, platform: Platform, session: Session, who: Principal, segment_id: int, unmask: bool = False,
               lang: Lang = "zh") -> tuple[str, Iterator[str]]:
    """(file name, CSV chunks) of all members in the viewer's scope; masked unless permitted. Audited."""
    if unmask and not who.can(P_PII_UNMASK):
        raise Forbidden("your role may not export unmasked personal data", field="unmask")
    seg = _segment_or_404(session, who, segment_id)
    today = today_of(platform)
    ctx = context(platform=platform, session=session, who=None, tree=None, today=today, extra=[seg])
    params = Params()
    pred = membership(seg, ctx, params)
    count = int(repo.rows(platform.store, queries.count_query(pred, who.scope, params), params)[0]["n"])
    gov.record(session=session, username=who.username, action="segment.export", target_type="segment",
               target_id=str(seg.id), detail={"name": seg.name, "rows": count, "unmasked": unmask}, ip=who.ip,
               user_agent=who.user_agent)
    params2 = Params()
    query = queries.members_query(membership(seg, ctx, params2), who.scope, params2)
    if unmask:
        query = query.select(col("phone_enc", comp.CUSTOMER))
    cipher = platform.cipher

    def chunks() -> Iterator[str]:
        yield BOM + csv_text([logic.export_header(lang)])
        for batch in repo.stream(platform.store, query, params2):
            lines = []
            for r in batch:
                row = logic.member_row(r, today=today)
                if unmask:
                    lines.append(logic.export_line(row, name=r["name"], phone=cipher.decrypt(r["phone_enc"]),
                                                   lang=lang))
                else:
                    lines.append(logic.export_line(row, lang=lang))
            yield csv_text(lines)

    return f"segment-{seg.id}-{today.isoformat()}.csv", chunks()


def snapshots(*, platform: Platform, session: Session, who: Principal, segment_id: int) -> list[SnapshotRead]:
    """Dated snapshot sizes of a segment: members inside the viewer's scope."""
    seg = _segment_or_404(session, who, segment_id)
    snaps = repo.snapshots(session, seg.id)
    sizes = scoped_sizes(platform=platform, who=who, items=[(seg, s.day, s.count) for s in snaps])
    return [SnapshotRead(day=s.day, count=n) for s, n in zip(snaps, sizes, strict=True)]


# ---------------------------------------------------------------------------------------------- daily


def evaluate_dynamic(*, platform: Platform, day: date) -> dict[int, int]:
    """Snapshot every dynamic segment's members for `day`; prune old daily snapshots. Returns sizes."""
    sizes: dict[int, int] = {}
    with platform.metadata.session() as session:
        segs = [s for s in repo.segments(session) if s.kind == "dynamic"]
        ctx = context(platform=platform, session=session, who=None, tree=None, today=day, extra=segs)
        ctx = dataclasses.replace(ctx, past=day < today_of(platform))  # a past day's balances, not today's
        for seg in segs:
            # One user's segment must never stop the bank-wide snapshots: a segment that cannot be evaluated
            # keeps its old snapshots and records why (on the segment, for its owner to see); the others go on.
            try:
                sizes[seg.id] = _snapshot(platform, session, seg, ctx, day)
                error = None
            except Exception as exc:
                log.exception("segment %s could not be evaluated for %s", seg.id, day)
                error = exc.message if isinstance(exc, MofangError) else f"{type(exc).__name__}: {exc}"
            seg.last_error, seg.last_error_at = (error[:2000], utcnow()) if error is not None else (None, None)
    return sizes


def _snapshot(platform: Platform, session: Session, seg: SegmentDef, ctx: comp.Context, day: date) -> int:
    """Write one dynamic segment's snapshot of `day`, prune its old ones; returns its size."""
    tree = ctx.segments[seg.id].definition
    if tree is None:
        raise Invalid("the stored definition is not valid any more: edit the segment", field="definition",
                      code="segment.definition_unreadable")
    params = Params()
    pred = comp.condition(tree, ctx, params, segment_id=seg.id)
    ids = queries.ids_query(pred, owner_scope(seg.owner_org), params)
    count = repo.write_snapshot(platform.store, segment_id=seg.id, day=day, ids_query=ids, params=params)
    repo.upsert_snapshot(session, segment_id=seg.id, day=day, count=count)
    seg.last_count, seg.last_evaluated_on = count, day
    keep = {s.day for s in repo.snapshots(session, seg.id)
            if s.day > day - timedelta(days=SNAPSHOT_KEEP_DAYS) or (s.day + timedelta(days=1)).day == 1}
    keep.add(day)
    repo.drop_snapshots(platform.store, segment_id=seg.id, keep=keep)
    repo.forget_snapshots(session, segment_id=seg.id, keep=keep)
    return count


# ---------------------------------------------------------------------------------------------- lists


def import_list(*, platform: Platform, session: Session, who: Principal, name: str, content: bytes,
                audit: bool = True) -> ListRead:
    """Store an uploaded CSV of customer ids; unknown or out-of-scope ids are rejected and reported. Audited,
    unless (`audit=False`) the list is the inside of a static segment being created, whose entry says it all."""
    cat.ensure_insight_schema(platform.store, platform.extras)
    ids, rejects = logic.parse_id_list(content)
    known = repo.existing_customers(platform.store, ids=ids, scope=who.scope)
    accepted = [i for i in ids if i in known]
    rejects += [{"line": 0, "value": i, "reason": "no such customer in your scope"} for i in ids if i not in known]
    if not accepted:
        raise Invalid(f"no valid customer id in the file ({len(rejects)} rejected)", field="file")
    row = CustomerList(name=name, owner_org=who.org_code, accepted=len(accepted), rejected=len(rejects),
                       rejects=rejects[:200], created_by=who.username)
    session.add(row)
    session.flush()
    repo.write_list(platform.store, list_id=row.id, ids=accepted)
    if audit:
        gov.record(session=session, username=who.username, action="list.import", target_type="list",
                   target_id=str(row.id), detail={"name": name, "accepted": len(accepted), "rejected": len(rejects)},
                   ip=who.ip)
    return _list_read(row)


def _list_read(row: CustomerList) -> ListRead:
    return ListRead(id=row.id, name=row.name, owner_org=row.owner_org, accepted=row.accepted, rejected=row.rejected,
                    rejects=row.rejects, created_at=as_utc(row.created_at))


def list_lists(*, session: Session, who: Principal) -> list[ListRead]:
    """Imported lists owned inside the user's subtree."""
    return [_list_read(r) for r in repo.customer_lists(session) if logic.owns(who.scope, r.owner_org)]

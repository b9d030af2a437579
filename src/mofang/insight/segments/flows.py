"""Tiering and flow monitoring (分层/流向): transition matrices and tier trends from tag history or snapshots.

A tiering is a tag (its labels) or an ordered list of segments: a customer falls in the first segment that
holds them on the day (a dynamic segment's dated snapshot, a static segment's frozen one); the rest have no tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlglot
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.insight.catalogue import TAG_VALUES
from mofang.insight.segments import compiler as comp
from mofang.insight.segments import queries, service
from mofang.insight.segments import repository as repo
from mofang.insight.segments.contracts import (
    FlowCell,
    FlowCellSegment,
    FlowRead,
    FlowRequest,
    GroupCondition,
    ListCondition,
    SegmentCreate,
    SegmentRead,
    TagCondition,
    TrendPoint,
)
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.contracts import Principal
from mofang.platform.storage.sql import Params, and_, col

NONE = "(无)"


def _tag_tier(alias: str, tag_id: int, day: date, params: Params) -> tuple[exp.Expression, exp.Expression]:
    """(join condition, tier expression) of a tag's value on a day."""
    on = exp.and_(exp.EQ(this=col("customer_id", alias), expression=col("customer_id", comp.CUSTOMER)),
                  comp.tag_as_of(tag_id, day, params, alias))
    return on, col("value", alias)


def _segment_tier(segs: list[tuple[int, str, date | None]], day: date, params: Params) -> exp.Expression:
    """The first segment (in order) whose snapshot of `day` (or frozen snapshot) holds the customer."""
    case = exp.Case()
    for sid, label, frozen in segs:
        member = comp.member_in(comp.snapshot_members(sid, frozen or day, params))
        case = case.when(member, exp.Literal.string(label), copy=False)
    return case


def _check_days(start: date, end: date, today: date) -> None:
    if start > end:
        raise Invalid("start is after end", field="start", code="range.start_after_end")
    if end > today:
        raise Invalid("end is in the future", field="end", code="date.future")


def flow(*, platform: Platform, session: Session, who: Principal, req: FlowRequest) -> FlowRead:
    """Transition matrix between two dates inside the viewer's scope (a branch sees its own structure)."""
    today = service.today_of(platform)
    _check_days(req.start, req.end, today)
    params = Params()
    query = sqlglot.select().from_(comp.customers())
    if req.tag is not None:
        tiers, (src, dst) = _tag_tiers(platform, session, req.tag), ("s", "e")
        info = service.get_catalogue(platform=platform, session=session).tag(req.tag)
        assert info is not None
        for alias, day in ((src, req.start), (dst, req.end)):
            on, _ = _tag_tier(alias, info.id, day, params)
            query = query.join(comp.table(TAG_VALUES, alias), on=on, join_type="left")
        source, target = col("value", src), col("value", dst)
    else:
        segs = _segment_tiers(session, who, req.segment_ids or [], (req.start, req.end))
        tiers = [label for _, label, _ in segs]
        source, target = _segment_tier(segs, req.start, params), _segment_tier(segs, req.end, params)
    query = query.select(exp.alias_(source, "source"), exp.alias_(target, "target"),
                         exp.alias_(exp.Count(this=exp.Star()), "n"))
    scope = who.scope.predicate(params, table=comp.CUSTOMER)
    either = exp.or_(exp.Not(this=exp.Is(this=source.copy(), expression=exp.Null())),
                     exp.Not(this=exp.Is(this=target.copy(), expression=exp.Null())))
    query = query.where(exp.and_(scope, either) if scope is not None else either).group_by(exp.Literal.number(1),
                                                                                              exp.Literal.number(2))
    rows = repo.rows(platform.store, query, params)
    start_sizes: dict[str, int] = {}
    end_sizes: dict[str, int] = {}
    for r in rows:
        r["source"], r["target"] = r["source"] or NONE, r["target"] or NONE
        start_sizes[r["source"]] = start_sizes.get(r["source"], 0) + r["n"]
        end_sizes[r["target"]] = end_sizes.get(r["target"], 0) + r["n"]
    seen = [*tiers, *sorted({*start_sizes, *end_sizes} - set(tiers))]
    cells = [FlowCell(source=r["source"], target=r["target"], count=r["n"],
                      ratio=round(r["n"] / start_sizes[r["source"]], 4))
             for r in sorted(rows, key=lambda r: (seen.index(r["source"]), seen.index(r["target"])))]
    return FlowRead(tiers=seen, start=req.start, end=req.end, cells=cells, start_sizes=start_sizes,
                    end_sizes=end_sizes)


def _tag_tiers(platform: Platform, session: Session, key: str) -> list[str]:
    info = service.get_catalogue(platform=platform, session=session).tag(key)
    if info is None:
        raise Invalid(f"unknown tag '{key}'", field="tag", code="tag.unknown", params={"tag": key})
    if info.value_type != "string":
        raise Invalid(f"tag '{key}' holds numbers: a tiering needs a tag with labels", field="tag",
                      code="flows.tag_numeric")
    return list(info.values or [])


def _segment_tiers(session: Session, who: Principal, ids: list[int], days: Sequence[date]
                   ) -> list[tuple[int, str, date | None]]:
    """(id, label, frozen day) of each tier in order; every dynamic segment needs a snapshot on every day."""
    out: list[tuple[int, str, date | None]] = []
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            raise Invalid(f"segment {sid} is listed twice", field=f"segment_ids.{i}", code="segment.twice")
        try:
            seg = service.visible_or_404(session, who, sid)
        except NotFound as exc:
            raise Invalid(f"unknown segment {sid}", field=f"segment_ids.{i}", code="segment.unknown",
                          params={"id": sid}) from exc
        have = {s.day for s in repo.snapshots(session, sid)}
        missing = sorted(d for d in days if d not in have) if seg.frozen_on is None else []
        if missing:
            raise Invalid(f"segment {sid} has no snapshot on {missing[0]}", field=f"segment_ids.{i}",
                          code="segment.no_snapshot", params={"day": str(missing[0])})
        # Labels are the tiers' names; a clash (with another tier or with "no tier") gets the id appended.
        clash = seg.name == NONE or any(seg.name == o[1] for o in out)
        out.append((sid, f"{seg.name}#{seg.id}" if clash else seg.name, seg.frozen_on))
    return out


def trend(*, platform: Platform, session: Session, who: Principal, days: list[date], tag: str | None = None,
          segment_ids: list[int] | None = None) -> list[TrendPoint]:
    """Each tier's size on each day (tag history, or segment snapshots), inside the viewer's scope."""
    if (tag is None) == (segment_ids is None):
        raise Invalid("give a tag or segment_ids", field="tag", code="flows.tag_or_segments")
    today = service.today_of(platform)
    if max(days) > today:
        raise Invalid(f"{max(days)} is in the future", field="days", code="date.future")
    if segment_ids is not None:
        return _segment_trend(platform, session, who, segment_ids, sorted(set(days)))
    assert tag is not None
    _tag_tiers(platform, session, tag)
    info = service.get_catalogue(platform=platform, session=session).tag(tag)
    assert info is not None
    params = Params()
    day_list = sqlglot.select(exp.alias_(exp.Unnest(expressions=[params(sorted(set(days)))]), "day"))
    t = "t"
    on = exp.and_(
        exp.EQ(this=col("tag_id", t), expression=params(info.id)),
        exp.LTE(this=col("valid_from", t), expression=col("day", "d")),
        exp.GT(this=col("valid_to", t), expression=col("day", "d")),
    )
    query = (
        sqlglot.select(col("day", "d"), col("value", t), exp.alias_(exp.Count(this=exp.Star()), "n"))
        .from_(exp.Subquery(this=day_list, alias=exp.TableAlias(this=exp.to_identifier("d"))))
        .join(comp.table(TAG_VALUES, t), on=on)
        .join(comp.customers(), on=exp.EQ(this=col("customer_id", comp.CUSTOMER), expression=col("customer_id", t)))
        .group_by(col("day", "d"), col("value", t))
    )
    scope = who.scope.predicate(params, table=comp.CUSTOMER)
    if scope is not None:
        query = query.where(scope)
    points: dict[date, dict[str, int]] = {d: {} for d in sorted(set(days))}
    for r in repo.rows(platform.store, query, params):
        points[r["day"]][r["value"]] = r["n"]
    return [TrendPoint(day=d, sizes=s) for d, s in points.items()]


def _segment_trend(platform: Platform, session: Session, who: Principal, ids: list[int], days: list[date]
                   ) -> list[TrendPoint]:
    """Sizes of the tiers of an ordered segment list per day (customers in no tier are not counted)."""
    segs = _segment_tiers(session, who, ids, days)
    points = []
    for day in days:
        params = Params()
        tier = _segment_tier(segs, day, params)
        query = (sqlglot.select(exp.alias_(tier, "tier"), exp.alias_(exp.Count(this=exp.Star()), "n"))
                 .from_(comp.customers())
                 .where(and_(who.scope.predicate(params, table=comp.CUSTOMER),
                             exp.Not(this=exp.Is(this=tier.copy(), expression=exp.Null()))))
                 .group_by(exp.Literal.number(1)))
        sizes = {r["tier"]: r["n"] for r in repo.rows(platform.store, query, params)}
        points.append(TrendPoint(day=day, sizes={label: sizes[label] for _, label, _ in segs if label in sizes}))
    return points


def cell_segment(*, platform: Platform, session: Session, who: Principal, data: FlowCellSegment) -> SegmentRead:
    """The customers behind one cell of a flow, saved as a new static segment."""
    if data.segment_ids is not None:
        return _segment_cell(platform, session, who, data)
    assert data.tag is not None
    _check_days(data.start, data.end, service.today_of(platform))
    _tag_tiers(platform, session, data.tag)
    if data.source == NONE and data.target == NONE:
        raise Invalid("customers without the tag on both days are not a flow", field="target",
                      code="flows.not_a_flow")
    tag = data.tag

    def held(value: str, day: date) -> TagCondition:
        # "(无)" is the matrix's row/column of customers without a value that day.
        if value == NONE:
            return TagCondition(type="tag", tag=tag, op="is_null", on_date=day)
        return TagCondition(type="tag", tag=tag, op="eq", value=value, on_date=day)

    definition = GroupCondition(type="group", op="and", conditions=[held(data.source, data.start),
                                                                     held(data.target, data.end)])
    return service.create(platform=platform, session=session, who=who, data=SegmentCreate(
        name=data.name, description=f"{data.tag}: {data.source} ({data.start}) → {data.target} ({data.end})",
        kind="static", definition=definition))


def _segment_cell(platform: Platform, session: Session, who: Principal, data: FlowCellSegment) -> SegmentRead:
    """A segment tiering's cell: membership on past snapshot days has no condition form, so the ids are frozen
    through an imported list (as the flow showed them, inside the viewer's scope)."""
    _check_days(data.start, data.end, service.today_of(platform))
    segs = _segment_tiers(session, who, data.segment_ids or [], (data.start, data.end))
    labels = [label for _, label, _ in segs]
    for field, value in (("source", data.source), ("target", data.target)):
        if value not in (*labels, NONE):
            raise Invalid(f"'{value}' is not a tier of this tiering", field=field, code="flows.unknown_tier",
                          params={"value": value})
    if data.source == NONE and data.target == NONE:
        raise Invalid("customers in no tier on both days are not a flow", field="target", code="flows.not_a_flow")
    params = Params()
    none = exp.Literal.string(NONE)
    source = exp.Coalesce(this=_segment_tier(segs, data.start, params), expressions=[none])
    target = exp.Coalesce(this=_segment_tier(segs, data.end, params), expressions=[none.copy()])
    cell = exp.and_(exp.EQ(this=source, expression=params(data.source)),
                    exp.EQ(this=target, expression=params(data.target)))
    query = queries.ids_query(cell, who.scope, params).order_by(col("customer_id", comp.CUSTOMER))
    ids = [r["customer_id"] for r in repo.rows(platform.store, query, params)]
    if not ids:
        raise Invalid(f"no customer moved from '{data.source}' to '{data.target}'", field="target",
                      code="flows.no_movers", params={"source": data.source, "target": data.target})
    listed = service.import_list(platform=platform, session=session, who=who, name=data.name,
                                 content=("customer_id\n" + "\n".join(ids) + "\n").encode(), audit=False)
    description = f"{' > '.join(labels)}: {data.source} ({data.start}) → {data.target} ({data.end})"
    return service.create(platform=platform, session=session, who=who, data=SegmentCreate(
        name=data.name, description=description[:2000], kind="static",
        definition=ListCondition(type="list", list_id=listed.id)))

"""Tiering and flow monitoring (分层/流向): transition matrices and tier trends from tag history or snapshots."""

from __future__ import annotations

from datetime import date

import sqlglot
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.insight.catalogue import TAG_VALUES
from mofang.insight.segments import compiler as comp
from mofang.insight.segments import repository as repo
from mofang.insight.segments import service
from mofang.insight.segments.contracts import (
    FlowCell,
    FlowCellSegment,
    FlowRead,
    FlowRequest,
    GroupCondition,
    SegmentCreate,
    SegmentRead,
    TagCondition,
    TrendPoint,
)
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.contracts import Principal
from mofang.platform.storage.sql import Params, col

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
        case = case.when(comp.member_in(comp.snapshot_members(sid, frozen or day, params)), exp.Literal.string(label))
    return case


def _check_days(req: FlowRequest, today: date) -> None:
    if req.start > req.end:
        raise Invalid("start is after end", field="start")
    if req.end > today:
        raise Invalid("end is in the future", field="end")


def flow(*, platform: Platform, session: Session, who: Principal, req: FlowRequest) -> FlowRead:
    """Transition matrix between two dates inside the viewer's scope (a branch sees its own structure)."""
    today = service.today_of(platform)
    _check_days(req, today)
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
        raise Invalid(f"unknown tag '{key}'", field="tag")
    if info.value_type != "string":
        raise Invalid(f"tag '{key}' holds numbers: a tiering needs a tag with labels", field="tag")
    return list(info.values or [])


def _segment_tiers(session: Session, who: Principal, ids: list[int], days: tuple[date, ...]
                   ) -> list[tuple[int, str, date | None]]:
    out = []
    for i, sid in enumerate(ids):
        try:
            seg = service.get_or_raise(session=session, who=who, segment_id=sid)
        except NotFound as exc:
            raise Invalid(f"unknown segment {sid}", field=f"segment_ids.{i}") from exc
        have = {s.day for s in repo.snapshots(session, sid)}
        missing = [d for d in days if d not in have] if seg.frozen_on is None else []
        if missing:
            raise Invalid(f"segment {sid} has no snapshot on {missing[0]}", field=f"segment_ids.{i}")
        label = seg.name if all(seg.name != o[1] for o in out) else f"{seg.name}#{seg.id}"
        out.append((sid, label, seg.frozen_on))
    return out


def trend(*, platform: Platform, session: Session, who: Principal, tag: str, days: list[date]) -> list[TrendPoint]:
    """Each tier's size on each day (from tag history), inside the viewer's scope."""
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


def cell_segment(*, platform: Platform, session: Session, who: Principal, data: FlowCellSegment) -> SegmentRead:
    """The customers behind one cell of a tag flow, saved as a new static segment."""
    _tag_tiers(platform, session, data.tag)
    definition = GroupCondition(type="group", op="and", conditions=[
        TagCondition(type="tag", tag=data.tag, op="eq", value=data.source, on_date=data.start),
        TagCondition(type="tag", tag=data.tag, op="eq", value=data.target, on_date=data.end),
    ])
    return service.create(platform=platform, session=session, who=who, data=SegmentCreate(
        name=data.name, description=f"{data.tag}: {data.source} ({data.start}) → {data.target} ({data.end})",
        kind="static", definition=definition))

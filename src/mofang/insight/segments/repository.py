"""Segment storage: definitions, lists and sets in the metadata DB; members and snapshots in the event store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlglot
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.insight.catalogue import LIST_MEMBERS, SEGMENT_MEMBERS
from mofang.insight.models import (
    CustomerList,
    SegmentDef,
    SegmentSet,
    SegmentSetItem,
    SegmentSetRef,
    SegmentSetShare,
    SegmentSnapshot,
)
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, and_, col, compile_query

# ---------------------------------------------------------------------------------------------- event store


def rows(store: EventStore, query: exp.Expression, params: Params) -> list[dict[str, Any]]:
    """Run a compiled query and return dicts."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def stream(store: EventStore, query: exp.Expression, params: Params, batch: int = 10_000
           ) -> Iterator[list[dict[str, Any]]]:
    """Run a compiled query and yield its rows in batches (exports)."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        while chunk := res.fetchmany(batch):
            yield [dict(zip(names, r, strict=True)) for r in chunk]


def write_snapshot(store: EventStore, *, segment_id: int, day: date, ids_query: exp.Expression, params: Params
                   ) -> int:
    """Replace a segment's member snapshot of `day` with the ids the query returns; returns the count."""
    sql, values = compile_query(ids_query, params)
    values = {**values, "_sid": segment_id, "_day": day}
    with store.write() as cur:
        cur.execute(f"DELETE FROM {SEGMENT_MEMBERS} WHERE segment_id = $_sid AND day = $_day",
                    {"_sid": segment_id, "_day": day})
        cur.execute(f"INSERT INTO {SEGMENT_MEMBERS} SELECT $_sid, $_day, customer_id FROM ({sql}) q", values)
        row = cur.execute(f"SELECT count(*) FROM {SEGMENT_MEMBERS} WHERE segment_id = $_sid AND day = $_day",
                          {"_sid": segment_id, "_day": day}).fetchone()
    return int(row[0]) if row else 0


def scoped_snapshot_sizes(store: EventStore, *, pairs: list[tuple[int, date]], scope: Scope
                          ) -> dict[tuple[int, date], int]:
    """(segment, day) → members of that day's snapshot inside the scope."""
    if not pairs:
        return {}
    params = Params()
    wanted = sqlglot.select(exp.alias_(exp.Unnest(expressions=[params([s for s, _ in pairs])]), "segment_id"),
                            exp.alias_(exp.Unnest(expressions=[params([d for _, d in pairs])]), "day"))
    query = (
        sqlglot.select(col("segment_id", "m"), col("day", "m"), exp.alias_(exp.Count(this=exp.Star()), "n"))
        .from_(exp.alias_(exp.to_table(SEGMENT_MEMBERS), "m", table=True))
        .join(exp.Subquery(this=wanted, alias=exp.TableAlias(this=exp.to_identifier("w"))),
              on=exp.and_(exp.EQ(this=col("segment_id", "w"), expression=col("segment_id", "m")),
                          exp.EQ(this=col("day", "w"), expression=col("day", "m"))))
        .join(exp.alias_(exp.to_table("customers"), "c", table=True),
              on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "m")))
        .group_by(col("segment_id", "m"), col("day", "m"))
    )
    where = scope.predicate(params, table="c")
    if where is not None:
        query = query.where(where)
    return {(r["segment_id"], r["day"]): int(r["n"]) for r in rows(store, query, params)}


def drop_snapshots(store: EventStore, *, segment_id: int, keep: set[date] | None = None) -> None:
    """Delete a segment's snapshots (all, or all but the days in `keep`)."""
    with store.write() as cur:
        if keep is None:
            cur.execute(f"DELETE FROM {SEGMENT_MEMBERS} WHERE segment_id = ?", [segment_id])
        else:
            cur.execute(f"DELETE FROM {SEGMENT_MEMBERS} WHERE segment_id = ? AND NOT list_contains(?, day)",
                        [segment_id, sorted(keep)])


def existing_customers(store: EventStore, *, ids: list[str], scope: Scope) -> set[str]:
    """Which of these customer ids exist inside the scope (others are indistinguishable from unknown)."""
    if not ids:
        return set()
    params = Params()
    given = sqlglot.select(exp.Unnest(expressions=[params(ids)]))
    where = and_(exp.In(this=col("customer_id", "c"), query=exp.Subquery(this=given)),
                 scope.predicate(params, table="c"))
    query = sqlglot.select(col("customer_id", "c")).from_(exp.alias_(exp.to_table("customers"), "c", table=True))
    return {r["customer_id"] for r in rows(store, query.where(where), params)}


def write_list(store: EventStore, *, list_id: int, ids: list[str]) -> None:
    """Store an imported list's members."""
    with store.write() as cur:
        cur.execute(f"DELETE FROM {LIST_MEMBERS} WHERE list_id = ?", [list_id])
        cur.execute(f"INSERT INTO {LIST_MEMBERS} SELECT ?, unnest(?)", [list_id, ids])


# ---------------------------------------------------------------------------------------------- metadata


def segment(session: Session, segment_id: int) -> SegmentDef | None:
    """One segment."""
    return session.get(SegmentDef, segment_id)


def segments(session: Session, ids: set[int] | None = None) -> list[SegmentDef]:
    """All segments (or those with these ids), newest first."""
    query = select(SegmentDef).order_by(SegmentDef.id.desc())
    if ids is not None:
        query = query.where(SegmentDef.id.in_(ids))
    return list(session.scalars(query).all())


def snapshots(session: Session, segment_id: int) -> list[SegmentSnapshot]:
    """A segment's snapshot sizes, oldest first."""
    return list(session.scalars(select(SegmentSnapshot).where(SegmentSnapshot.segment_id == segment_id)
                                .order_by(SegmentSnapshot.day)).all())


def upsert_snapshot(session: Session, *, segment_id: int, day: date, count: int) -> None:
    """Record a snapshot's size."""
    row = session.scalars(select(SegmentSnapshot).where(SegmentSnapshot.segment_id == segment_id,
                                                        SegmentSnapshot.day == day)).first()
    if row is None:
        session.add(SegmentSnapshot(segment_id=segment_id, day=day, count=count))
    else:
        row.count = count


def forget_snapshots(session: Session, *, segment_id: int, keep: set[date] | None = None) -> None:
    """Delete snapshot records (all, or all but `keep`)."""
    query = delete(SegmentSnapshot).where(SegmentSnapshot.segment_id == segment_id)
    if keep is not None:
        query = query.where(SegmentSnapshot.day.not_in(keep))
    session.execute(query)


def customer_list(session: Session, list_id: int) -> CustomerList | None:
    """One imported list."""
    return session.get(CustomerList, list_id)


def customer_lists(session: Session) -> list[CustomerList]:
    """All imported lists, newest first."""
    return list(session.scalars(select(CustomerList).order_by(CustomerList.id.desc())).all())


def segment_set(session: Session, set_id: int) -> SegmentSet | None:
    """One segment set."""
    return session.get(SegmentSet, set_id)


def sets(session: Session) -> list[SegmentSet]:
    """All segment sets, newest first."""
    return list(session.scalars(select(SegmentSet).order_by(SegmentSet.id.desc())).all())


def set_items(session: Session, set_id: int) -> list[int]:
    """Segment ids of a set, in order."""
    return list(session.scalars(select(SegmentSetItem.segment_id).where(SegmentSetItem.set_id == set_id)
                                .order_by(SegmentSetItem.position)).all())


def replace_set_items(session: Session, set_id: int, segment_ids: list[int]) -> None:
    """Make a set hold exactly these segments, in this order."""
    session.execute(delete(SegmentSetItem).where(SegmentSetItem.set_id == set_id))
    for pos, sid in enumerate(dict.fromkeys(segment_ids)):
        session.add(SegmentSetItem(set_id=set_id, segment_id=sid, position=pos))


def set_shares(session: Session, set_id: int) -> list[str]:
    """Org codes a set is shared with."""
    return list(session.scalars(select(SegmentSetShare.org_code).where(SegmentSetShare.set_id == set_id)
                                .order_by(SegmentSetShare.org_code)).all())


def replace_set_shares(session: Session, set_id: int, org_codes: list[str]) -> None:
    """Share a set with exactly these orgs."""
    session.execute(delete(SegmentSetShare).where(SegmentSetShare.set_id == set_id))
    for code in dict.fromkeys(org_codes):
        session.add(SegmentSetShare(set_id=set_id, org_code=code))


def shared_set_ids(session: Session) -> dict[int, list[str]]:
    """Set id → org codes, for every share."""
    out: dict[int, list[str]] = {}
    for set_id, code in session.execute(select(SegmentSetShare.set_id, SegmentSetShare.org_code)).all():
        out.setdefault(set_id, []).append(code)
    return out


def sets_containing(session: Session, segment_id: int) -> list[int]:
    """Ids of sets holding a segment."""
    return list(session.scalars(select(SegmentSetItem.set_id).where(SegmentSetItem.segment_id == segment_id)).all())


def ref_counts(session: Session) -> dict[int, int]:
    """Set id → number of orgs referencing it."""
    query = select(SegmentSetRef.set_id, func.count()).group_by(SegmentSetRef.set_id)
    return {set_id: n for set_id, n in session.execute(query).all()}


def ref(session: Session, set_id: int, org_code: str) -> SegmentSetRef | None:
    """An org's reference to a set."""
    return session.scalars(select(SegmentSetRef).where(SegmentSetRef.set_id == set_id,
                                                       SegmentSetRef.org_code == org_code)).first()

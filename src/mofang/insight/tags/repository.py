"""Tag storage: definitions, versions and runs in the metadata DB; value history (intervals) in the event store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import sqlglot
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.insight.catalogue import OPEN_END, TAG_VALUES
from mofang.insight.models import TagDef, TagRun, TagVersion
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, col, compile_query

# ---------------------------------------------------------------------------------------------- event store


def compute(store: EventStore, query: exp.Expression, params: Params) -> pa.Table:
    """Run the wide tag query on a reader cursor (writers are not blocked while it runs)."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        return cur.sql(sql, params=values).to_arrow_table()


def merge(store: EventStore, *, wide: pa.Table, tag_ids: list[int], number_ids: set[int], day: date,
          rewind: bool = True) -> dict[int, dict[str, int]]:
    """Write `day`'s values of these tags as intervals: close changed values, open new ones.

    With `rewind` (some tag already has history on or after `day`), these tags' history from that
    day on is discarded first, so reruns are idempotent. Returns per tag: customers with a value, and
    values that changed.
    """
    stats: dict[int, dict[str, int]] = {t: {"customers": 0, "changed": 0} for t in tag_ids}
    if not tag_ids:
        return stats
    cols = ", ".join(f'"t{t}"' for t in tag_ids)  # t<int>: built from ids, never from user text
    ids = {"ids": tag_ids}
    with store.write() as cur:
        cur.register("_tag_wide", wide)
        try:
            cur.execute(f"""CREATE OR REPLACE TEMP TABLE _tag_stage AS
                SELECT CAST(substr(name, 2) AS INTEGER) AS tag_id, customer_id, value
                FROM (UNPIVOT (SELECT customer_id, {cols} FROM _tag_wide) ON {cols} INTO NAME name VALUE value)""")
        finally:
            cur.unregister("_tag_wide")
        if rewind:
            cur.execute(f"DELETE FROM {TAG_VALUES} WHERE list_contains($ids, tag_id) AND valid_from >= $day",
                        ids | {"day": day})
            cur.execute(f"""UPDATE {TAG_VALUES} SET valid_to = $open
                            WHERE list_contains($ids, tag_id) AND valid_to >= $day AND valid_to <> $open""",
                        ids | {"day": day, "open": OPEN_END})
        # One full join of today's values with the open intervals finds every change in one pass.
        cur.execute(f"""CREATE OR REPLACE TEMP TABLE _tag_diff AS
            SELECT coalesce(s.tag_id, c.tag_id) AS tag_id, coalesce(s.customer_id, c.customer_id) AS customer_id,
                   s.value AS new_value, c.value AS old_value
            FROM _tag_stage s
            FULL JOIN (SELECT tag_id, customer_id, value FROM {TAG_VALUES}
                       WHERE list_contains($ids, tag_id) AND valid_to = $open) c
              ON s.tag_id = c.tag_id AND s.customer_id = c.customer_id
            WHERE s.value IS DISTINCT FROM c.value""", ids | {"open": OPEN_END})
        cur.execute(f"""UPDATE {TAG_VALUES} AS t SET valid_to = $day FROM _tag_diff AS x
                        WHERE x.old_value IS NOT NULL AND t.tag_id = x.tag_id AND t.customer_id = x.customer_id
                          AND t.valid_to = $open""", {"day": day, "open": OPEN_END})
        cur.execute(f"""INSERT INTO {TAG_VALUES}
                        SELECT tag_id, customer_id, new_value,
                               CASE WHEN list_contains($nums, tag_id) THEN TRY_CAST(new_value AS DOUBLE) END,
                               $day, $open
                        FROM _tag_diff WHERE new_value IS NOT NULL""",
                    {"nums": sorted(number_ids), "day": day, "open": OPEN_END})
        for tag_id, n in cur.execute("SELECT tag_id, count(*) FROM _tag_stage GROUP BY 1").fetchall():
            stats[tag_id]["customers"] = n
        for tag_id, n in cur.execute("SELECT tag_id, count(*) FROM _tag_diff WHERE new_value IS NOT NULL "
                                     "GROUP BY 1").fetchall():
            stats[tag_id]["changed"] = n
        cur.execute("DROP TABLE IF EXISTS _tag_stage")
        cur.execute("DROP TABLE IF EXISTS _tag_diff")
    return stats


def scoped_run_stats(store: EventStore, *, pairs: list[tuple[int, date]], where: exp.Expression | None,
                     params: Params) -> dict[tuple[int, date], dict[str, int]]:
    """(tag, day) → customers holding a value that day and values opened that day, for `customers c` in `where`."""
    if not pairs:
        return {}
    days = sqlglot.select(exp.alias_(exp.Unnest(expressions=[params([t for t, _ in pairs])]), "tag_id"),
                          exp.alias_(exp.Unnest(expressions=[params([d for _, d in pairs])]), "day"))
    on = exp.and_(exp.EQ(this=col("tag_id", "t"), expression=col("tag_id", "d")),
                  exp.LTE(this=col("valid_from", "t"), expression=col("day", "d")),
                  exp.GT(this=col("valid_to", "t"), expression=col("day", "d")))
    opened = exp.EQ(this=col("valid_from", "t"), expression=col("day", "d"))
    query = (
        sqlglot.select(col("tag_id", "d"), col("day", "d"), exp.alias_(exp.Count(this=exp.Star()), "customers"),
                       exp.alias_(exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=opened)),
                                  "changed"))
        .from_(exp.Subquery(this=days, alias=exp.TableAlias(this=exp.to_identifier("d"))))
        .join(exp.alias_(exp.to_table(TAG_VALUES), "t", table=True), on=on)
        .join(exp.alias_(exp.to_table("customers"), "c", table=True),
              on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "t")))
        .group_by(col("tag_id", "d"), col("day", "d"))
    )
    if where is not None:
        query = query.where(where)
    return {(r["tag_id"], r["day"]): {"customers": int(r["customers"]), "changed": int(r["changed"])}
            for r in rows(store, query, params)}


def scoped_customer_count(store: EventStore, *, where: exp.Expression | None, params: Params) -> int:
    """Customers (`customers c`) matching `where`: the denominator of a coverage shown in a scope."""
    query = sqlglot.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(
        exp.alias_(exp.to_table("customers"), "c", table=True))
    return int(rows(store, query.where(where) if where is not None else query, params)[0]["n"])


def drop_values(store: EventStore, tag_id: int) -> None:
    """Forget a tag's whole history."""
    with store.write() as cur:
        cur.execute(f"DELETE FROM {TAG_VALUES} WHERE tag_id = ?", [tag_id])


def customer_count(store: EventStore) -> int:
    """All customers (the denominator of coverage)."""
    return int(store.scalar("SELECT count(*) FROM customers") or 0)


def rows(store: EventStore, query: exp.Expression, params: Params) -> list[dict[str, Any]]:
    """Run a compiled read query."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def history_size(store: EventStore) -> dict[str, int]:
    """Rows in the value history: current and closed."""
    row = store.query(f"""SELECT count(*) FILTER (WHERE valid_to = $open) AS current,
                                 count(*) FILTER (WHERE valid_to <> $open) AS closed FROM {TAG_VALUES}""",
                      {"open": OPEN_END})[0]
    return {"current": int(row["current"] or 0), "closed": int(row["closed"] or 0)}


# ---------------------------------------------------------------------------------------------- metadata


def tag(session: Session, tag_id: int) -> TagDef | None:
    """One tag."""
    return session.get(TagDef, tag_id)


def tag_by_key(session: Session, key: str) -> TagDef | None:
    """One tag by key."""
    return session.scalars(select(TagDef).where(TagDef.key == key)).first()


def tags(session: Session) -> list[TagDef]:
    """Every tag, by family then id."""
    return list(session.scalars(select(TagDef).order_by(TagDef.family, TagDef.id)).all())


def add_version(session: Session, t: TagDef, username: str | None) -> None:
    """Keep the tag's current definition as a version."""
    session.add(TagVersion(tag_id=t.id, version=t.version, created_by=username, definition={
        "name": t.name, "family": t.family, "description": t.description, "rule": t.rule}))


def versions(session: Session, tag_id: int) -> list[TagVersion]:
    """A tag's versions, newest first."""
    return list(session.scalars(select(TagVersion).where(TagVersion.tag_id == tag_id)
                                .order_by(TagVersion.version.desc())).all())


def last_runs(session: Session) -> dict[int, TagRun]:
    """The latest run of each tag."""
    latest = select(TagRun.tag_id, func.max(TagRun.id).label("id")).group_by(TagRun.tag_id).subquery()
    query = select(TagRun).join(latest, TagRun.id == latest.c.id)
    return {r.tag_id: r for r in session.scalars(query).all()}


def runs(session: Session, tag_id: int, limit: int) -> list[TagRun]:
    """A tag's runs, newest first."""
    return list(session.scalars(select(TagRun).where(TagRun.tag_id == tag_id).order_by(TagRun.id.desc())
                                .limit(limit)).all())


def run_days(session: Session, tag_id: int) -> list[date]:
    """Days a tag was computed successfully, oldest first."""
    return sorted(set(session.scalars(select(TagRun.day).where(TagRun.tag_id == tag_id,
                                                               TagRun.status == "ok")).all()))


def current_values(store: EventStore, customer_id: str) -> list[dict[str, Any]]:
    """One customer's current value of every tag (tag_id, value)."""
    return store.query(f"SELECT tag_id, value FROM {TAG_VALUES} WHERE customer_id = $cid AND valid_to = $open",
                       {"cid": customer_id, "open": OPEN_END})

"""路径分析 paths: what customers did after (or before) an event, within one session.

A session ends after `session_gap_minutes` (default 30) without an event. From the first anchor
event of each session (`starting`), or up to its last (`ending`), the next (previous) `depth` events
form the session's path. Top paths and the Sankey links are both sums over sessions.
"""

from __future__ import annotations

import itertools

from sqlglot import exp

from mofang.monitor.analytics.contracts import PathRow, PathsQuery, PathsResult, SankeyLink, SankeyNode
from mofang.monitor.analytics.filters import event_condition, in_range, member_condition, utc_bounds
from mofang.monitor.analytics.sqltemplate import select
from mofang.platform.storage.sql import Params, col

MAX_PATHS = 50_000


def build(q: PathsQuery, *, members: exp.Select | None, params: Params) -> exp.Select:
    """Rows (path, sessions): every distinct path with its number of sessions, most frequent first."""
    start, end = utc_bounds(q.date_from, q.date_to)
    names = exp.true()
    if q.events:
        names = exp.In(this=col("event", "e"), expressions=[params(v) for v in sorted({*q.events, q.anchor.event})])
    gap_us = q.session_gap_minutes * 60 * 1_000_000
    first, window = ("MIN", f"p.rn BETWEEN a.arn AND a.arn + {q.depth - 1}") if q.direction == "starting" else (
        "MAX", f"p.rn BETWEEN a.arn - {q.depth - 1} AND a.arn")
    return select(
        "WITH s AS (SELECT e.customer_id AS cid, e.ts, e.event, :anchor AS is_anchor FROM events AS e "
        "WHERE :range AND :member AND :names AND e.type IN ('track', 'page', 'screen')), "
        f"g AS (SELECT *, SUM(CASE WHEN prev IS NULL OR EPOCH_US(ts) - EPOCH_US(prev) > {gap_us} THEN 1 ELSE 0 END) "
        "OVER (PARTITION BY cid ORDER BY ts, event ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid "
        "FROM (SELECT *, LAG(ts) OVER (PARTITION BY cid ORDER BY ts, event) AS prev FROM s)), "
        "p AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY cid, sid ORDER BY ts, event) AS rn FROM g), "
        f"a AS (SELECT cid, sid, {first}(rn) AS arn FROM p WHERE is_anchor GROUP BY cid, sid), "
        f"paths AS (SELECT p.cid, p.sid, LIST(p.event ORDER BY p.rn) AS path FROM p "
        f"JOIN a ON a.cid = p.cid AND a.sid = p.sid WHERE {window} GROUP BY p.cid, p.sid) "
        f"SELECT path, COUNT(*) AS sessions FROM paths GROUP BY path ORDER BY sessions DESC, path LIMIT {MAX_PATHS}",
        anchor=event_condition(params, q.anchor, table="e", field="anchor"),
        range=in_range(params, col("ts", "e"), start, end), member=member_condition(col("customer_id", "e"), members),
        names=names,
    )


def shape(q: PathsQuery, rows: list[dict]) -> PathsResult:
    """Top paths and a Sankey diagram (nodes are positions × events) of all returned paths."""
    nodes: dict[str, SankeyNode] = {}
    links: dict[tuple[str, str], int] = {}
    total = 0
    for r in rows:
        path, n = list(r["path"]), int(r["sessions"])
        total += n
        ids = []
        for i, ev in enumerate(path):
            node_id = f"{i}:{ev}"
            nodes.setdefault(node_id, SankeyNode(id=node_id, step=i, event=ev))
            ids.append(node_id)
        for a, b in itertools.pairwise(ids):
            links[(a, b)] = links.get((a, b), 0) + n
    top = [PathRow(events=list(r["path"]), sessions=int(r["sessions"])) for r in rows[: q.top]]
    return PathsResult(
        sessions=total, top=top, nodes=sorted(nodes.values(), key=lambda x: (x.step, x.event)),
        links=[SankeyLink(source=a, target=b, sessions=n)
               for (a, b), n in sorted(links.items(), key=lambda kv: (-kv[1], kv[0]))],
        truncated=len(rows) >= MAX_PATHS,
    )

"""Monitoring reads: node and edge counts of a strategy, customers at a node, a customer's journeys — all scoped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import NotFound
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.storage.models import as_utc
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine.repository import EngineCount, EngineInstance, EngineVersion, trail_of

SINGLE = ("entered", "converted", "exited", "failed")


def _scoped(column: Any, rm_column: Any, scope: Scope) -> ColumnElement[bool]:
    """Rows of customers inside the viewer's scope (a customer of unknown branch is head office's only)."""
    if scope.kind == "all":
        return true()
    if scope.kind == "rm":  # an RM without an id sees nobody (counters store "" for customers without an RM)
        return rm_column == scope.rm_id if scope.rm_id else false()
    return or_(column == scope.org_code, column.startswith(scope.org_code + "-", autoescape=True))


def _version_row(session: Session, strategy_id: int, version: int | None) -> EngineVersion:
    stmt = select(EngineVersion).where(EngineVersion.strategy_id == strategy_id)
    stmt = stmt.where(EngineVersion.version == version) if version is not None \
        else stmt.order_by(EngineVersion.version.desc())
    row = session.scalars(stmt.limit(1)).first()
    if row is None:
        raise NotFound(f"strategy {strategy_id} has no published version"
                       + (f" {version}" if version is not None else ""), field="version",
                       code="engine.not_published")
    return row


def stats(*, session: Session, who: Principal, strategy_id: int, version: int | None = None) -> dict[str, Any]:
    """Counts per node and edge and totals, over the viewer's customers only."""
    row = _version_row(session, strategy_id, version)
    graph = Graph.model_validate(row.graph)
    nodes: dict[str, dict[str, Any]] = {
        n.id: {"entered": 0, "waiting": 0, "passed": {}, "converted": 0, "exited": 0, "suppressed": {}, "failed": 0}
        for n in graph.nodes}
    filters = [EngineCount.strategy_id == strategy_id, _scoped(EngineCount.org_code, EngineCount.rm_id, who.scope)]
    if version is not None:
        filters.append(EngineCount.version == version)
    for node, metric, label, n in session.execute(
            select(EngineCount.node, EngineCount.metric, EngineCount.label, func.sum(EngineCount.n))
            .where(*filters).group_by(EngineCount.node, EngineCount.metric, EngineCount.label)):
        n = int(n)
        slot = nodes.setdefault(node, {"entered": 0, "waiting": 0, "passed": {}, "converted": 0, "exited": 0,
                                       "suppressed": {}, "failed": 0})
        if metric in SINGLE:
            slot[metric] += n
        elif metric in ("passed", "suppressed"):
            slot[metric][label or "next"] = slot[metric].get(label or "next", 0) + n
    inst_filters = [EngineInstance.strategy_id == strategy_id,
                    _scoped(EngineInstance.org_code, EngineInstance.rm_id, who.scope)]
    if version is not None:
        inst_filters.append(EngineInstance.version == version)
    for node, n in session.execute(select(EngineInstance.node, func.count()).where(
            *inst_filters, EngineInstance.status != "done").group_by(EngineInstance.node)):
        if node in nodes:
            nodes[node]["waiting"] = n
    totals = session.execute(select(
        func.count(), func.count().filter(EngineInstance.status != "done"),
        func.count(EngineInstance.converted_at), func.count().filter(EngineInstance.status == "done"),
        func.count().filter(EngineInstance.holdout.is_(True))).where(*inst_filters)).one()
    edges = [{"source": e.source, "target": e.target, "label": e.label,
              "count": nodes.get(e.source, {}).get("passed", {}).get(e.label, 0)} for e in graph.edges]
    return {"strategy_id": strategy_id, "version": version,
            "nodes": nodes, "edges": edges,
            "totals": {"entered": totals[0], "active": totals[1], "converted": totals[2], "exited": totals[3],
                       "holdout": totals[4]}}


def _instance_read(r: EngineInstance, platform: Platform) -> dict[str, Any]:
    policy = platform.settings.pii_policy()
    return {
        "strategy_id": r.strategy_id, "version": r.version, "customer_id": r.customer_id,
        "org_code": r.org_code, "node": r.node, "status": r.status, "waiting_for": r.waiting_for,
        "wake_at": as_utc(r.wake_at).isoformat() if r.wake_at else None,
        "entered_at": as_utc(r.entered_at).isoformat(), "exit_reason": r.exit_reason, "variant": r.variant,
        "holdout": bool(r.holdout), "converted_at": as_utc(r.converted_at).isoformat() if r.converted_at else None,
        # Trigger payloads come from the bank's systems: masked like any event property.
        "context": policy.mask_tree(dict(r.context or {})),
    }


def node_customers(*, platform: Platform, session: Session, who: Principal, strategy_id: int, node_id: str,
                   limit: int, offset: int) -> dict[str, Any]:
    """The customers at a node now (inside the viewer's scope), newest first."""
    _version_row(session, strategy_id, None)
    cond = and_(EngineInstance.strategy_id == strategy_id, EngineInstance.node == node_id,
                EngineInstance.status != "done", _scoped(EngineInstance.org_code, EngineInstance.rm_id, who.scope))
    total = session.scalar(select(func.count()).where(cond)) or 0
    rows = session.scalars(select(EngineInstance).where(cond).order_by(EngineInstance.id.desc())
                           .limit(limit).offset(offset))
    return {"items": [_instance_read(r, platform) for r in rows], "total": total}


def customer_journeys(*, platform: Platform, session: Session, who: Principal, customer_id: str) -> dict[str, Any]:
    """The strategies a customer is or was in, where, and the steps that took them there (360 page)."""
    rows = list(session.scalars(select(EngineInstance).where(
        EngineInstance.customer_id == customer_id, _scoped(EngineInstance.org_code, EngineInstance.rm_id, who.scope))
        .order_by(EngineInstance.entered_at.desc()).limit(100)))
    return {"customer_id": customer_id,
            "items": [{**_instance_read(r, platform), "steps": [
                {"seq": seq, "node": node, "metric": metric, "label": label or None, "at": at}
                for seq, node, metric, label, at in trail_of(r.trail)]} for r in rows]}

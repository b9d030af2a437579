"""Publishing to the engine (activate / deactivate) and segment entry runs: at activation and on schedules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from mofang.platform.collector import collector_paused
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.storage.models import as_utc
from mofang.strategy.canvas.contracts import Graph, Schedule, SegmentEntry
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.contracts import Stop
from mofang.strategy.engine.repository import EngineEntryRun, EngineInstance, EngineVersion
from mofang.strategy.engine.service.entries import enter
from mofang.strategy.engine.service.executor import apply, pending_of
from mofang.strategy.engine.service.runtime import Runtime, get_runtime

log = logging.getLogger("mofang.engine")


class SegmentMembers(Protocol):
    """Lists a segment's members inside an owner org's subtree, in batches."""

    def __call__(self, *, platform: Platform, segment_id: int, org_code: str) -> Iterator[list[str]]: ...


def segment_members(*, platform: Platform, segment_id: int, org_code: str) -> Iterator[list[str]]:
    """Members from the segments centre (the process holding the event store), scoped to the owner's subtree."""
    from mofang.insight.segments import owner_scope
    from mofang.platform.storage.sql import Params, compile_query

    sets = platform.extras.get("customer_sets")
    if sets is None:  # the app registers it; a bare platform (CLI, tests) makes its own
        from mofang.insight.segments.customer_sets import SegmentCustomerSets

        sets = platform.extras.setdefault("customer_sets", SegmentCustomerSets(platform))
    params = Params()
    query = sets.segment_members(str(segment_id), params=params, scope=owner_scope(org_code))
    sql, values = compile_query(query, params)
    with platform.store.read() as cur:
        res = cur.execute(sql, values)
        while chunk := res.fetchmany(10_000):
            yield [str(r[0]) for r in chunk]


def activate(*, platform: Platform, strategy_id: int, version: int, graph: Graph, org_code: str,
             migrate_instances: bool = False) -> None:
    """Run a published version: new entries go to it; older versions keep their customers (or move them)."""
    rt = get_runtime(platform)
    now = rt.clock()
    with platform.metadata.session() as session:
        repo.begin_write(session)
        session.execute(update(EngineVersion).where(
            EngineVersion.strategy_id == strategy_id, EngineVersion.version != version,
            EngineVersion.status.in_(("active", "paused"))).values(status="superseded", updated_at=now))
        row = session.get(EngineVersion, (strategy_id, version))
        if row is None:
            session.add(EngineVersion(strategy_id=strategy_id, version=version, graph=graph.model_dump(mode="json"),
                                      org_code=org_code, status="active", activated_at=now, updated_at=now))
        else:
            row.status, row.updated_at = "active", now
        if migrate_instances:
            # Customers at a node that exists in the new version carry on there; the others finish where they are.
            ids = [n.id for n in graph.nodes]
            session.execute(update(EngineInstance).where(
                EngineInstance.strategy_id == strategy_id, EngineInstance.version != version,
                EngineInstance.status != "done", EngineInstance.node.in_(ids)).values(version=version))
        for node in graph.nodes:
            if isinstance(node, SegmentEntry) and node.recurring is None:
                repo.insert_ignore(session, EngineEntryRun.__table__, [{  # type: ignore[arg-type]
                    "strategy_id": strategy_id, "version": version, "node": node.id, "run_key": "activation",
                    "status": "pending", "entered": 0, "lease_until": now, "started_at": now}],
                    keys=["strategy_id", "version", "node", "run_key"])
        session.flush()
        rt.events(session, force=True)


def deactivate(*, platform: Platform, strategy_id: int, mode: Literal["pause", "resume", "stop"]) -> None:
    """Pause (customers hold where they are), resume, or stop (every customer exits as stopped)."""
    rt = get_runtime(platform)
    now = rt.clock()
    with platform.metadata.session() as session:
        repo.begin_write(session)
        if session.scalars(select(EngineVersion).where(EngineVersion.strategy_id == strategy_id)).first() is None:
            raise NotFound(f"strategy {strategy_id} is not published", field="strategy_id",
                           code="engine.not_published")
        if mode == "pause":
            session.execute(update(EngineVersion).where(EngineVersion.strategy_id == strategy_id,
                                                        EngineVersion.status == "active")
                            .values(status="paused", updated_at=now))
        elif mode == "resume":
            session.execute(update(EngineVersion).where(EngineVersion.strategy_id == strategy_id,
                                                        EngineVersion.status == "paused")
                            .values(status="active", updated_at=now))
        elif mode == "stop":
            session.execute(update(EngineVersion).where(EngineVersion.strategy_id == strategy_id)
                            .values(status="stopped", updated_at=now))
        else:
            raise Invalid(f"unknown mode {mode!r}", field="mode", code="engine.bad_mode")
        rt.events(session, force=True)
    if mode == "stop":
        stop_instances(platform=platform, rt=rt, strategy_id=strategy_id, now=now)


def stop_instances(*, platform: Platform, rt: Runtime, strategy_id: int, now: datetime) -> int:
    """Every unfinished instance of the strategy exits as stopped; its pending commands are cancelled."""
    stopped = 0
    while True:
        with platform.metadata.session() as session:
            repo.begin_write(session)
            ids = list(session.scalars(select(EngineInstance.id).where(
                EngineInstance.strategy_id == strategy_id, EngineInstance.status != "done").limit(rt.batch)))
            if not ids:
                return stopped
            rows = repo.lock_instances(session, ids)
            apply(session, rt, [(p, [Stop()]) for p in pending_of(rows)], now=now)
            # By strategy, not by these ids: a batch row holds other members of the strategy too.
            repo.cancel_commands(session, strategy_id=strategy_id,
                                 result={"outcome": "cancelled", "reason": "strategy_stopped"}, now=now)
            stopped += len(ids)


def last_slot(schedule: Schedule, now: datetime, tz: str) -> datetime:
    """The latest scheduled time at or before `now` (bank time zone), as an aware datetime."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    hh, mm = (int(p) for p in schedule.at.split(":"))
    slot = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    if schedule.every == "weekly":
        days = set(schedule.weekdays or [1])
        while slot.isoweekday() not in days:
            slot -= timedelta(days=1)
    return slot


def plan_runs(*, platform: Platform, rt: Runtime, now: datetime) -> None:
    """Add the run of every recurring segment entry whose latest slot has come (once per slot, across workers)."""
    with platform.metadata.session() as session:
        versions = list(session.scalars(select(EngineVersion).where(EngineVersion.status == "active")))
        rows = []
        for v in versions:
            graph = rt.graph(session, v.strategy_id, v.version)
            for node in graph.nodes:
                if isinstance(node, SegmentEntry) and node.recurring is not None:
                    slot = last_slot(node.recurring, now, graph.settings.timezone)
                    if slot >= as_utc(v.activated_at):
                        rows.append({"strategy_id": v.strategy_id, "version": v.version, "node": node.id,
                                     "run_key": slot.strftime("%Y-%m-%dT%H:%M"), "status": "pending", "entered": 0,
                                     "lease_until": now, "started_at": now})
        if rows:
            repo.begin_write(session)
            repo.insert_ignore(session, EngineEntryRun.__table__, rows,  # type: ignore[arg-type]
                               keys=["strategy_id", "version", "node", "run_key"])


def run_entries(*, platform: Platform, rt: Runtime, members: SegmentMembers = segment_members,
                now: datetime | None = None) -> int:
    """Claim and carry out due segment entry runs; returns how many customers entered."""
    now = now or rt.clock()
    plan_runs(platform=platform, rt=rt, now=now)
    total = 0
    while True:
        with platform.metadata.session() as session:
            if session.scalars(select(EngineEntryRun.id).where(
                    EngineEntryRun.status.in_(("pending", "running")), EngineEntryRun.lease_until <= now)
                    .limit(1)).first() is None:
                return total
        with platform.metadata.session() as session:
            repo.begin_write(session)
            claim = (select(EngineEntryRun).where(
                EngineEntryRun.status.in_(("pending", "running")), EngineEntryRun.lease_until <= now)
                .order_by(EngineEntryRun.id).limit(1))
            if repo.is_postgres(session):
                claim = claim.with_for_update(skip_locked=True)
            run = session.scalars(claim).first()
            if run is None:
                return total
            run.status, run.lease_until = "running", now + timedelta(seconds=rt.run_lease_seconds)
            run_id, sid, version, node_id, key = run.id, run.strategy_id, run.version, run.node, run.run_key
            graph = rt.graph(session, sid, version)
            owner = session.get(EngineVersion, (sid, version))
            assert owner is not None
            org = owner.org_code
        node = next(n for n in graph.nodes if n.id == node_id)
        assert isinstance(node, SegmentEntry)
        entered, error = 0, None
        try:
            for ids in members(platform=platform, segment_id=node.segment_id, org_code=org):
                with collector_paused():  # a tuple and a dict per member: as the entry's own batches
                    report = enter(platform=platform, rt=rt, strategy_id=sid, version=version, node_id=node_id,
                                   customers=[(cid, {}, f"run:{key}") for cid in ids], now=now)
                entered += len(report.entered)
        except Exception as exc:  # recorded on the run; the next activation or slot tries again
            log.exception("segment entry run %s failed", run_id)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with platform.metadata.session() as session:
            repo.begin_write(session)
            row = session.get(EngineEntryRun, run_id)
            assert row is not None
            row.status, row.entered, row.error, row.finished_at = ("failed" if error else "done"), entered, error, now
        total += entered

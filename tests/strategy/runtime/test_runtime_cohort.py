"""Cohort stepping writes, for each customer of a batch, exactly the rows stepping that customer alone writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mofang.platform.context import Platform
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.batches import units
from mofang.strategy.engine.repository import EngineCommand, EngineCount, EngineInstance, trail_of
from mofang.strategy.engine.service import Runtime
from strategy.runtime.kit import Clock, send_delay_exit

CUSTOMERS = [f"c{i}" for i in range(6)]


def same_route(route: dict[str, Any]) -> dict[str, Any]:
    """A command's route without its strategy id (the two strategies compared are otherwise alike)."""
    return {**route, "strategy_id": 0}


def rows_by_customer(platform: Platform, strategy_id: int) -> dict[str, Any]:
    """What each customer's journey left in the tables, with its own instance id written as '#'."""
    out: dict[str, Any] = {}
    with platform.metadata.session() as s:
        instances = list(s.scalars(select(EngineInstance).where(EngineInstance.strategy_id == strategy_id)))
        # Each member's own command out of the outbox rows (one row holds a cohort's): its key, kind and payload
        # as a row of its own would hold them, its row's status and the outcome its row records.
        own_cmds: dict[int, list[Any]] = {}
        for c in s.scalars(select(EngineCommand).where(EngineCommand.instance_id.in_([i.id for i in instances]))):
            for u in units(c):
                own_cmds.setdefault(u.instance_id, []).append(
                    (u.key, u.kind, u.payload, same_route(u.route), c.status, c.result and c.result["outcome"]))
        for i in instances:
            own = f"{i.id}:"

            def anon(value: Any, own: str = own) -> Any:
                text = repr(value)
                return text.replace(f"'{own}", "'#:").replace(f":{own}", ":#:")

            out[i.customer_id] = {
                "instance": anon((i.node, i.status, i.waiting_for, i.seq, i.wake_at, i.context, i.exit_reason,
                                  i.org_code, i.holdout)),
                "commands": sorted(anon(c) for c in own_cmds.get(i.id, [])),
                "steps": [anon(tuple(st)) for st in trail_of(i.trail)],
            }
    return out


def outbox_rows(platform: Platform, strategy_id: int) -> int:
    """How many outbox rows the strategy's instances have."""
    with platform.metadata.session() as s:
        ids = select(EngineInstance.id).where(EngineInstance.strategy_id == strategy_id)
        return s.scalar(select(func.count()).select_from(EngineCommand).where(EngineCommand.instance_id.in_(ids))) or 0


def counters(platform: Platform, strategy_id: int) -> list[Any]:
    """The strategy's step counters (summed over worker slots)."""
    with platform.metadata.session() as s:
        return sorted(s.execute(select(EngineCount.node, EngineCount.metric, EngineCount.label, EngineCount.org_code,
                                       EngineCount.rm_id, func.sum(EngineCount.n))
                                .where(EngineCount.strategy_id == strategy_id)
                                .group_by(EngineCount.node, EngineCount.metric, EngineCount.label,
                                          EngineCount.org_code, EngineCount.rm_id)).all())


def test_a_batch_is_stepped_as_each_customer_alone(platform: Platform, rt: Runtime, clock: Clock) -> None:
    for sid in (1, 2):
        activate(platform=platform, strategy_id=sid, version=1, graph=send_delay_exit(), org_code="HQ")
    payload = {"amount": 150, "ref": "99:x"}  # like a key, of no instance here (the property tests rename those)
    batch = engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in",
                         customers=[(c, payload, "o1") for c in CUSTOMERS])
    alone = [engine.enter(platform=platform, rt=rt, strategy_id=2, node_id="in", customers=[(c, payload, "o1")])
             for c in CUSTOMERS]
    assert len(batch.entered) == len(CUSTOMERS) == sum(len(r.entered) for r in alone)
    assert rows_by_customer(platform, 1) == rows_by_customer(platform, 2)
    assert counters(platform, 1) == counters(platform, 2)
    assert outbox_rows(platform, 1) == 1 and outbox_rows(platform, 2) == len(CUSTOMERS)  # the cohort's: one row
    # Results fed back in one batch (a cohort) and one by one, then the timers.
    while engine.dispatch(platform=platform, rt=rt, limit=100):
        pass
    assert rows_by_customer(platform, 1) == rows_by_customer(platform, 2)
    assert counters(platform, 1) == counters(platform, 2)
    clock.advance(60)
    while engine.tick_timers(platform=platform, rt=rt):
        pass
    done = rows_by_customer(platform, 1)
    assert done == rows_by_customer(platform, 2)
    assert counters(platform, 1) == counters(platform, 2) != []
    assert {d["instance"] for d in done.values()} == {done["c0"]["instance"]}  # everyone ended alike

"""Batch rows of the outbox: one row for a cohort's sends, each member sent exactly once, none lost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.reach.contracts import DeliveryResult, SendRequest
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.batches import units
from mofang.strategy.engine.repository import EngineCommand, EngineInstance
from mofang.strategy.engine.service import Runtime
from strategy.runtime.kit import Clock, RecordingEffects, effects_of, send_delay_exit

CUSTOMERS = [f"c{i}" for i in range(6)]


class Crash(BaseException):
    """The process dies here (not an error the code may catch)."""


class BatchEffects(RecordingEffects):
    """The recorder with the reach centre's batch call: each request as `send` (recorded once per key)."""

    def send_many(self, *, platform: Platform, requests: Sequence[SendRequest]) -> list[DeliveryResult]:
        return [self.send(platform=platform, request=r) for r in requests]


def rows(platform: Platform) -> list[EngineCommand]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineCommand).order_by(EngineCommand.id)))


def journeys(platform: Platform) -> set[tuple[str, str]]:
    with platform.metadata.session() as s:
        return {(i.node, i.status) for i in s.scalars(select(EngineInstance))}


def enter_all(platform: Platform, rt: Runtime) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in", customers=[(c, {}, "o1") for c in CUSTOMERS])
    [row] = rows(platform)  # the cohort's six sends in one row
    assert [u.instance_id for u in units(row)] == sorted(u.instance_id for u in units(row))
    assert len(units(row)) == len(CUSTOMERS)


@pytest.mark.parametrize("batch_call", [True, False], ids=["send_many", "one_by_one"])
def test_a_crash_between_lease_and_finish_of_a_batch_resends_none_twice_and_loses_none(
        platform: Platform, rt: Runtime, clock: Clock, batch_call: bool) -> None:
    effects = BatchEffects(platform) if batch_call else RecordingEffects(platform)
    rt.effects = effects
    enter_all(platform, rt)
    sent: list[str] = []

    def die_after_three(request: SendRequest) -> None:
        sent.append(request.customer_id)
        if len(sent) == 3:
            raise Crash  # three members' messages went out, then the process died before saving anything

    effects.hook = die_after_three
    with pytest.raises(Crash):
        engine.dispatch(platform=platform, rt=rt)
    effects.hook = None
    assert len(effects_of(platform)) == 3
    assert rows(platform)[0].status == "pending" and journeys(platform) == {("push", "waiting")}
    assert engine.dispatch(platform=platform, rt=rt) == 0  # leased to the dead worker for a while
    clock.advance(rt.lease_seconds)
    assert engine.dispatch(platform=platform, rt=rt) == len(CUSTOMERS)  # asked again, with the same keys
    done = effects_of(platform)
    # Every member's message exactly once: the three sent before the crash were asked again and deduplicated.
    assert sorted(e["customer_id"] for e in done) == CUSTOMERS
    assert sorted(e["calls"] for e in done) == [1, 1, 1, 2, 2, 2]
    assert {e["key"] for e in done} == {u.key for u in units(rows(platform)[0])}
    [row] = rows(platform)
    assert row.status == "done" and row.result == {"outcome": "accepted", "outcomes": {"accepted": 6}}
    assert journeys(platform) == {("wait", "waiting")}  # every member fed back once, none lost


class FlakyFor(RecordingEffects):
    """A reach centre that fails for one customer the first time (a transient error)."""

    def __init__(self, platform: Platform, customer: str) -> None:
        super().__init__(platform)
        self.customer, self.failed = customer, False

    def send(self, *, platform: Platform, request: SendRequest) -> Any:
        if request.customer_id == self.customer and not self.failed:
            self.failed = True
            raise ConnectionError("gateway reset")
        return super().send(platform=platform, request=request)


def test_only_the_member_that_failed_is_retried(platform: Platform, rt: Runtime, clock: Clock) -> None:
    rt.effects = FlakyFor(platform, "c2")
    enter_all(platform, rt)
    # c2's send fails, the five others go on to the delay.
    assert engine.dispatch(platform=platform, rt=rt) == len(CUSTOMERS)
    [row] = rows(platform)
    assert row.status == "pending" and [(u.route["customer_id"], u.key[-7:]) for u in units(row)] == [
        ("c2", ":push:2")]  # only c2 is left in the row
    with platform.metadata.session() as s:
        states = {i.customer_id: (i.node, i.status) for i in s.scalars(select(EngineInstance))}
    assert states.pop("c2") == ("push", "waiting") and set(states.values()) == {("wait", "waiting")}
    clock.advance(60)
    while engine.dispatch(platform=platform, rt=rt):
        pass
    assert sorted(e["customer_id"] for e in effects_of(platform)) == CUSTOMERS
    assert {e["calls"] for e in effects_of(platform)} == {1}  # nobody was sent twice
    [row] = rows(platform)
    assert row.status == "done" and row.attempts == 2


def test_a_batch_of_sends_asks_the_reach_centre_what_each_member_alone_would(platform: Platform, rt: Runtime) -> None:
    """The members' requests copied from the first one's are the requests each member's command makes alone."""
    from mofang.strategy.engine.service.dispatch import _request_fields, _send_request

    asked: list[SendRequest] = []

    class Recording(BatchEffects):
        def send_many(self, *, platform: Platform, requests: Sequence[SendRequest]) -> list[DeliveryResult]:
            asked.extend(requests)
            return super().send_many(platform=platform, requests=requests)

    rt.effects = Recording(platform)
    enter_all(platform, rt)
    [row] = rows(platform)
    alone = [_send_request(u.key, u.route, _request_fields(u.kind, u.payload, u.route)) for u in units(row)]
    assert engine.dispatch(platform=platform, rt=rt) == len(CUSTOMERS)
    assert asked == alone and len({r.customer_id for r in asked}) == len(CUSTOMERS)
    assert [r.__dict__ for r in asked] == [r.__dict__ for r in alone]  # no field left out of the comparison

"""Real-time events: triggers start journeys, waiting customers move on, redelivery changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.strategy.engine import activate, handle_events, record_receipts
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.contracts import Step
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service import Runtime
from strategy.runtime.kit import Clock, effects_of, graph_of, send_delay_exit, wait_login


def instances(platform: Platform) -> list[EngineInstance]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineInstance).order_by(EngineInstance.id)))


def drain(platform: Platform, rt: Runtime) -> None:
    while engine.dispatch(platform=platform, rt=rt) or engine.tick_timers(platform=platform, rt=rt):
        pass


def login(cid: str, clock: Clock, mid: str, **props: object) -> dict[str, object]:
    return {"customer_id": cid, "user_id": None, "anonymous_id": None, "event": "login",
            "ts": clock.now.isoformat(), "properties": props, "message_id": mid}


def test_an_event_moves_only_the_customer_waiting_for_it(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=wait_login(), org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in", customers=[("c1", {}, "a"), ("c2", {}, "a")])
    assert [i.waiting_for for i in instances(platform)] == ["event:login", "event:login"]
    clock.advance(30)
    batch = [login("c1", clock, "m1"), {"event": "login", "customer_id": None, "message_id": "anon"}]
    handle_events(platform=platform, events=batch)
    handle_events(platform=platform, events=batch)  # the bus redelivers: nothing more happens
    drain(platform, rt)
    assert [(e["customer_id"], e["node"]) for e in effects_of(platform)] == [("c1", "sms")]
    clock.advance(3600)
    drain(platform, rt)
    assert [(i.customer_id, i.node, i.status) for i in instances(platform)] == [
        ("c1", "end", "done"), ("c2", "gone", "done")]


def test_an_event_trigger_enters_matching_events_once_each(platform: Platform, rt: Runtime, clock: Clock) -> None:
    entry = {"id": "in", "type": "event_entry", "event": "login",
             "filters": [{"property": "channel", "op": "eq", "value": "app"}],
             "reentry": {"policy": "always", "max_concurrent": 5}}
    activate(platform=platform, strategy_id=7, version=1, graph=send_delay_exit(entry), org_code="HQ")
    batch = [login("c1", clock, "m1", channel="app"), login("c2", clock, "m2", channel="web"),
             login("c1", clock, "m3", channel="app")]
    handle_events(platform=platform, events=batch)
    handle_events(platform=platform, events=batch)
    rows = instances(platform)
    assert sorted((i.customer_id, i.entry_key) for i in rows) == [("c1", "at:m1"), ("c1", "at:m3")]
    assert rows[0].context.get("trigger", {}).get("channel", "app") == "app"
    drain(platform, rt)
    assert len(effects_of(platform)) == 2


def test_a_cooldown_lets_a_customer_back_in_only_after_it(platform: Platform, rt: Runtime, clock: Clock) -> None:
    entry = {"id": "in", "type": "event_entry", "event": "login",
             "reentry": {"policy": "cooldown", "cooldown_seconds": 3600}}
    activate(platform=platform, strategy_id=7, version=1, graph=send_delay_exit(entry, seconds=10), org_code="HQ")
    handle_events(platform=platform, events=[login("c1", clock, "m1")])
    drain(platform, rt)  # the push goes out now; the 10 s delay counts from its result
    clock.advance(20)
    drain(platform, rt)
    assert instances(platform)[0].status == "done"  # out of the journey, but still inside the cooldown
    handle_events(platform=platform, events=[login("c1", clock, "m2")])
    assert len(instances(platform)) == 1
    clock.advance(3600)
    handle_events(platform=platform, events=[login("c1", clock, "m3")])
    assert len(instances(platform)) == 2


def test_a_goal_event_reaches_customers_anywhere_in_the_strategy(platform: Platform, rt: Runtime,
                                                                  clock: Clock) -> None:
    graph = graph_of([
        {"id": "in", "type": "api_entry"},
        {"id": "wait", "type": "delay", "seconds": 600},
        {"id": "end", "type": "exit"},
        {"id": "goal", "type": "goal", "event": "fund_purchase"},
    ], [("in", "wait"), ("wait", "end")])
    activate(platform=platform, strategy_id=3, version=1, graph=graph, org_code="HQ")
    seen: list[tuple[int, str]] = []
    real = rt.step()

    def spy(instance, stimulus, now, **kw):  # type: ignore[no-untyped-def]
        if stimulus.kind == "event":  # what the step makes of it is the engine helper's to test
            seen.append((instance.id, stimulus.name))
            return Step(instance)
        return real(instance, stimulus, now, **kw)

    rt.advance = spy
    engine.enter(platform=platform, rt=rt, strategy_id=3, node_id="in", customers=[("c1", {}, "a")])
    handle_events(platform=platform, events=[
        {"customer_id": "c1", "event": "fund_purchase", "ts": (clock.now + timedelta(seconds=5)).isoformat(),
         "properties": {}, "message_id": "p1"},
        {"customer_id": "c1", "event": "page_view", "ts": clock.now.isoformat(), "properties": {},
         "message_id": "p2"}])
    assert seen == [(instances(platform)[0].id, "fund_purchase")]


def test_receipts_reach_the_instance_of_the_send(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in", customers=[("c1", {}, "a")])
    drain(platform, rt)
    [effect] = effects_of(platform)
    got: list[str] = []
    real = rt.step()

    def spy(instance, stimulus, now, **kw):  # type: ignore[no-untyped-def]
        got.append(stimulus.kind)
        return real(instance, stimulus, now, **kw)

    rt.advance = spy
    assert record_receipts(platform=platform, receipts=[(effect["key"], "opened", clock.now), ("junk", "x", clock.now)]
                           ) == 1
    assert got == ["receipt"]

"""The engine wired to the other centres: batched sends, profile tags and attributes, reach receipts, the bus."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from mofang.insight import profiles
from mofang.insight.models import TagDef
from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.bus import bus_of
from mofang.platform.context import Platform
from mofang.reach.contracts import DeliveryResult, SendRequest
from mofang.strategy.engine import activate, handle_events
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service import DefaultEffects, ProfileFacts, Runtime
from mofang.strategy.engine.tasks import EngineWorker
from strategy.runtime.kit import Clock, graph_of, send_delay_exit


class Batched(DefaultEffects):
    """The real profile effects, with sends recorded in the batches the dispatcher makes."""

    def __init__(self) -> None:
        self.batches: list[list[SendRequest]] = []

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        return self.send_many(platform=platform, requests=[request])[0]

    def send_many(self, *, platform: Platform, requests: Any) -> list[DeliveryResult]:
        self.batches.append(list(requests))
        return [DeliveryResult(status="accepted", delivery_id=i + 1) for i, _ in enumerate(requests)]


def instances(platform: Platform) -> list[EngineInstance]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineInstance).order_by(EngineInstance.id)))


def add_profiles(platform: Platform, ids: list[str], org: str = "GD-SZ-001") -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with platform.metadata.session() as s:
        for cid in ids:
            s.add(CustomerProfile(customer_id=cid, org_code=org, rm_id=None, kyc_level="C3", tier=None, aum=60000.0,
                                  attributes={}, tags={"vip": "silver"}, segments=[], consents={}, overrides=None,
                                  row_hash="x", updated_at=now))
        s.add(TagDef(key="vip", name="VIP", family="value", kind="imported", value_type="string", rule={},
                     owner_org="HQ"))


def test_sends_go_to_the_reach_centre_in_batches_with_the_strategy_route(platform: Platform, rt: Runtime) -> None:
    rt.effects = batched = Batched()
    graph = send_delay_exit()
    graph = graph.model_copy(update={"settings": graph.settings.model_copy(
        update={"business_line": "card", "priority": 7})})
    activate(platform=platform, strategy_id=5, version=2, graph=graph, org_code="GD-SZ")
    engine.enter(platform=platform, rt=rt, strategy_id=5, node_id="in",
                 customers=[(c, {}, "o") for c in ("c1", "c2", "c3")])
    assert engine.dispatch(platform=platform, rt=rt) == 3
    [batch] = batched.batches  # one call for the whole batch, not one per customer
    ids = {i.customer_id: i.id for i in instances(platform)}
    assert sorted(r.customer_id for r in batch) == ["c1", "c2", "c3"]
    for r in batch:
        assert (r.channel, r.template_id, r.purpose, r.business_line, r.priority) == ("push", 1, "marketing", "card", 7)
        assert (r.strategy_id, r.strategy_version, r.node_id, r.org_code) == (5, 2, "push", "GD-SZ")
        assert r.instance_id == ids[r.customer_id] and r.idempotency_key.startswith(f"{r.instance_id}:")
    assert {i.waiting_for for i in instances(platform)} == {"timer"}


def test_a_tag_and_an_attribute_set_by_a_journey_are_read_by_its_next_node(platform: Platform, rt: Runtime) -> None:
    add_profiles(platform, ["k1"])
    rt.effects, rt.facts = Batched(), ProfileFacts()
    graph = graph_of([
        {"id": "in", "type": "api_entry"},
        {"id": "attr", "type": "set_attribute", "field": "welcome_stage", "value": "sent"},
        {"id": "tag", "type": "tag", "tag": "vip", "action": "add", "value": "gold"},
        {"id": "split", "type": "condition_split", "branches": [{"label": "yes", "condition": {
            "type": "group", "conditions": [
                {"type": "attribute", "field": "welcome_stage", "op": "eq", "value": "sent"},
                {"type": "tag", "tag": "vip", "op": "eq", "value": "gold"}]}}]},
        {"id": "push", "type": "send", "channel": "push", "template_id": 1},
        {"id": "end", "type": "exit"},
        {"id": "no", "type": "exit"},
    ], [("in", "attr"), ("attr", "tag"), ("tag", "split"), ("split", "push", "yes"), ("split", "no", "else"),
        ("push", "end")])
    activate(platform=platform, strategy_id=6, version=1, graph=graph, org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=6, node_id="in", customers=[("k1", {}, "o")])
    while engine.dispatch(platform=platform, rt=rt) or engine.tick_timers(platform=platform, rt=rt):
        pass
    [inst] = instances(platform)
    assert (inst.status, inst.node) == ("done", "end")
    with platform.metadata.session() as s:
        p = profiles.get_profile(session=s, customer_id="k1")
    assert p is not None and p.attributes["welcome_stage"] == "sent"
    assert sorted(p.tags["vip"]) == ["gold", "silver"]  # the computed value stays; the journey's is added


def test_profile_tags_add_and_remove_idempotently(platform: Platform) -> None:
    add_profiles(platform, ["k1"])
    with platform.metadata.session() as s:
        profiles.set_tag(session=s, customer_id="k1", tag="vip", action="add", value="gold")
        assert sorted(profiles.set_tag(session=s, customer_id="k1", tag="vip", action="add", value="gold")
                      .tags["vip"]) == ["gold", "silver"]
        assert profiles.set_tag(session=s, customer_id="k1", tag="vip", action="remove", value="silver"
                                ).tags["vip"] == "gold"
        assert "vip" not in profiles.set_tag(session=s, customer_id="k1", tag="vip", action="remove").tags
    with platform.metadata.session() as s:
        p = profiles.get_profile(session=s, customer_id="k1")
        assert p is not None and "vip" not in p.tags and not any(k.startswith("tag:") for k in p.attributes)


def test_an_unknown_customer_or_tag_fails_the_step_and_the_journey_goes_on(platform: Platform, rt: Runtime) -> None:
    rt.effects, rt.facts = Batched(), ProfileFacts()
    add_profiles(platform, ["k1"])
    graph = graph_of([
        {"id": "in", "type": "api_entry"},
        {"id": "tag", "type": "tag", "tag": "no_such_tag", "action": "add"},
        {"id": "end", "type": "exit"},
    ], [("in", "tag"), ("tag", "end")])
    activate(platform=platform, strategy_id=8, version=1, graph=graph, org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=8, node_id="in", customers=[("k1", {}, "o")])
    while engine.dispatch(platform=platform, rt=rt) or engine.tick_timers(platform=platform, rt=rt):
        pass
    [inst] = instances(platform)
    assert inst.status == "done"
    with platform.metadata.session() as s:
        p = profiles.get_profile(session=s, customer_id="k1")
    assert p is not None and p.tags == {"vip": "silver"}


def _receipt(name: str, inst: EngineInstance, clock: Clock, mid: str, **props: Any) -> dict[str, Any]:
    return {"customer_id": inst.customer_id, "event": name, "ts": clock.now.isoformat(), "message_id": mid,
            "properties": {"delivery_id": 9, "channel": "push", "strategy_id": inst.strategy_id,
                           "node_id": "push", "instance_id": inst.id, **props}}


@pytest.mark.parametrize(("event", "props", "branch"), [
    ("message_clicked", {}, "hot"), ("message_delivered", {}, "cold"),
    ("message_failed", {"reason": "undelivered"}, "lost")])
def test_reach_receipt_events_move_a_result_split(platform: Platform, rt: Runtime, clock: Clock, event: str,
                                                  props: dict[str, Any], branch: str) -> None:
    graph = graph_of([
        {"id": "in", "type": "api_entry"},
        {"id": "push", "type": "send", "channel": "push", "template_id": 1},
        {"id": "res", "type": "result_split", "send_node": "push", "wait_seconds": 3600},
        {"id": "hot", "type": "exit"}, {"id": "cold", "type": "exit"}, {"id": "lost", "type": "exit"},
        {"id": "none", "type": "exit"},
    ], [("in", "push"), ("push", "res"), ("res", "hot", "clicked"), ("res", "cold", "delivered"),
        ("res", "lost", "failed"), ("res", "none", "else")])
    activate(platform=platform, strategy_id=9, version=1, graph=graph, org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=9, node_id="in", customers=[("c1", {}, "o"), ("c2", {}, "o")])
    engine.dispatch(platform=platform, rt=rt)
    first, other = instances(platform)
    assert first.waiting_for.startswith("receipt:")
    clock.advance(30)
    batch = [_receipt(event, first, clock, "r1", **props)]
    handle_events(platform=platform, events=batch)
    handle_events(platform=platform, events=batch)  # redelivered: nothing more
    first, other = instances(platform)
    if event == "message_delivered":  # not decided yet: a click may still come, until the wait ends
        assert (first.status, first.node) == ("waiting", "res")
        clock.advance(3600)
        engine.tick_timers(platform=platform, rt=rt)
        first, other = instances(platform)
    assert (first.status, first.node) == ("done", branch)
    # A receipt about someone else's send moves nobody else (the other, without one, times out to `else`).
    assert other.node == ("none" if event == "message_delivered" else "res")


def test_the_engine_consumes_the_bus_and_a_published_event_enters_at_once(platform: Platform, rt: Runtime,
                                                                         clock: Clock) -> None:
    entry = {"id": "in", "type": "event_entry", "event": "login"}
    activate(platform=platform, strategy_id=4, version=1, graph=send_delay_exit(entry), org_code="HQ")
    worker = EngineWorker(platform, timers=False, dispatch=False, bus=True)
    worker.start()
    try:
        bus_of(platform).publish("events.login", [orjson.dumps({
            "customer_id": "c9", "user_id": "c9", "anonymous_id": None, "event": "login",
            "ts": clock.now.isoformat(), "properties": {}, "message_id": "bus-1"})])
        deadline = time.monotonic() + 10
        while not instances(platform) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    [inst] = instances(platform)
    assert (inst.customer_id, inst.entry_key) == ("c9", "at:bus-1") and inst.waiting_for.startswith("result:")

"""Properties of the journey step function over random valid graphs and random, redelivered stimuli."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mofang.strategy.canvas.contracts import FIXED_LABELS, Graph
from mofang.strategy.engine.contracts import (
    Command,
    CommandResult,
    Count,
    Enter,
    EventSeen,
    Facts,
    Instance,
    Receipt,
    SendMessage,
    Stimulus,
    Stop,
    TimerFired,
)
from mofang.strategy.engine.logic import EFFECT_KINDS, advance

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EVENTS = ["login", "fund_purchase", "app_open"]
KINDS = ["condition_split", "wait_event", "ab_split", "result_split", "delay", "wait_until", "time_window",
         "rate_limit", "goal", "exit", "send", "benefit", "tag", "set_attribute", "webhook", "rm_task", "propensity",
         "best_time"]
OUTCOME_LABELS = sorted(FIXED_LABELS["result_split"] - {"else"})
hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 30]))
weekdays = st.lists(st.integers(1, 7), max_size=3, unique=True)


def conditions() -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.builds(lambda op, v: {"type": "attribute", "field": "aum", "op": op, "value": v},
                  st.sampled_from(["gte", "lt", "eq", "neq"]), st.sampled_from([0, 50000, "50000", None])),
        st.builds(lambda v: {"type": "tag", "tag": "interest", "op": "in", "value": v},
                  st.sampled_from([["fund"], ["deposit", "loan"]])),
        st.builds(lambda s, m: {"type": "segment", "segment_id": s, "member": m}, st.integers(1, 3), st.booleans()),
        st.builds(lambda v: {"type": "trigger", "property": "amount", "op": "gt", "value": v}, st.integers(0, 200)),
    )
    return st.recursive(leaf, lambda inner: st.one_of(
        st.builds(lambda cs, m: {"type": "group", "match": m, "conditions": cs},
                  st.lists(inner, min_size=1, max_size=3), st.sampled_from(["all", "any"])),
        st.builds(lambda c: {"type": "not", "condition": c}, inner)), max_leaves=4)


def node_config(kind: str, earlier_sends: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Random valid configuration of one node type."""
    match kind:
        case "condition_split":
            return st.lists(conditions(), min_size=1, max_size=3).map(
                lambda cs: {"branches": [{"label": f"b{i}", "condition": c} for i, c in enumerate(cs)]})
        case "wait_event":
            return st.fixed_dictionaries({
                "event": st.sampled_from(EVENTS), "within_seconds": st.sampled_from([60, 3600, 3 * 86400]),
                "filters": st.sampled_from([[], [{"property": "amount", "op": "gte", "value": 100}]])})
        case "ab_split":
            return st.sampled_from([[50, 50], [10, 30, 60], [99, 1]]).flatmap(lambda shares: st.fixed_dictionaries({
                "variants": st.just([{"label": f"v{i}", "percent": p} for i, p in enumerate(shares)]),
                "control": st.just("v0"),
                "winner": st.sampled_from([None, *(f"v{i}" for i in range(len(shares)))])}))
        case "result_split":
            return st.fixed_dictionaries({"send_node": st.sampled_from([*earlier_sends, "nowhere"]),
                                          "wait_seconds": st.sampled_from([0, 3600, 86400])})
        case "delay":
            return st.fixed_dictionaries({"seconds": st.sampled_from([1, 600, 86400])})
        case "wait_until":
            return st.fixed_dictionaries({"at": hhmm, "weekdays": weekdays,
                                          "on_date": st.sampled_from([None, "2026-01-01", "2026-03-05"])})
        case "time_window":
            return st.fixed_dictionaries({"start": hhmm, "end": hhmm, "weekdays": weekdays})
        case "rate_limit":
            return st.fixed_dictionaries({"limit": st.integers(1, 10), "per": st.sampled_from(["hour", "day"]),
                                          "overflow": st.sampled_from(["hold", "exit"])})
        case "goal":
            return st.fixed_dictionaries({"event": st.sampled_from(EVENTS),
                                          "window_seconds": st.sampled_from([3600, 7 * 86400])})
        case "send":
            return st.fixed_dictionaries({"channel": st.sampled_from(["sms", "push", "email"]),
                                          "template_id": st.just(1)})
        case "benefit":
            return st.just({"benefit_id": 1})
        case "exit":
            return st.just({})
        case "tag":
            return st.fixed_dictionaries({"tag": st.just("vip"), "action": st.sampled_from(["add", "remove"])})
        case "set_attribute":
            return st.just({"field": "stage", "value": "warm"})
        case "webhook":
            return st.just({"url": "https://bank.example/hook", "include": ["tier"]})
        case "rm_task":
            return st.just({"template_id": 2})
        case "propensity":
            return st.sampled_from([{"target_event": "fund_purchase", "min_score": 0.5},
                                    {"target_event": "fund_purchase", "top_percent": 20}])
        case "best_time":
            return st.fixed_dictionaries({"default_hour": st.integers(0, 23),
                                          "max_wait_seconds": st.sampled_from([3600, 2 * 86400])})
    raise AssertionError(kind)


def out_labels(node: dict[str, Any]) -> list[str]:
    """The labels a node of this configuration may leave by."""
    match node["type"]:
        case "condition_split":
            return [b["label"] for b in node["branches"]] + ["else"]
        case "ab_split":
            return [v["label"] for v in node["variants"]]
        case "result_split":
            return [*OUTCOME_LABELS, "else"]
        case kind if kind in FIXED_LABELS:
            return sorted(FIXED_LABELS[kind])
    return ["next"]


@st.composite
def graphs(draw: st.DrawFn, kinds: list[str] = KINDS) -> Graph:
    """An entry then a random DAG of nodes of every kind; edges only point forward, some labels left open."""
    entry = draw(st.sampled_from([{"type": "segment_entry", "segment_id": 1}, {"type": "event_entry", "event": "login"},
                                  {"type": "api_entry"}]))
    nodes: list[dict[str, Any]] = [{"id": "entry", **entry}]
    for i, kind in enumerate(draw(st.lists(st.sampled_from(kinds), min_size=2, max_size=10))):
        sends = [n["id"] for n in nodes if n["type"] in ("send", "rm_task")]
        nodes.append({"id": f"n{i}", "type": kind, **draw(node_config(kind, sends))})
    edges = []
    for i, node in enumerate(nodes[:-1]):
        labels = out_labels(node)
        if node["type"] == "result_split":
            labels = [*draw(st.lists(st.sampled_from(OUTCOME_LABELS), max_size=4, unique=True)), "else"]
        for label in labels:
            if i == 0 or draw(st.integers(0, 19)) > 0:  # the entry always has its edge
                edges.append({"source": node["id"], "target": nodes[draw(st.integers(i + 1, len(nodes) - 1))]["id"],
                              "label": label})
    return Graph.model_validate({"nodes": nodes, "edges": edges,
                                 "settings": {"timezone": draw(st.sampled_from(["Asia/Shanghai", "Europe/Berlin"]))}})


facts = st.builds(
    Facts,
    attributes=st.fixed_dictionaries({"aum": st.sampled_from([0, 49999, 50000, 1e6, None, "50000"]),
                                      "tier": st.just("gold")}),
    tags=st.fixed_dictionaries({"interest": st.sampled_from([[], ["fund"], ["loan", "fund"]])}),
    segments=st.frozensets(st.integers(1, 3)),
    scores=st.sampled_from([{}, {"fund_purchase": 0.2}, {"fund_purchase": 0.8}]),
    score_ranks=st.sampled_from([{}, {"fund_purchase": 5.0}, {"fund_purchase": 50.0}]),
    best_hour=st.sampled_from([None, 3, 20]),
)


def result_outcome(kind: str) -> st.SearchStrategy[str]:
    """What the executor may answer for a command of a node kind."""
    if kind in ("send", "rm_task"):
        return st.sampled_from(["accepted", "deferred", "suppressed", "unreachable", "failed", "not_configured"])
    if kind == "rate_limit":
        return st.sampled_from(["granted", "refused"])
    return st.sampled_from(["ok", "failed"])


@dataclass
class Journey:
    """One instance driven by stimuli, with every command it emitted and the checks after each step."""

    graph: Graph
    facts: Facts
    instance: Instance
    now: datetime = T0
    commands: list[Command] = field(default_factory=list)
    effects: dict[str, Command] = field(default_factory=dict)

    def kind_at(self) -> str:
        return next(n.type for n in self.graph.nodes if n.id == self.instance.node)

    def feed(self, stimulus: Stimulus, now: datetime) -> None:
        self.now = max(self.now, now)
        step = advance(self.instance, stimulus, self.now, graph=self.graph, facts=self.facts)
        assert advance(self.instance, stimulus, self.now, graph=self.graph, facts=self.facts) == step  # pure
        again = advance(step.instance, stimulus, self.now, graph=self.graph, facts=self.facts)
        assert again.commands == (), f"redelivered {stimulus} emitted {again.commands}"
        assert again.instance == step.instance
        self.instance = step.instance
        self.record(step.commands)
        self.check()

    def record(self, commands: tuple[Command, ...]) -> None:
        for c in commands:
            self.commands.append(c)
            if isinstance(c, Count):
                continue
            assert not (self.instance.holdout and c.kind in EFFECT_KINDS), f"holdout got {c}"
            instance_id, node, seq = c.key.split(":")
            assert (int(instance_id), node) == (self.instance.id, c.node) and int(seq) <= self.instance.seq
            if c.key in self.effects:  # only a deferred send is ever emitted again, identical
                assert c.kind in ("send", "rm_task") and self.effects[c.key] == c
            self.effects[c.key] = c

    def check(self) -> None:
        inst = self.instance
        assert inst.node in {n.id for n in self.graph.nodes}
        if inst.status == "done":
            assert inst.exit_reason is not None and inst.wake_at is None and inst.waiting_for is None
        else:
            assert inst.status == "waiting" and inst.waiting_for is not None and inst.exit_reason is None
        json.dumps(dict(inst.context))

    def check_counts(self) -> None:
        """Every instance entered is exited, converted or still waiting — per run, and per node."""
        counts = Counter((c.node, c.metric) for c in self.commands if isinstance(c, Count))
        inst, done = self.instance, self.instance.status == "done"
        exits = sum(v for (_, metric), v in counts.items() if metric == "exited")
        conversions = sum(v for (_, metric), v in counts.items() if metric == "converted")
        assert counts[(inst.entry_node, "entered")] == 1 == exits + conversions + (0 if done else 1)
        for node in self.graph.nodes:
            here = inst.node == node.id and (not done or inst.exit_reason == "converted")
            assert counts[(node.id, "entered")] == counts[(node.id, "passed")] + counts[(node.id, "exited")] + here
        edges = {(e.source, e.label) for e in self.graph.edges}
        assert all((c.node, c.label) in edges for c in self.commands if isinstance(c, Count) and c.metric == "passed")

    def pending_key(self) -> str | None:
        waiting = self.instance.waiting_for or ""
        return waiting.removeprefix("result:") if waiting.startswith("result:") else None


def start(graph: Graph, facts: Facts, holdout: bool) -> Journey:
    instance = Instance(id=11, strategy_id=2, version=1, customer_id="C42", entry_node="entry", entered_at=T0,
                        node="entry", holdout=holdout)
    journey = Journey(graph=graph, facts=facts, instance=instance)
    journey.feed(Enter(payload={"amount": 150}), T0)
    return journey


def any_stimulus(draw: st.DrawFn, j: Journey) -> tuple[Stimulus, datetime]:
    """A stimulus the runtime might deliver now: mostly the ones the instance waits for, some that miss it."""
    inst = j.instance
    later = j.now + timedelta(seconds=draw(st.sampled_from([0, 60, 3600, 86400, 3 * 86400])))
    choices = ["event", "stray_result", "stop", "receipt"]
    if j.pending_key():
        choices += ["result"] * 4
    if inst.wake_at is not None:
        choices += ["timer"] * 4 + ["early_timer"]
    match draw(st.sampled_from(choices)):
        case "result":
            kind = j.kind_at()
            outcome = draw(result_outcome(kind))
            detail = {"defer_until": (j.now + timedelta(hours=draw(st.integers(0, 12)))).isoformat()} \
                if outcome == "deferred" else {"reason": "because"}
            return CommandResult(key=j.pending_key() or "", outcome=outcome, detail=detail), j.now
        case "timer" | "early_timer" as which:
            assert inst.wake_at is not None
            at = inst.wake_at + timedelta(seconds=draw(st.integers(0, 3600)) if which == "timer" else -1)
            return TimerFired(at=at), max(at, j.now)
        case "event":
            awaited = [n.event for n in j.graph.nodes if n.type in ("wait_event", "goal")]  # type: ignore[union-attr]
            name = draw(st.sampled_from([*awaited, *awaited, *EVENTS, "noise"]))
            at = later - timedelta(days=draw(st.sampled_from([0, 0, 0, 30])))  # sometimes an old event, late
            props = {"amount": draw(st.sampled_from([0, 100, 5000, "100"]))}
            message_id = draw(st.sampled_from(["m1", "m2", "m3", None]))
            return EventSeen(name=name, at=at, properties=props, message_id=message_id), later
        case "receipt":
            keys = [c.key for c in j.effects.values() if isinstance(c, SendMessage)] or ["11:nothing:1"]
            outcome = draw(st.sampled_from(["delivered", "opened", "clicked", "undelivered", "unsubscribed"]))
            return Receipt(key=draw(st.sampled_from(keys)), outcome=outcome, at=later), later
        case "stray_result":
            return CommandResult(key="11:elsewhere:999", outcome="accepted"), j.now
        case _:
            if draw(st.integers(0, 9)) > 0:  # rare: a stopped strategy ends every run early
                return CommandResult(key="11:elsewhere:998", outcome="ok"), j.now
            return Stop(), j.now


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), facts, st.booleans(), st.data())
def test_random_journeys_keep_their_invariants(graph, facts_, holdout, data):
    journey = start(graph, facts_, holdout)
    for _ in range(40):
        if journey.instance.status == "done":
            break
        stimulus, now = data.draw(st.composite(lambda draw: any_stimulus(draw, journey))())
        journey.feed(stimulus, now)
    journey.check_counts()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), facts, st.booleans(), st.data())
def test_timers_and_results_finish_every_journey(graph, facts_, holdout, data):
    """Without any event, answering what is asked and firing every timer ends each journey (no one is stuck)."""
    journey = start(graph, facts_, holdout)
    refusals = data.draw(st.integers(0, 3))  # a few refusals / deferrals, then the executor cooperates
    for _ in range(200):
        inst = journey.instance
        if inst.status == "done":
            break
        key = journey.pending_key()
        if key is not None and inst.wake_at is None:
            kind = journey.kind_at()
            outcome = data.draw(result_outcome(kind)) if refusals else {"rate_limit": "granted", "send": "accepted",
                                                                        "rm_task": "accepted"}.get(kind, "ok")
            refusals = max(0, refusals - 1)
            detail = {"defer_until": (journey.now + timedelta(hours=2)).isoformat()} if outcome == "deferred" else {}
            journey.feed(CommandResult(key=key, outcome=outcome, detail=detail), journey.now)
        else:
            assert inst.wake_at is not None, f"stuck at {inst.node} waiting for {inst.waiting_for}"
            journey.feed(TimerFired(at=inst.wake_at), inst.wake_at)
    assert journey.instance.status == "done"
    journey.check_counts()

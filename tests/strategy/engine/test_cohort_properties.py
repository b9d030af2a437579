"""Cohort stepping: a member's stamped step is exactly the step `advance` gives it, for random graphs and states."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mofang.strategy.engine.cohort import customer_free, shape, shared_shape, stamp
from mofang.strategy.engine.contracts import CommandResult, Enter, Instance, Stimulus, TimerFired
from mofang.strategy.engine.logic import advance
from strategy.engine.test_advance_properties import any_stimulus, facts, graphs, start

TWIN = 77


def renamed(value: Any, old: str, new: str) -> Any:
    """The twin's copy of a value: strings starting with the instance's id prefix carry the twin's instead."""
    if isinstance(value, str):
        return new + value[len(old):] if value.startswith(old) else value
    if isinstance(value, dict):
        return {renamed(k, old, new): renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, old, new) for v in value]
    return value


def twin_of(inst: Instance) -> Instance:
    """The same state for another customer and instance id (its keys carry its own id)."""
    kind, sep, rest = (inst.waiting_for or "").partition(":")
    return replace(inst, id=TWIN, customer_id="C77", context=renamed(dict(inst.context), "11:", "77:"),
                   waiting_for=None if inst.waiting_for is None else kind + sep + renamed(rest, "11:", "77:"))


def twin_stimulus(stimulus: Stimulus) -> Stimulus:
    if isinstance(stimulus, CommandResult):  # another delivery id: not read by the step, so not in the shape
        return replace(stimulus, key=renamed(stimulus.key, "11:", "77:"), detail={**stimulus.detail, "delivery_id": 9})
    return stimulus


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), facts, facts, st.booleans(), st.data())
def test_a_stamped_step_is_the_step_advance_takes(graph, facts_a, facts_b, holdout, data):
    journey = start(graph, facts_a, holdout)
    entered = Instance(id=TWIN, strategy_id=2, version=1, customer_id="C77", entry_node="entry",
                       entered_at=journey.instance.entered_at, node="entry", holdout=holdout)
    first = Instance(id=11, strategy_id=2, version=1, customer_id="C42", entry_node="entry",
                     entered_at=journey.instance.entered_at, node="entry", holdout=holdout)
    cases: list[tuple[Instance, Stimulus, Instance, Stimulus]] = [
        (first, Enter(payload={"amount": 150, "ref": "11:x"}), entered, Enter(payload={"amount": 150, "ref": "77:x"}))]
    for _ in range(12):
        if journey.instance.status == "done":
            break
        stimulus, now = data.draw(st.composite(lambda draw: any_stimulus(draw, journey))())
        if isinstance(stimulus, CommandResult | TimerFired):
            cases.append((journey.instance, stimulus, twin_of(journey.instance), twin_stimulus(stimulus)))
        journey.feed(stimulus, now)
    for inst, stimulus, twin, twin_stim in cases:
        now = journey.now
        key = shape(inst, stimulus)
        assert key is not None and key == shape(twin, twin_stim)
        shared = shared_shape(inst, stimulus)
        assert shared is None or (shared == key == shared_shape(replace(inst, id=5, customer_id="C5"), stimulus))
        step = advance(inst, stimulus, now, graph=graph, facts=facts_a)
        if customer_free(graph, inst, step):
            assert stamp(inst, step, twin) == advance(twin, twin_stim, now, graph=graph, facts=facts_b)


def test_a_time_that_looks_like_a_key_splits_the_cohort():
    """A payload "12:30" is instance 12's key prefix only: instance 13 with the same payload is another cohort."""
    a = Instance(id=12, strategy_id=1, version=1, customer_id="A", entry_node="in", entered_at=None,  # type: ignore[arg-type]
                 node="in")
    b = replace(a, id=13, customer_id="B")
    assert shape(a, Enter(payload={"t": "12:30"})) != shape(b, Enter(payload={"t": "12:30"}))
    assert shape(a, Enter(payload={"t": "12:30"})) == shape(b, Enter(payload={"t": "13:30"}))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10_000), st.integers(1, 10_000), st.booleans(),
       st.dictionaries(st.sampled_from(["t", "ref", "12:k"]), st.one_of(
           st.integers(), st.sampled_from(["12:30", "x12:", "", "7:a", "ok"]))))
def test_a_shared_shape_is_every_entrants_shape(a, b, holdout, payload):
    """The entry's one shape for customers entering alike is `shape` itself for each of them, whatever their ids."""
    one = Instance(id=a, strategy_id=1, version=1, customer_id="A", entry_node="in", entered_at=None,  # type: ignore[arg-type]
                   node="in", holdout=holdout)
    shared = shared_shape(one, Enter(payload=payload))
    if shared is not None:
        assert shared == shape(one, Enter(payload=payload)) == shape(replace(one, id=b, customer_id="B"),
                                                                     Enter(payload=payload))
    else:  # only a string that starts like an id key, or a number JSON cannot hold in 64 bits (orjson refuses it),
        # makes the entry compute shapes one by one
        assert any(isinstance(s, str) and s.split(":")[0].isdigit() and ":" in s for s in [*payload, *payload.values()]
                   ) or any(isinstance(v, int) and not -2**63 <= v < 2**64 for v in payload.values())

"""The executor and dispatcher: entries never doubled, every step saved with its commands, effects exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.strategy.engine import activate, deactivate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.batches import units
from mofang.strategy.engine.repository import EngineCommand, EngineInstance, EngineOutbox
from mofang.strategy.engine.service import DefaultEffects, Runtime
from strategy.runtime.kit import Clock, RecordingEffects, effects_of, send_delay_exit


class Crash(BaseException):
    """The process dies here (not an error the code may catch)."""


def instances(platform: Platform) -> list[EngineInstance]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineInstance).order_by(EngineInstance.id)))


def commands(platform: Platform) -> list[EngineCommand]:
    with platform.metadata.session() as s:
        return list(s.scalars(select(EngineCommand).order_by(EngineCommand.id)))


def run_until_idle(platform: Platform, rt: Runtime) -> None:
    while engine.dispatch(platform=platform, rt=rt) or engine.tick_timers(platform=platform, rt=rt):
        pass


def enter(platform: Platform, rt: Runtime, customers: list[str], occurrence: str = "o1",
          payload: dict[str, Any] | None = None) -> engine.EntryReport:
    return engine.enter(platform=platform, rt=rt, strategy_id=1, node_id="in",
                        customers=[(c, payload or {}, occurrence) for c in customers])


def test_a_journey_sends_once_waits_and_ends(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    report = enter(platform, rt, ["c1", "c2"])
    assert len(report.entered) == 2
    # The first action is in the outbox as soon as the entry commits.
    assert [u.kind for c in commands(platform) for u in units(c)] == ["send", "send"]
    assert len(commands(platform)) == 1  # the two customers' sends in one outbox row
    run_until_idle(platform, rt)
    assert sorted(e["customer_id"] for e in effects_of(platform)) == ["c1", "c2"]
    assert {i.status for i in instances(platform)} == {"waiting"}
    clock.advance(59)
    assert engine.tick_timers(platform=platform, rt=rt) == 0
    clock.advance(1)
    run_until_idle(platform, rt)
    assert [(i.status, i.node, i.exit_reason) for i in instances(platform)] == [("done", "end", "exit")] * 2
    assert all(c.status == "done" and c.result["outcome"] == "accepted" for c in commands(platform))


def test_an_entry_is_never_doubled(platform: Platform, rt: Runtime) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    assert len(enter(platform, rt, ["c1"], "call-1").entered) == 1
    again = enter(platform, rt, ["c1"], "call-1")  # the same API call, redelivered
    assert again.entered == [] and again.skipped
    assert len(instances(platform)) == 1 and len(commands(platform)) == 1


def test_once_policy_enters_a_customer_once_ever(platform: Platform, rt: Runtime, clock: Clock) -> None:
    entry = {"id": "in", "type": "api_entry", "reentry": {"policy": "once"}}
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(entry), org_code="HQ")
    enter(platform, rt, ["c1"], "a")
    run_until_idle(platform, rt)  # the push goes out now; the delay counts from its result
    clock.advance(120)
    run_until_idle(platform, rt)
    assert instances(platform)[0].status == "done"
    assert enter(platform, rt, ["c1"], "b").skipped == {"already_entered": 1}


def test_a_branch_strategy_enters_only_its_subtree(platform: Platform, rt: Runtime, facts: Any) -> None:
    facts.orgs.update({"sz": "GD-SZ-001", "gz": "GD-GZ-001"})
    facts.default_org = None  # nobody else has a profile
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="GD-SZ")
    report = enter(platform, rt, ["sz", "gz", "unknown"])
    assert [i.customer_id for i in instances(platform)] == ["sz"]
    assert report.skipped == {"out_of_scope": 2}


def test_a_crash_after_the_effect_repeats_nothing_and_loses_no_step(platform: Platform, rt: Runtime,
                                                                      clock: Clock, effects: RecordingEffects) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1"])

    def die(_request: Any) -> None:
        raise Crash

    effects.hook = die  # the send went out, then the process died before saving anything
    with pytest.raises(Crash):
        engine.dispatch(platform=platform, rt=rt)
    effects.hook = None
    assert engine.dispatch(platform=platform, rt=rt) == 0  # leased to the dead worker for a while
    clock.advance(rt.lease_seconds)
    assert engine.dispatch(platform=platform, rt=rt) == 1  # asked again, with the same key
    [effect] = effects_of(platform)
    assert effect["calls"] == 2  # the provider saw the retry and deduplicated it: one message
    [cmd] = commands(platform)
    assert cmd.status == "done" and cmd.attempts == 2


def test_a_crash_while_saving_the_result_replays_it_once(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1"])
    real = rt.step()
    calls = {"n": 0}

    def dying_advance(instance: Any, stimulus: Any, now: Any, **kw: Any) -> Any:
        if stimulus.kind == "result" and calls["n"] == 0:
            calls["n"] += 1
            raise Crash  # between "effect done" and "state saved"
        return real(instance, stimulus, now, **kw)

    rt.advance = dying_advance
    with pytest.raises(Crash):
        engine.dispatch(platform=platform, rt=rt)
    assert commands(platform)[0].status == "pending"  # the whole result transaction rolled back
    clock.advance(rt.lease_seconds)
    engine.dispatch(platform=platform, rt=rt)
    [cmd] = commands(platform)
    assert cmd.status == "done"
    assert len(effects_of(platform)) == 1


def test_without_the_reach_centre_a_send_is_recorded_never_claimed(platform: Platform, rt: Runtime) -> None:
    rt.effects = DefaultEffects()
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1"])
    engine.dispatch(platform=platform, rt=rt)
    [cmd] = commands(platform)
    try:
        import mofang.reach as reach

        has_reach = hasattr(reach, "send")
    except ImportError:
        has_reach = False
    if not has_reach:
        assert cmd.result["outcome"] == "not_configured"
        with platform.metadata.session() as s:
            [row] = s.scalars(select(EngineOutbox))
            assert (row.key, row.status, row.channel) == (cmd.key, "recorded", "push")
    assert cmd.result["outcome"] != "accepted" or has_reach


def test_stop_ends_every_journey_and_cancels_pending_commands(platform: Platform, rt: Runtime) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1", "c2"])
    deactivate(platform=platform, strategy_id=1, mode="stop")
    assert {(i.status, i.exit_reason) for i in instances(platform)} == {("done", "stopped")}
    assert {c.status for c in commands(platform)} == {"failed"}
    engine.dispatch(platform=platform, rt=rt)
    assert effects_of(platform) == []
    assert enter(platform, rt, ["c3"], "x").skipped == {"not_active": 1}


def test_pause_holds_customers_and_resume_moves_them_on(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1"])
    deactivate(platform=platform, strategy_id=1, mode="pause")
    assert engine.dispatch(platform=platform, rt=rt) == 0  # the send waits in the outbox
    deactivate(platform=platform, strategy_id=1, mode="resume")
    run_until_idle(platform, rt)
    assert len(effects_of(platform)) == 1
    deactivate(platform=platform, strategy_id=1, mode="pause")
    clock.advance(600)
    assert engine.tick_timers(platform=platform, rt=rt) == 0
    assert enter(platform, rt, ["c2"], "y").skipped == {"not_active": 1}
    deactivate(platform=platform, strategy_id=1, mode="resume")
    assert engine.tick_timers(platform=platform, rt=rt) == 1
    assert instances(platform)[0].status == "done"


def test_a_new_version_keeps_customers_inside_on_theirs(platform: Platform, rt: Runtime, clock: Clock) -> None:
    activate(platform=platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    enter(platform, rt, ["c1"])
    activate(platform=platform, strategy_id=1, version=2, graph=send_delay_exit(seconds=3600), org_code="HQ")
    enter(platform, rt, ["c2"])
    assert [(i.customer_id, i.version) for i in instances(platform)] == [("c1", 1), ("c2", 2)]
    run_until_idle(platform, rt)  # both pushes go out now; each delay counts from its result
    clock.advance(60)
    run_until_idle(platform, rt)
    assert [i.status for i in instances(platform)] == ["done", "waiting"]

"""The journey engine's pure step function and entry rules.

`advance` takes an instance, one stimulus and the time, and returns the instance after it and the commands to carry
out; it never reads a clock, a database or a random source. A stimulus that does not concern the instance (an event
it does not wait for, a stale timer, a result for another key, a redelivery of one already taken) returns the
instance unchanged with no commands, so the runtime can redeliver freely.

What the runtime reads back: a waiting instance has `waiting_for` "timer" (only `wake_at` moves it), "event:<name>"
(a wait_event or goal; `wake_at` is its deadline), "result:<command key>" (a send, rm_task, benefit, webhook or quota
ask; with a `wake_at` only while a deferred send waits to go again) or "receipt:<send key>" (a result split waiting
for engagement, until `wake_at`). Goal events convert an instance wherever it waits (along the edge when it waits
for that event at a wait_event whose "did" leads to the goal), so every event of a goal's name must reach every
active instance of the strategy. `Count` commands carry no key: save them in the same transaction
as the instance. Context keys: trigger, sends {node: {key, outcome, reason, deferred_until}}, variants, goals,
events_taken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, assert_never

from mofang.insight.segments.contracts import PropertyFilter
from mofang.strategy.canvas.contracts import (
    BestTime,
    Delay,
    Goal,
    Graph,
    IssueBenefit,
    RateLimit,
    Reentry,
    ResultSplit,
    RmTask,
    Send,
    TimeWindow,
    WaitEvent,
    WaitUntil,
    Webhook,
)
from mofang.strategy.engine.conditions import filters_match
from mofang.strategy.engine.contracts import (
    CommandResult,
    Enter,
    EventSeen,
    Facts,
    Instance,
    Receipt,
    Step,
    Stimulus,
    Stop,
    TimerFired,
)
from mofang.strategy.engine.outcomes import better, decided, result_label
from mofang.strategy.engine.timing import next_period, utc, window_opens
from mofang.strategy.engine.values import iso, jsonable, parse_instant
from mofang.strategy.engine.walk import EFFECT_KINDS, Run, ask_quota, effect, index
from mofang.strategy.experiments import in_holdout

EVENTS_REMEMBERED = 20  # a bus redelivers within minutes; far fewer events than this move one instance meanwhile

__all__ = ["EFFECT_KINDS", "advance", "enters_holdout", "event_matches", "may_enter"]


def advance(instance: Instance, stimulus: Stimulus, now: datetime, *, graph: Graph, facts: Facts) -> Step:
    """One step of a journey: the instance after the stimulus and the commands to carry out."""
    if instance.status == "done":
        return Step(instance=instance)
    run = Run(instance, now, index(graph), facts)
    match stimulus:
        case Enter():
            taken = _enter(run, stimulus)
        case EventSeen():
            taken = _event(run, stimulus)
        case TimerFired():
            taken = _timer(run, stimulus)
        case CommandResult():
            taken = _result(run, stimulus)
        case Receipt():
            taken = _receipt(run, stimulus)
        case Stop():
            run.exit(stimulus.reason)
            taken = True
        case _:
            assert_never(stimulus)
    return run.step() if taken else Step(instance=instance)


def may_enter(reentry: Reentry, *, previous: Sequence[tuple[datetime, bool]], now: datetime) -> bool:
    """Whether a customer may enter again, given (entered_at, still active) of their earlier instances."""
    if sum(1 for _, active in previous if active) >= reentry.max_concurrent:
        return False
    if not previous:
        return True
    match reentry.policy:
        case "once":
            return False
        case "cooldown":
            assert reentry.cooldown_seconds is not None  # the model requires it for this policy
            last = max(utc(at) for at, _ in previous)
            return utc(now) >= last + timedelta(seconds=reentry.cooldown_seconds)
        case "always":
            return True
        case _:
            assert_never(reentry.policy)


def enters_holdout(customer_id: str, strategy_id: int, percent: float) -> bool:
    """Whether a customer belongs to the strategy's holdout (sticky: the same answer on every entry)."""
    return percent > 0 and in_holdout(customer_id, f"strategy:{strategy_id}", percent)


def event_matches(filters: Sequence[PropertyFilter], properties: Mapping[str, Any], *,
                  today: date | None = None) -> bool:
    """Whether an event's properties pass a trigger's filters (`within_last_days` needs `today`)."""
    return filters_match(filters, properties, today=today)


# --- stimuli -----------------------------------------------------------------------------------------------------


def _enter(run: Run, stimulus: Enter) -> bool:
    if run.seq != 0 or run.status != "active":  # entered already: a redelivered Enter
        return False
    run.ctx["trigger"] = jsonable(stimulus.payload)
    run.go(run.instance.entry_node)
    return True


def _event(run: Run, event: EventSeen) -> bool:
    if run.seq == 0:
        return False
    event_id = event.message_id or f"{event.name}@{iso(event.at)}"
    if event_id in run.ctx.get("events_taken", ()):  # an event already taken, redelivered
        return False
    # Only what happens after entry counts: the event that triggered the entry (at its time) never converts.
    at, entered = utc(event.at), utc(run.instance.entered_at)
    today = run.today
    node = run.ix.nodes.get(run.node)
    waited_for = (isinstance(node, WaitEvent) and run.waiting_for == f"event:{node.event}"
                  and event.name == node.event and entered < at and (run.wake_at is None or at <= run.wake_at)
                  and filters_match(node.filters, event.properties, today=today, tz=run.ix.tz))
    for goal in run.ix.goals:
        if (event.name == goal.event and entered < at <= entered + timedelta(seconds=goal.window_seconds)
                and filters_match(goal.filters, event.properties, today=today, tz=run.ix.tz)):
            _taken(run, event_id)
            run.ctx.setdefault("goals", {})[goal.id] = iso(at)
            if waited_for and run.ix.edges.get((run.node, "did")) == goal.id:
                # The wait's "did" leads to this goal: the customer goes along it (counted on the edge and at the
                # goal, which converts on arrival), as the monitoring canvas draws the journey.
                run.follow("did")
            else:
                run.convert(goal.id, at)
            return True
    if waited_for:
        _taken(run, event_id)
        run.follow("did")
        return True
    return False


def _taken(run: Run, event_id: str) -> None:
    """Remember an event that moved the instance, so a redelivery of it (even out of order) moves nothing."""
    run.ctx["events_taken"] = [*run.ctx.get("events_taken", ())[-(EVENTS_REMEMBERED - 1):], event_id]


def _timer(run: Run, timer: TimerFired) -> bool:
    if run.status != "waiting" or run.wake_at is None or utc(timer.at) < run.wake_at:
        return False
    node = run.ix.nodes.get(run.node)
    match node:
        case WaitEvent():
            run.follow("timeout")
        case Goal():
            run.exit("not_converted")
        case ResultSplit():
            sent = run.ctx.get("sends", {}).get(node.send_node) or {}
            run.follow(result_label(sent.get("outcome"), run.ix.labels.get(node.id, frozenset())))
        case TimeWindow():
            # A late timer may come after the window closed again: hold for the next opening.
            opens = window_opens(run.now, node.start, node.end, node.weekdays, run.ix.tz)
            if opens is None:
                run.follow("next")
            else:
                run.wait(on="timer", until=opens)
        case RateLimit():
            run.seq += 1  # a new ask is a new step: its own key, its own answer
            ask_quota(run, node)
        case Send() | RmTask() if run.waiting_for and run.waiting_for.startswith("result:"):
            _resend(run, node, run.waiting_for.removeprefix("result:"))
        case Delay() | WaitUntil() | BestTime():
            run.follow("next")
        case None:
            run.exit("failed")  # the node is gone from this version: validation makes this unreachable
        case _:
            return False  # no other node sets a wake time
    return True


def _resend(run: Run, node: Send | RmTask, key: str) -> None:
    """Send a deferred message again with its first key (a deferral is not a new step)."""
    run.emit(effect(run, node, key))
    run.wait(on=f"result:{key}")


def _result(run: Run, result: CommandResult) -> bool:
    if run.waiting_for != f"result:{result.key}":
        return False
    node = run.ix.nodes.get(run.node)
    reason = str(result.detail.get("reason") or result.outcome)
    match node:
        case Send() | RmTask():
            return _send_result(run, node, result, reason)
        case RateLimit():
            if result.outcome == "granted":
                run.follow("next")
            elif node.overflow == "exit":
                run.exit("rate_limited")
            else:
                run.wait(on="timer", until=next_period(run.now, node.per, run.ix.tz))
            return True
        case IssueBenefit() | Webhook():
            if result.outcome != "ok":
                run.count(node.id, "failed", reason)
            run.follow("next")
            return True
        case _:
            return False


def _send_result(run: Run, node: Send | RmTask, result: CommandResult, reason: str) -> bool:
    sent = run.ctx.setdefault("sends", {}).setdefault(node.id, {"key": result.key, "outcome": None})
    match result.outcome:
        case "accepted":
            if better("accepted", sent.get("outcome")):
                sent["outcome"] = "accepted"
            run.follow("next")
        case "deferred":
            until = parse_instant(result.detail.get("defer_until"))
            if until is None:
                return _send_failed(run, node, sent, "failed", "deferred_without_time")
            last = parse_instant(sent.get("deferred_until"))
            if last is not None and until <= last:  # a redelivery of a deferral already taken
                return False
            sent["deferred_until"] = iso(until)
            if until <= run.now:
                _resend(run, node, result.key)
            else:
                run.wait(on=f"result:{result.key}", until=until)
        case "suppressed" | "unreachable":
            return _send_failed(run, node, sent, result.outcome, reason, metric="suppressed")
        case outcome:
            return _send_failed(run, node, sent, outcome if outcome == "not_configured" else "failed", reason)
    return True


def _send_failed(run: Run, node: Send | RmTask, sent: dict[str, Any], outcome: str, reason: str, *,
                 metric: str = "failed") -> bool:
    """A send that went nowhere: recorded (a result split can branch on it) and counted; the journey goes on."""
    sent["outcome"], sent["reason"] = outcome, reason
    run.count(node.id, metric, reason)
    run.follow("next")
    return True


def _receipt(run: Run, receipt: Receipt) -> bool:
    sends = run.ctx.get("sends", {})
    node_id = next((n for n, sent in sends.items() if sent.get("key") == receipt.key), None)
    if node_id is None:
        return False
    sent = sends[node_id]
    if receipt.outcome in ("delivered", "opened", "clicked") and better(receipt.outcome, sent.get("outcome")):
        sent["outcome"] = receipt.outcome
    elif receipt.outcome == "undelivered" and sent.get("outcome") == "accepted":
        sent["outcome"], sent["reason"] = "failed", "undelivered"
    else:
        return False
    node = run.ix.nodes.get(run.node)
    if isinstance(node, ResultSplit) and run.waiting_for == f"receipt:{receipt.key}":
        labels = run.ix.labels.get(node.id, frozenset())
        if decided(sent["outcome"], labels):
            run.follow(result_label(sent["outcome"], labels))
    return True


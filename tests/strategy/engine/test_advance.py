"""The journey engine's step function, node by node: what a customer goes through and what the bank would see."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mofang.strategy.canvas.contracts import Graph, Reentry
from mofang.strategy.engine.contracts import (
    AskQuota,
    CallWebhook,
    ChangeAttribute,
    ChangeTag,
    Command,
    CommandResult,
    Count,
    CreateRmTask,
    Enter,
    EventSeen,
    Facts,
    GrantBenefit,
    Instance,
    Receipt,
    SendMessage,
    Stimulus,
    Stop,
    TimerFired,
)
from mofang.strategy.engine.logic import EFFECT_KINDS, advance, enters_holdout, event_matches, may_enter

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def journey(*nodes: dict[str, Any], edges: str = "", **settings: Any) -> Graph:
    """A graph from node dicts and edges written `a>b` or `a -label> b`, comma-separated."""
    parsed = []
    for spec in filter(None, (e.strip() for e in edges.split(","))):
        left, target = spec.split(">")
        source, _, label = left.strip().partition(" -")
        parsed.append({"source": source.strip(), "target": target.strip(), "label": label.strip() or "next"})
    return Graph.model_validate({"nodes": list(nodes), "edges": parsed, "settings": settings})


def n(id_: str, type_: str, **config: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, **config}


ENTRY = n("in", "api_entry")
PUSH = n("push", "send", channel="push", template_id=11)


class Trip:
    """One customer's instance driven through a graph, keeping every command emitted."""

    def __init__(self, graph: Graph, *, facts: Facts | None = None, holdout: bool = False, customer: str = "C001",
                 at: datetime = T0) -> None:
        self.graph, self.facts, self.now = graph, facts or Facts(), at
        entry = next(node.id for node in graph.nodes if node.type.endswith("entry"))
        self.instance = Instance(id=7, strategy_id=3, version=1, customer_id=customer, entry_node=entry,
                                 entered_at=at, node=entry, holdout=holdout)
        self.commands: list[Command] = []

    def feed(self, stimulus: Stimulus, *, at: datetime | None = None) -> tuple[Command, ...]:
        self.now = at or self.now
        step = advance(self.instance, stimulus, self.now, graph=self.graph, facts=self.facts)
        self.instance = step.instance
        self.commands.extend(step.commands)
        json.dumps(dict(self.instance.context))  # the context is stored as JSON
        return step.commands

    def enter(self, **payload: Any) -> tuple[Command, ...]:
        return self.feed(Enter(payload=payload))

    def wake(self) -> tuple[Command, ...]:
        assert self.instance.wake_at is not None
        return self.feed(TimerFired(at=self.instance.wake_at), at=self.instance.wake_at)

    def event(self, name: str, *, after: timedelta = HOUR, **props: Any) -> tuple[Command, ...]:
        at = self.now + after
        return self.feed(EventSeen(name=name, at=at, properties=props, message_id=f"{name}-{at.isoformat()}"), at=at)

    def answer(self, outcome: str, **detail: Any) -> tuple[Command, ...]:
        return self.feed(CommandResult(key=self.pending, outcome=outcome, detail=detail))

    @property
    def pending(self) -> str:
        assert self.instance.waiting_for and self.instance.waiting_for.startswith("result:")
        return self.instance.waiting_for.removeprefix("result:")

    @property
    def at(self) -> tuple[str, str, str | None]:
        """(node, status, exit reason or what it waits for)."""
        i = self.instance
        return i.node, i.status, i.exit_reason if i.status == "done" else i.waiting_for

    @property
    def effects(self) -> list[Command]:
        return [c for c in self.commands if c.kind in EFFECT_KINDS]

    @property
    def path(self) -> list[tuple[str, str]]:
        """The edges taken, as (node, label)."""
        return [(c.node, c.label or "") for c in self.commands if isinstance(c, Count) and c.metric == "passed"]

    def counts(self) -> Counter[tuple[str, str, str | None]]:
        return Counter((c.node, c.metric, c.label) for c in self.commands if isinstance(c, Count))


# --- the browser scenario ------------------------------------------------------------------------------

SCENARIO = journey(
    n("login", "event_entry", event="login"),
    n("rich", "condition_split", branches=[
        {"label": "rich", "condition": {"type": "attribute", "field": "aum", "op": "gte", "value": 50000}}]),
    PUSH,
    n("bought", "wait_event", event="fund_purchase", within_seconds=3 * 86400),
    n("goal", "goal", event="fund_purchase", window_seconds=7 * 86400),
    edges="login>rich, rich -rich> push, push>bought, bought -did> goal, bought -timeout> goal",
)


def test_scenario_wealthy_customer_is_pushed_and_converts_on_purchase():
    trip = Trip(SCENARIO, facts=Facts(attributes={"aum": 80000}))
    cmds = trip.enter(channel="app")
    send = next(c for c in cmds if isinstance(c, SendMessage))
    assert (send.key, send.channel, send.template_id, send.variables) == ("7:push:3", "push", 11, {"channel": "app"})
    assert trip.at == ("push", "waiting", "result:7:push:3")
    trip.answer("accepted", delivery_id=99)
    assert trip.at == ("bought", "waiting", "event:fund_purchase")
    assert trip.instance.wake_at == T0 + 3 * DAY
    purchase = EventSeen(name="fund_purchase", at=T0 + DAY, properties={"amount": 10000}, message_id="buy-1")
    trip.feed(purchase, at=T0 + DAY)
    # The purchase is what "bought" waited for and its "did" leads to the goal: the customer goes along that edge
    # and converts at the goal, so the monitoring canvas counts them on the edge and at the goal.
    assert trip.at == ("goal", "done", "converted")
    assert trip.instance.converted_at == T0 + DAY
    assert trip.counts() == Counter({
        ("login", "entered", None): 1, ("login", "passed", "next"): 1,
        ("rich", "entered", None): 1, ("rich", "passed", "rich"): 1,
        ("push", "entered", None): 1, ("push", "passed", "next"): 1,
        ("bought", "entered", None): 1, ("bought", "passed", "did"): 1,
        ("goal", "entered", None): 1, ("goal", "converted", None): 1})
    trip.feed(purchase, at=T0 + DAY + HOUR)  # the same purchase redelivered: nothing moves twice
    assert trip.counts()[("goal", "converted", None)] == 1


def test_a_goal_event_a_wait_leads_elsewhere_from_converts_where_the_customer_waits():
    trip = Trip(journey(n("login", "event_entry", event="login"),
                        n("bought", "wait_event", event="fund_purchase", within_seconds=3 * 86400),
                        n("thanks", "send", channel="push", template_id=12),
                        n("goal", "goal", event="fund_purchase", window_seconds=7 * 86400),
                        edges="login>bought, bought -did> thanks, bought -timeout> goal"))
    trip.enter()
    trip.event("fund_purchase", after=DAY)
    # The goal is reached wherever the customer is: the thank-you push is not sent after conversion.
    assert trip.at == ("bought", "done", "converted")
    assert trip.effects == []
    assert trip.counts()[("bought", "passed", "did")] == 0 and trip.counts()[("goal", "converted", None)] == 1


def test_scenario_customer_below_50k_leaves_at_the_split():
    trip = Trip(SCENARIO, facts=Facts(attributes={"aum": 49999.99}))
    trip.enter()
    assert trip.at == ("rich", "done", "exit")  # no `else` edge: the journey ends there
    assert trip.effects == []


def test_scenario_no_purchase_times_out_and_waits_at_the_goal_until_its_window_closes():
    trip = Trip(SCENARIO, facts=Facts(attributes={"aum": 50000}))
    trip.enter()
    trip.answer("accepted")
    trip.wake()
    assert trip.path[-1] == ("bought", "timeout")
    assert trip.at == ("goal", "waiting", "event:fund_purchase")
    assert trip.instance.wake_at == T0 + 7 * DAY
    trip.wake()
    assert trip.at == ("goal", "done", "not_converted")
    assert trip.counts()[("goal", "exited", "not_converted")] == 1


def test_scenario_purchase_after_the_timeout_converts_at_the_goal():
    trip = Trip(SCENARIO, facts=Facts(attributes={"aum": 50000}))
    trip.enter()
    trip.answer("accepted")
    trip.wake()
    trip.event("fund_purchase", after=2 * DAY)
    assert trip.at == ("goal", "done", "converted")


# --- entry, exit, Stop, idempotency ------------------------------------------------------------------------------


def test_enter_stores_the_trigger_payload_as_json_and_a_redelivered_enter_does_nothing():
    trip = Trip(journey(ENTRY, n("end", "exit"), edges="in>end"))
    trip.enter(amount=12.5, when=datetime(2026, 3, 1, tzinfo=UTC), tags=("a", "b"))
    assert trip.instance.context["trigger"] == {"amount": 12.5, "when": "2026-03-01T00:00:00+00:00",
                                                "tags": ["a", "b"]}
    assert trip.at == ("end", "done", "exit")
    before = trip.instance
    assert trip.enter() == ()
    assert trip.instance is before


@pytest.mark.parametrize("entry", [n("in", "segment_entry", segment_id=4), n("in", "event_entry", event="login"),
                                   n("in", "api_entry", payload_keys=["amount"])])
def test_every_entry_passes_on(entry):
    trip = Trip(journey(entry, n("end", "exit"), edges="in>end"))
    trip.enter()
    assert trip.path == [("in", "next")] and trip.at == ("end", "done", "exit")


def test_the_triggering_event_itself_does_not_convert():
    graph = journey(n("in", "event_entry", event="fund_purchase"), n("d", "delay", seconds=60),
                    n("g", "goal", event="fund_purchase"), edges="in>d, d>g")
    trip = Trip(graph)
    trip.enter()
    assert trip.feed(EventSeen(name="fund_purchase", at=T0, message_id="trigger")) == ()
    trip.event("fund_purchase", after=timedelta(seconds=1))
    assert trip.at == ("d", "done", "converted")


def test_stop_exits_where_the_customer_is():
    trip = Trip(journey(ENTRY, n("wait", "delay", seconds=3600), edges="in>wait"))
    trip.enter()
    assert trip.feed(Stop()) == (Count(node="wait", metric="exited", label="stopped"),)
    assert trip.at == ("wait", "done", "stopped")
    assert trip.feed(Stop()) == ()


def test_results_for_other_keys_and_stale_timers_change_nothing():
    trip = Trip(journey(ENTRY, PUSH, n("wait", "delay", seconds=600), edges="in>push, push>wait"))
    trip.enter()
    waiting = trip.instance
    assert trip.feed(CommandResult(key="7:push:99", outcome="accepted")) == ()
    assert trip.feed(TimerFired(at=T0 + DAY)) == ()  # nothing scheduled while a send is in flight
    assert trip.instance is waiting
    trip.answer("accepted")
    assert trip.feed(TimerFired(at=T0 + timedelta(seconds=599))) == ()
    assert trip.at == ("wait", "waiting", "timer")


# --- 条件分支 ------------------------------------------------------------------------------------------------------


def split(*branches: tuple[str, dict[str, Any]]) -> Graph:
    labels = [label for label, _ in branches]
    edges = ", ".join(f"s -{label}> {label}" for label in [*labels, "else"])
    ends = [n(label, "exit") for label in [*labels, "else"]]
    return journey(ENTRY, n("s", "condition_split", branches=[{"label": lab, "condition": c} for lab, c in branches]),
                   *ends, edges=f"in>s, {edges}")


def branch_taken(graph: Graph, facts: Facts | None = None, **payload: Any) -> str:
    trip = Trip(graph, facts=facts)
    trip.enter(**payload)
    return trip.instance.node


@pytest.mark.parametrize(("aum", "expected"), [
    (100000, "vip"), (50000, "mid"), (20000, "else"), (None, "else"),
    ("80000", "else"),  # a text value never compares with a number
    (True, "else"),
])
def test_condition_split_takes_the_first_branch_that_holds(aum, expected):
    graph = split(("vip", {"type": "attribute", "field": "aum", "op": "gte", "value": 100000}),
                  ("mid", {"type": "attribute", "field": "aum", "op": "between", "value": [30000, 99999]}))
    assert branch_taken(graph, Facts(attributes={"aum": aum})) == expected


def test_condition_split_on_tags_segments_and_the_trigger():
    graph = split(
        ("both", {"type": "group", "match": "all", "conditions": [
            {"type": "tag", "tag": "interest", "op": "in", "value": ["fund", "insurance"]},
            {"type": "segment", "segment_id": 5}]}),
        ("app", {"type": "trigger", "property": "device.os", "op": "eq", "value": "ios"}),
        ("notnew", {"type": "not", "condition": {"type": "attribute", "field": "open_date", "op": "within_last_days",
                                                  "value": 30}}),
    )
    fund_member = Facts(tags={"interest": ["deposit", "fund"]}, segments=frozenset({5}),
                        attributes={"open_date": "2026-02-25"})
    assert branch_taken(graph, fund_member) == "both"
    newcomer = Facts(tags={"interest": ["fund"]}, attributes={"open_date": "2026-02-25"})
    assert branch_taken(graph, newcomer, device={"os": "ios"}) == "app"
    assert branch_taken(graph, newcomer, device={"os": "android"}) == "else"
    assert branch_taken(graph, Facts(attributes={"open_date": "2025-01-01"})) == "notnew"


# --- 行为判断 ------------------------------------------------------------------------------------------------------

WAIT_LOGIN = journey(
    ENTRY,
    n("w", "wait_event", event="login", within_seconds=86400,
      filters=[{"property": "channel", "op": "eq", "value": "app"}]),
    n("did", "exit"), n("late", "exit"),
    edges="in>w, w -did> did, w -timeout> late",
)


def test_wait_event_goes_did_on_a_matching_event_only():
    trip = Trip(WAIT_LOGIN)
    trip.enter()
    assert trip.at == ("w", "waiting", "event:login")
    assert trip.event("login", channel="web") == ()
    assert trip.event("logout", channel="app") == ()
    trip.event("login", channel="app")
    assert trip.at == ("did", "done", "exit")
    assert trip.path[-1] == ("w", "did")


def test_wait_event_times_out():
    trip = Trip(WAIT_LOGIN)
    trip.enter()
    trip.wake()
    assert trip.at == ("late", "done", "exit")
    assert trip.path[-1] == ("w", "timeout")


def test_a_redelivered_event_is_taken_once():
    graph = journey(ENTRY, *(n(f"w{i}", "wait_event", event="login", within_seconds=86400) for i in (1, 2, 3)),
                    n("end", "exit"), edges="in>w1, w1 -did> w2, w2 -did> w3, w3 -did> end")
    trip = Trip(graph)
    trip.enter()
    first = EventSeen(name="login", at=T0 + HOUR, message_id="m1")
    trip.feed(first, at=T0 + HOUR)
    assert trip.at == ("w2", "waiting", "event:login")
    assert trip.feed(first) == ()
    trip.feed(EventSeen(name="login", at=T0 + 2 * HOUR, message_id="m2"))
    assert trip.at == ("w3", "waiting", "event:login")
    assert trip.feed(first) == ()  # redelivered out of order
    trip.feed(EventSeen(name="login", at=T0 + 3 * HOUR))  # no message id: name and time identify it
    assert trip.at == ("end", "done", "exit")


# --- AB分流 --------------------------------------------------------------------------------------------------------

AB = journey(ENTRY, n("ab", "ab_split", control="A", variants=[{"label": "A", "percent": 50},
                                                               {"label": "B", "percent": 50}]),
             n("a", "exit"), n("b", "exit"), edges="in>ab, ab -A> a, ab -B> b")


def test_ab_split_is_sticky_and_splits_by_the_shares():
    arms = Counter()
    for i in range(4000):
        trip = Trip(AB, customer=f"C{i:05d}")
        trip.enter()
        again = Trip(AB, customer=f"C{i:05d}")
        again.enter()
        assert trip.instance.variant == again.instance.variant
        assert trip.instance.context["variants"] == {"ab": trip.instance.variant}
        arms[trip.instance.variant] += 1
    assert abs(arms["A"] - 2000) < 200  # 5 standard deviations


def test_a_promoted_winner_takes_everyone():
    graph = AB.model_copy(deep=True)
    graph.nodes[1].winner = "B"  # type: ignore[union-attr]
    for i in range(50):
        trip = Trip(graph, customer=f"C{i}")
        trip.enter()
        assert trip.at == ("b", "done", "exit")


# --- 触达 and 触达结果判断 -------------------------------------------------------------------------------------------

RESULT = journey(
    ENTRY, PUSH, n("r", "result_split", send_node="push", wait_seconds=86400),
    n("clicked", "exit"), n("delivered", "exit"), n("failed", "exit"), n("other", "exit"),
    edges="in>push, push>r, r -clicked> clicked, r -delivered> delivered, r -failed> failed, r -else> other",
)


def test_result_split_waits_for_receipts_and_wakes_on_the_best_outcome():
    trip = Trip(RESULT)
    trip.enter()
    key = trip.pending
    trip.answer("accepted")
    assert trip.at == ("r", "waiting", f"receipt:{key}")
    trip.feed(Receipt(key=key, outcome="delivered", at=T0 + HOUR))
    assert trip.at == ("r", "waiting", f"receipt:{key}")  # a click may still come
    assert trip.feed(Receipt(key=key, outcome="delivered", at=T0 + HOUR)) == ()
    trip.feed(Receipt(key=key, outcome="clicked", at=T0 + 2 * HOUR))
    assert trip.at == ("clicked", "done", "exit")


def test_result_split_branches_on_the_best_outcome_when_the_wait_ends():
    trip = Trip(RESULT)
    trip.enter()
    key = trip.pending
    trip.answer("accepted")
    trip.feed(Receipt(key=key, outcome="opened", at=T0 + HOUR))  # no `opened` edge: counts as delivered
    trip.wake()
    assert trip.at == ("delivered", "done", "exit")


def test_receipts_update_the_send_while_the_customer_waits_elsewhere():
    graph = journey(ENTRY, PUSH, n("d", "delay", seconds=3600),
                    n("r", "result_split", send_node="push"), n("clicked", "exit"), n("other", "exit"),
                    edges="in>push, push>d, d>r, r -clicked> clicked, r -else> other")
    trip = Trip(graph)
    trip.enter()
    key = trip.pending
    trip.answer("accepted")
    trip.feed(Receipt(key=key, outcome="clicked", at=T0 + 60 * timedelta(seconds=1)))
    assert trip.instance.context["sends"]["push"]["outcome"] == "clicked"
    trip.wake()
    assert trip.at == ("clicked", "done", "exit")


@pytest.mark.parametrize(("outcome", "metric", "branch"), [
    ("suppressed", ("push", "suppressed", "cap_daily_channel"), "other"),
    ("unreachable", ("push", "suppressed", "no_address"), "other"),
    ("failed", ("push", "failed", "vendor_4xx"), "failed"),
    ("not_configured", ("push", "failed", "not_configured"), "failed"),
])
def test_a_send_that_goes_nowhere_is_counted_and_the_journey_goes_on(outcome, metric, branch):
    trip = Trip(RESULT)
    trip.enter()
    reason = {"not_configured": None}.get(outcome, metric[2])
    trip.answer(outcome, **({"reason": reason} if reason else {}))
    assert trip.counts()[metric] == 1
    assert trip.at == (branch, "done", "exit")  # a failure is final: no wait at the result split


def test_a_deferred_send_is_sent_again_with_the_same_key_at_the_deferral_time():
    trip = Trip(RESULT)
    trip.enter()
    key = trip.pending
    until = T0 + 12 * HOUR
    assert trip.answer("deferred", reason="quiet_hours", defer_until=until.isoformat()) == ()
    assert trip.at == ("push", "waiting", f"result:{key}")
    assert trip.instance.wake_at == until
    assert trip.feed(CommandResult(key=key, outcome="deferred", detail={"defer_until": until})) == ()  # redelivery
    again = trip.wake()
    assert [c.key for c in again if isinstance(c, SendMessage)] == [key]
    assert trip.instance.seq == 2 and trip.instance.wake_at is None
    trip.answer("accepted")
    assert trip.at == ("r", "waiting", f"receipt:{key}")


def test_holdout_walks_the_journey_without_any_effect_and_still_converts():
    graph = journey(ENTRY, PUSH, n("tag", "tag", tag="vip"), n("attr", "set_attribute", field="x", value=1),
                    n("gift", "benefit", benefit_id=4), n("hook", "webhook", url="https://bank.example/hook"),
                    n("rm", "rm_task", template_id=2), n("r", "result_split", send_node="push", wait_seconds=60),
                    n("d", "delay", seconds=60), n("g", "goal", event="buy"), n("else", "exit"),
                    edges="in>push, push>tag, tag>attr, attr>gift, gift>hook, hook>rm, rm>r, r -else> d, d>g")
    trip = Trip(graph, holdout=True)
    trip.enter()
    assert trip.effects == []
    assert trip.at == ("d", "waiting", "timer")  # the result split had no send to wait for
    trip.event("buy", after=30 * timedelta(seconds=1))
    assert trip.at == ("d", "done", "converted")


# --- other actions -----------------------------------------------------------------------------------------------


def test_tag_and_attribute_are_fire_and_forget_benefit_and_webhook_wait_for_their_result():
    graph = journey(ENTRY, n("tag", "tag", tag="vip", value="gold"), n("attr", "set_attribute", field="seg", value=2),
                    n("gift", "benefit", benefit_id=4),
                    n("hook", "webhook", url="https://bank.example/hook", include=["tier"]),
                    n("rm", "rm_task", template_id=2, due_days=5), n("end", "exit"),
                    edges="in>tag, tag>attr, attr>gift, gift>hook, hook>rm, rm>end")
    trip = Trip(graph, facts=Facts(attributes={"tier": "gold", "aum": 1}))
    cmds = trip.enter()
    assert [c for c in cmds if c.kind in EFFECT_KINDS] == [
        ChangeTag(key="7:tag:2", node="tag", tag="vip", action="add", value="gold"),
        ChangeAttribute(key="7:attr:3", node="attr", field="seg", value=2),
        GrantBenefit(key="7:gift:4", node="gift", benefit_id=4)]
    trip.answer("failed", reason="out_of_stock")
    assert trip.counts()[("gift", "failed", "out_of_stock")] == 1
    hook = next(c for c in trip.commands if isinstance(c, CallWebhook))
    assert hook.body["profile"] == {"tier": "gold"} and hook.body["customer_id"] == "C001"
    trip.answer("ok")
    assert isinstance(trip.commands[-1], CreateRmTask) and trip.commands[-1].due_days == 5
    trip.answer("accepted")
    assert trip.at == ("end", "done", "exit")


# --- control -----------------------------------------------------------------------------------------------------


def test_delay_holds_for_its_duration():
    trip = Trip(journey(ENTRY, n("d", "delay", seconds=7200), n("end", "exit"), edges="in>d, d>end"))
    trip.enter()
    assert (trip.at, trip.instance.wake_at) == (("d", "waiting", "timer"), T0 + 2 * HOUR)
    trip.wake()
    assert trip.at == ("end", "done", "exit")


@pytest.mark.parametrize(("config", "wake"), [
    ({"at": "20:00"}, T0 + 11 * HOUR),  # today 20:00 Shanghai
    ({"at": "08:00"}, T0 + 23 * HOUR),  # tomorrow
    ({"at": "09:00", "weekdays": [3]}, T0 + 2 * DAY),  # Wednesday
    ({"at": "09:00", "on_date": "2026-04-01"}, datetime(2026, 4, 1, 1, 0, tzinfo=UTC)),
    ({"at": "09:00", "on_date": "2026-01-01"}, None),  # in the past: pass at once
    ({"at": "09:00"}, None),  # exactly now
])
def test_wait_until_in_bank_time(config, wake):
    trip = Trip(journey(ENTRY, n("u", "wait_until", **config), n("end", "exit"), edges="in>u, u>end"))
    trip.enter()
    assert trip.instance.wake_at == wake
    assert trip.at == (("end", "done", "exit") if wake is None else ("u", "waiting", "timer"))


def test_wait_until_uses_the_strategy_time_zone():
    graph = journey(ENTRY, n("u", "wait_until", at="09:00"), n("end", "exit"), edges="in>u, u>end",
                    timezone="Europe/London")
    trip = Trip(graph)
    trip.enter()
    assert trip.instance.wake_at == T0 + 8 * HOUR  # 09:00 in London is 17:00 in Shanghai


def test_time_window_holds_until_it_opens_and_rechecks_a_late_timer():
    graph = journey(ENTRY, n("tw", "time_window", start="21:00", end="23:00"), n("end", "exit"),
                    edges="in>tw, tw>end")
    trip = Trip(graph)
    trip.enter()
    assert trip.instance.wake_at == T0 + 12 * HOUR
    late = T0 + 15 * HOUR  # 00:00 the next night: closed again
    assert trip.feed(TimerFired(at=T0 + 12 * HOUR), at=late) == ()
    assert trip.instance.wake_at == T0 + DAY + 12 * HOUR
    trip.wake()
    assert trip.at == ("end", "done", "exit")


def test_inside_a_midnight_window_the_customer_passes_at_once():
    graph = journey(ENTRY, n("tw", "time_window", start="21:00", end="09:00"), n("end", "exit"),
                    edges="in>tw, tw>end")
    trip = Trip(graph, at=T0 - 2 * HOUR)  # 07:00 Shanghai
    trip.enter()
    assert trip.at == ("end", "done", "exit")


RATE = {"limit": 100, "per": "day"}


def test_rate_limit_asks_for_quota_and_holds_until_the_next_day_when_refused():
    graph = journey(ENTRY, n("rl", "rate_limit", **RATE), n("end", "exit"), edges="in>rl, rl>end")
    trip = Trip(graph)
    asks = [c for c in trip.enter() if isinstance(c, AskQuota)]
    assert asks == [ AskQuota(key="7:rl:2", node="rl", limit=100, period_start=T0 - 9 * HOUR, per="day")]
    trip.answer("refused")
    assert (trip.at, trip.instance.wake_at) == (("rl", "waiting", "timer"), T0 + 15 * HOUR)  # Shanghai midnight
    again = [c for c in trip.wake() if isinstance(c, AskQuota)]
    assert again == [AskQuota(key="7:rl:3", node="rl", limit=100, period_start=T0 + 15 * HOUR, per="day")]
    trip.answer("granted")
    assert trip.at == ("end", "done", "exit")
    assert trip.counts()[("rl", "entered", None)] == 1


def test_rate_limit_overflow_exit():
    graph = journey(ENTRY, n("rl", "rate_limit", overflow="exit", **RATE), n("end", "exit"), edges="in>rl, rl>end")
    trip = Trip(graph)
    trip.enter()
    trip.answer("refused")
    assert trip.at == ("rl", "done", "rate_limited")


GOAL = journey(ENTRY, n("d", "delay", seconds=86400),
               n("g", "goal", event="fund_purchase", window_seconds=2 * 86400,
                 filters=[{"property": "amount", "op": "gte", "value": 1000}]),
               edges="in>d, d>g")


def test_a_goal_event_converts_the_customer_wherever_they_are():
    trip = Trip(GOAL)
    trip.enter()
    assert trip.event("fund_purchase", amount=10) == ()  # filters not met
    trip.event("fund_purchase", amount=5000)
    assert trip.at == ("d", "done", "converted")
    assert trip.counts()[("g", "converted", None)] == 1
    assert trip.counts()[("d", "exited", "converted")] == 0  # converted, not also exited


def test_a_goal_event_outside_the_window_does_not_convert():
    trip = Trip(GOAL)
    trip.enter()
    trip.wake()
    assert trip.at == ("g", "waiting", "event:fund_purchase")
    assert trip.instance.wake_at == T0 + 2 * DAY
    assert trip.feed(EventSeen(name="fund_purchase", at=T0 - HOUR, properties={"amount": 5000})) == ()
    trip.wake()
    assert trip.at == ("g", "done", "not_converted")


# --- smart -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("node", "facts", "branch"), [
    ({"min_score": 0.7}, Facts(scores={"fund_purchase": 0.71}), "high"),
    ({"min_score": 0.7}, Facts(scores={"fund_purchase": 0.69}), "else"),
    # Top N%: the customer's stored place from the top of the bank's ranking, in percent, against the node's N.
    ({"top_percent": 10}, Facts(scores={"fund_purchase": 0.4}, score_ranks={"fund_purchase": 9.5}), "high"),
    ({"top_percent": 10}, Facts(scores={"fund_purchase": 0.4}, score_ranks={"fund_purchase": 10.0}), "high"),
    ({"top_percent": 10}, Facts(scores={"fund_purchase": 0.3}, score_ranks={"fund_purchase": 10.5}), "else"),
    ({"top_percent": 30}, Facts(scores={"fund_purchase": 0.3}, score_ranks={"fund_purchase": 10.5}), "high"),
    ({"top_percent": 10}, Facts(scores={"fund_purchase": 0.9}), "else"),  # not ranked yet
    ({"top_percent": 10}, Facts(score_ranks={"loan_apply": 1.0}), "else"),  # ranked for another event only
    ({"min_score": 0.1}, Facts(), "else"),  # unknown score
])
def test_propensity(node, facts, branch):
    graph = journey(ENTRY, n("p", "propensity", target_event="fund_purchase", **node), n("high", "exit"),
                    n("else", "exit"), edges="in>p, p -high> high, p -else> else")
    assert branch_taken(graph, facts) == branch


@pytest.mark.parametrize(("best_hour", "wake"), [(20, T0 + 11 * HOUR), (None, T0 + HOUR), (9, None)])
def test_best_time_holds_until_the_customers_hour(best_hour, wake):
    graph = journey(ENTRY, n("bt", "best_time", default_hour=10), n("end", "exit"), edges="in>bt, bt>end")
    trip = Trip(graph, facts=Facts(best_hour=best_hour))
    trip.enter()
    assert trip.instance.wake_at == wake


# --- entry rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reentry", "previous", "expected"), [
    (Reentry(policy="once"), [], True),
    (Reentry(policy="once"), [(T0 - DAY, False)], False),
    (Reentry(policy="always"), [(T0 - DAY, False)], True),
    (Reentry(policy="always"), [(T0 - DAY, True)], False),  # one at a time by default
    (Reentry(policy="always", max_concurrent=2), [(T0 - DAY, True)], True),
    (Reentry(policy="cooldown", cooldown_seconds=7 * 86400), [(T0 - 6 * DAY, False)], False),
    (Reentry(policy="cooldown", cooldown_seconds=7 * 86400), [(T0 - 7 * DAY, False), (T0 - 30 * DAY, False)], True),
])
def test_may_enter(reentry, previous, expected):
    assert may_enter(reentry, previous=previous, now=T0) is expected


def test_holdout_is_sticky_and_about_the_share():
    chosen = [enters_holdout(f"C{i}", 3, 10) for i in range(5000)]
    assert chosen == [enters_holdout(f"C{i}", 3, 10) for i in range(5000)]
    assert 400 < sum(chosen) < 600
    assert not any(enters_holdout(f"C{i}", 3, 0) for i in range(100))


def test_event_matches():
    from mofang.insight.segments.contracts import PropertyFilter

    filters = [PropertyFilter(property="product.type", op="in", value=["fund", "bond"]),
               PropertyFilter(property="amount", op="gt", value=100)]
    assert event_matches(filters, {"product": {"type": "fund"}, "amount": 150})
    assert not event_matches(filters, {"product": {"type": "fund"}, "amount": "150"})
    assert not event_matches(filters, {"amount": 150})
    assert event_matches([], {})


def test_a_cycle_without_a_wait_is_stopped_instead_of_spinning():
    graph = journey(ENTRY, n("t", "tag", tag="seen"), n("tw", "time_window", start="00:00", end="00:00"),
                    edges="in>t, t>tw, tw>t")  # validation rejects this; the engine still must not hang
    trip = Trip(graph)
    trip.enter()
    assert trip.instance.status == "done" and trip.instance.exit_reason == "failed"
    counts = trip.counts()
    assert counts[("in", "entered", None)] == 1 == sum(v for k, v in counts.items() if k[1] == "exited")


def test_naive_times_from_sqlite_are_read_as_utc():
    graph = journey(ENTRY, n("d", "delay", seconds=60), n("end", "exit"), edges="in>d, d>end")
    trip = Trip(graph, at=T0.replace(tzinfo=None))
    trip.feed(Enter(), at=T0.replace(tzinfo=None))
    assert trip.instance.wake_at == T0 + timedelta(seconds=60)
    naive_wait = replace(trip.instance, wake_at=trip.instance.wake_at.replace(tzinfo=None))
    step = advance(naive_wait, TimerFired(at=(T0 + timedelta(seconds=60)).replace(tzinfo=None)), T0 + HOUR,
                   graph=graph, facts=Facts())
    assert step.instance.status == "done"


def test_an_instance_at_a_node_missing_from_its_graph_fails_on_its_next_timer():
    trip = Trip(journey(ENTRY, n("d", "delay", seconds=60), edges="in>d"))
    trip.enter()
    other = journey(ENTRY, n("x", "exit"), edges="in>x")
    step = advance(trip.instance, TimerFired(at=T0 + HOUR), T0 + HOUR, graph=other, facts=Facts())
    assert (step.instance.status, step.instance.exit_reason) == ("done", "failed")

"""Moving an instance through the graph within one step: arriving at nodes, leaving by labels, waiting, exiting.

`Run` is the mutable scratch state of one `advance` call; it turns back into a frozen `Instance` at the end.
Every node arrived at is a new step of `seq`; the commands emitted there carry the key `<instance>:<node>:<seq>`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from mofang.strategy.canvas.contracts import (
    AbSplit,
    ApiEntry,
    BestTime,
    ConditionSplit,
    Delay,
    EventEntry,
    Exit,
    Goal,
    Graph,
    IssueBenefit,
    Node,
    Propensity,
    RateLimit,
    ResultSplit,
    RmTask,
    SegmentEntry,
    Send,
    SetAttribute,
    SetTag,
    TimeWindow,
    WaitEvent,
    WaitUntil,
    Webhook,
)
from mofang.strategy.engine.conditions import holds
from mofang.strategy.engine.contracts import (
    AskQuota,
    CallWebhook,
    ChangeAttribute,
    ChangeTag,
    Command,
    Count,
    CreateRmTask,
    ExitReason,
    Facts,
    GrantBenefit,
    Instance,
    SendMessage,
    Step,
)
from mofang.strategy.engine.outcomes import decided, result_label
from mofang.strategy.engine.timing import (
    best_time_wake,
    local_date,
    next_time_of_day,
    on_date_at,
    period_start,
    utc,
    window_opens,
    zone,
)
from mofang.strategy.engine.values import iso, jsonable, parse_instant
from mofang.strategy.experiments import assign_variant

# A cycle is only valid through a wait, which ends the step; this bounds a walk the validation let through anyway.
MAX_HOPS = 1000
# Commands that touch the customer or the bank's systems: a holdout instance never emits these.
EFFECT_KINDS = frozenset({"send", "benefit", "tag", "set_attribute", "webhook", "rm_task"})


@dataclass(frozen=True)
class Index:
    """A graph looked up by node and by (source, label)."""

    nodes: Mapping[str, Node]
    edges: Mapping[tuple[str, str], str]
    labels: Mapping[str, frozenset[str]]
    goals: tuple[Goal, ...]
    tz: ZoneInfo


_INDEXES: dict[int, tuple[Graph, Index]] = {}
_INDEXES_MAX = 256


def index(graph: Graph) -> Index:
    """The lookups `advance` needs, memoised per graph object (a published version's graph is never mutated)."""
    hit = _INDEXES.get(id(graph))
    if hit is not None and hit[0] is graph:  # the entry holds the graph, so its id cannot be reused meanwhile
        return hit[1]
    if len(_INDEXES) >= _INDEXES_MAX:
        _INDEXES.clear()  # atomic under the GIL, unlike evicting one entry while another thread inserts
    built = build_index(graph)
    _INDEXES[id(graph)] = (graph, built)
    return built


def build_index(graph: Graph) -> Index:
    """The lookups of a graph (the first edge of a duplicated label wins)."""
    edges: dict[tuple[str, str], str] = {}
    labels: dict[str, set[str]] = {}
    for e in graph.edges:
        edges.setdefault((e.source, e.label), e.target)
        labels.setdefault(e.source, set()).add(e.label)
    return Index(nodes={n.id: n for n in graph.nodes}, edges=edges,
                 labels={k: frozenset(v) for k, v in labels.items()},
                 goals=tuple(n for n in graph.nodes if isinstance(n, Goal)), tz=zone(graph.settings.timezone))


_LEAVES = frozenset({str, int, float, bool, type(None), datetime, date})


def thaw(value: Any) -> Any:
    """A deep copy of a JSON-shaped value the step may change (several times cheaper than `copy.deepcopy`)."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _LEAVES else thaw(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _LEAVES else thaw(v) for v in value]
    if kind in _LEAVES:
        return value
    return copy.deepcopy(value)  # anything else (a set, a tuple …): the general copy


class Run:
    """The scratch state of one step."""

    def __init__(self, instance: Instance, now: datetime, ix: Index, facts: Facts) -> None:
        self.instance, self.now, self.ix, self.facts = instance, utc(now), ix, facts
        self.node, self.seq, self.status = instance.node, instance.seq, instance.status
        self.wake_at = utc(instance.wake_at) if instance.wake_at is not None else None
        self.waiting_for = instance.waiting_for
        self.exit_reason: ExitReason | None = instance.exit_reason
        self.variant, self.converted_at = instance.variant, instance.converted_at
        self.ctx: dict[str, Any] = thaw(dict(instance.context))
        self.commands: list[Command] = []

    # --- bookkeeping ---------------------------------------------------------------------------------------------

    def key(self) -> str:
        """The idempotency key of a command emitted at the current step."""
        return f"{self.instance.id}:{self.node}:{self.seq}"

    def count(self, node: str, metric: str, label: str | None = None) -> None:
        self.commands.append(Count(node=node, metric=metric, label=label))

    def emit(self, command: Command) -> None:
        self.commands.append(command)

    def arrive(self, node_id: str) -> None:
        self.seq += 1
        self.node, self.status, self.wake_at, self.waiting_for = node_id, "active", None, None
        self.count(node_id, "entered")

    def wait(self, *, on: str, until: datetime | None = None) -> None:
        self.status, self.wake_at, self.waiting_for = "waiting", until, on

    def exit(self, reason: ExitReason) -> None:
        if self.seq > 0:  # an instance that never entered was never counted in
            self.count(self.node, "exited", reason)
        self.status, self.exit_reason, self.wake_at, self.waiting_for = "done", reason, None, None

    def convert(self, goal: str, at: datetime) -> None:
        self.count(goal, "converted")
        self.status, self.exit_reason, self.wake_at, self.waiting_for = "done", "converted", None, None
        self.converted_at = at

    def step(self) -> Step:
        inst = replace(self.instance, node=self.node, status=self.status, wake_at=self.wake_at,
                       waiting_for=self.waiting_for, seq=self.seq, exit_reason=self.exit_reason,
                       variant=self.variant, converted_at=self.converted_at, context=self.ctx)
        return Step(instance=inst, commands=tuple(self.commands))

    # --- moving ---------------------------------------------------------------------------------------------------

    def go(self, node_id: str) -> None:
        """Arrive at a node and keep moving until the instance must wait or is done."""
        target: str | None = node_id
        hops = 0
        while target is not None:
            hops += 1
            node = self.ix.nodes.get(target)
            if node is None:  # only an entry can be missing here: `leave` checks every other target
                self.exit("failed")
                return
            self.arrive(target)
            if hops > MAX_HOPS:  # a cycle without a wait: stop it rather than spin
                self.exit("failed")
                return
            label = visit(self, node)
            target = self.leave(label) if label is not None else None

    def leave(self, label: str) -> str | None:
        """Take the out-edge of the current node with this label; no such edge (or node): the journey ends here."""
        target = self.ix.edges.get((self.node, label))
        if target is None or target not in self.ix.nodes:
            self.exit("exit" if target is None else "failed")
            return None
        self.count(self.node, "passed", label)
        return target

    def follow(self, label: str) -> None:
        """Leave the current node by a label and move on."""
        target = self.leave(label)
        if target is not None:
            self.go(target)

    @property
    def today(self) -> date:
        return local_date(self.now, self.ix.tz)

    @property
    def trigger(self) -> Mapping[str, Any]:
        trigger = self.ctx.get("trigger")
        return trigger if isinstance(trigger, Mapping) else {}


# --- what each node does when the instance arrives -------------------------------------------------------------


def visit(run: Run, node: Node) -> str | None:
    """Do the node's work; the label to leave by, or None when the instance now waits or is done."""
    now, tz = run.now, run.ix.tz
    match node:
        case SegmentEntry() | EventEntry() | ApiEntry():
            return "next"
        case ConditionSplit():
            for branch in node.branches:
                if holds(branch.condition, facts=run.facts, trigger=run.trigger, today=run.today, tz=tz):
                    return branch.label
            return "else"
        case WaitEvent():
            run.wait(on=f"event:{node.event}", until=now + timedelta(seconds=node.within_seconds))
            return None
        case AbSplit():
            label = node.winner or assign_variant(
                run.instance.customer_id, f"{run.instance.strategy_id}:{node.id}",
                [(v.label, v.percent) for v in node.variants])
            run.variant = label
            run.ctx.setdefault("variants", {})[node.id] = label
            return label
        case ResultSplit():
            return arrive_result_split(run, node)
        case Delay():
            run.wait(on="timer", until=now + timedelta(seconds=node.seconds))
            return None
        case WaitUntil():
            due = on_date_at(node.on_date, node.at, tz) if node.on_date else next_time_of_day(
                now, node.at, node.weekdays, tz)
            return "next" if due <= now else run.wait(on="timer", until=due)
        case TimeWindow():
            opens = window_opens(now, node.start, node.end, node.weekdays, tz)
            return "next" if opens is None else run.wait(on="timer", until=opens)
        case RateLimit():
            ask_quota(run, node)
            return None
        case Goal():
            if node.id in run.ctx.get("goals", {}):
                run.convert(node.id, parse_instant(run.ctx["goals"][node.id]) or now)
                return None
            closes = utc(run.instance.entered_at) + timedelta(seconds=node.window_seconds)
            if closes <= now:
                run.exit("not_converted")
                return None
            return run.wait(on=f"event:{node.event}", until=closes)
        case Exit():
            run.exit("exit")
            return None
        case Send() | RmTask() | IssueBenefit() | Webhook():
            if run.instance.holdout:
                return "next"
            key = run.key()
            run.emit(effect(run, node, key))
            if isinstance(node, Send | RmTask):
                run.ctx.setdefault("sends", {})[node.id] = {"key": key, "outcome": None}
            return run.wait(on=f"result:{key}")
        case SetTag() | SetAttribute():
            if not run.instance.holdout:
                run.emit(effect(run, node, run.key()))
                # The profile changes when the command is carried out; the nodes this same step walks on to
                # must already see the change (a later step reads it from the profile).
                run.facts = changed_facts(run.facts, node)
            return "next"
        case Propensity():
            return "high" if is_high_propensity(node, run.facts) else "else"
        case BestTime():
            hour = run.facts.best_hour if run.facts.best_hour is not None else node.default_hour
            wake = best_time_wake(now, hour, node.max_wait_seconds, tz)
            return "next" if wake is None else run.wait(on="timer", until=wake)
        case _:
            assert_never(node)


def is_high_propensity(node: Propensity, facts: Facts) -> bool:
    """Whether the customer passes 高潜筛选: score ≥ the node's minimum, or rank within its top N% (unknown: no)."""
    if node.min_score is not None:
        score = facts.scores.get(node.target_event)
        return score is not None and score >= node.min_score
    rank = facts.score_ranks.get(node.target_event)
    return rank is not None and node.top_percent is not None and rank <= node.top_percent


def changed_facts(facts: Facts, node: SetTag | SetAttribute) -> Facts:
    """The facts after a tag or attribute change (as the profile will hold them: a tag keeps several values)."""
    if isinstance(node, SetAttribute):
        return replace(facts, attributes={**facts.attributes, node.field: node.value})
    current = facts.tags.get(node.tag)
    have = [] if current is None else list(current) if isinstance(current, list) else [current]
    if node.action == "add":
        want = True if node.value is None else node.value
        have = have if want in have else [*have, want]
    else:
        have = [] if node.value is None else [v for v in have if v != node.value]
    tags = {k: v for k, v in facts.tags.items() if k != node.tag}
    if have:
        tags[node.tag] = have[0] if len(have) == 1 else have
    return replace(facts, tags=tags)


def effect(run: Run, node: Send | RmTask | IssueBenefit | Webhook | SetTag | SetAttribute, key: str) -> Command:
    """The effect command of an action node under a key (a deferred send is emitted again with its first key)."""
    match node:
        case Send():
            return SendMessage(key=key, node=node.id, channel=node.channel, template_id=node.template_id,
                               purpose=node.purpose, product_id=node.product_id, variables=dict(run.trigger),
                               product_risk=node.product_risk)
        case RmTask():
            return CreateRmTask(key=key, node=node.id, template_id=node.template_id, due_days=node.due_days)
        case IssueBenefit():
            return GrantBenefit(key=key, node=node.id, benefit_id=node.benefit_id)
        case Webhook():
            inst = run.instance
            body = {"strategy_id": inst.strategy_id, "version": inst.version, "instance_id": inst.id,
                    "customer_id": inst.customer_id, "node": node.id, "at": iso(run.now), "variant": run.variant,
                    "profile": {f: jsonable(run.facts.attributes.get(f)) for f in node.include}}
            return CallWebhook(key=key, node=node.id, url=node.url, body=body)
        case SetTag():
            return ChangeTag(key=key, node=node.id, tag=node.tag, action=node.action, value=node.value)
        case SetAttribute():
            return ChangeAttribute(key=key, node=node.id, field=node.field, value=node.value)
        case _:
            assert_never(node)


def ask_quota(run: Run, node: RateLimit) -> None:
    """Ask for a pass in the current period (a new key each time: each ask is answered on its own)."""
    key = run.key()
    run.emit(AskQuota(key=key, node=node.id, limit=node.limit, period_start=period_start(run.now, node.per, run.ix.tz),
                      per=node.per))
    run.wait(on=f"result:{key}")


# --- 触达结果判断 ------------------------------------------------------------------------------------------------


def arrive_result_split(run: Run, node: ResultSplit) -> str | None:
    """Branch now when the outcome is final (or no wait is set), else wait for receipts up to `wait_seconds`."""
    labels = run.ix.labels.get(node.id, frozenset())
    sent = run.ctx.get("sends", {}).get(node.send_node)
    if sent is None:  # never sent on this path (or a holdout): nothing will come
        return "else"
    outcome = sent.get("outcome")
    if node.wait_seconds == 0 or decided(outcome, labels):
        return result_label(outcome, labels)
    return run.wait(on=f"receipt:{sent['key']}", until=run.now + timedelta(seconds=node.wait_seconds))

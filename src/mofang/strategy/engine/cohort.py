"""Cohort stepping: one `advance` for many instances in the same state, the others' steps stamped from it.

Instances of one version at the same node with the same context, fed the same stimulus, take the same step up to
their own id and customer: the keys `<id>:<node>:<seq>` carry the id, nothing else does — unless the step passes a
node that reads the customer (an AB split without a winner hashes the customer id, condition splits, 高潜筛选 and
最佳时机 read the facts, a webhook sends the profile). So `shape` is the state with the instance's own id taken out
of its keys, and `stamp` gives a member the representative's step with the id put back, used only when every node
the representative's step touched is one of `CUSTOMER_FREE`. Pure: the property tests check `stamp` against
`advance` itself for random graphs and states.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import orjson

from mofang.strategy.canvas import contracts as nodes
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine.contracts import CommandResult, Count, Enter, Instance, Step, Stimulus, TimerFired
from mofang.strategy.engine.walk import index

# Node kinds whose work depends only on the state, the stimulus, the time and the graph (an AB split only with a
# winner). A kind that is not listed (a new one too) is stepped customer by customer: being left out costs speed,
# never correctness.
CUSTOMER_FREE = (nodes.SegmentEntry, nodes.EventEntry, nodes.ApiEntry, nodes.Send, nodes.RmTask, nodes.IssueBenefit,
                 nodes.SetTag, nodes.SetAttribute, nodes.Delay, nodes.WaitUntil, nodes.TimeWindow, nodes.RateLimit,
                 nodes.Goal, nodes.Exit, nodes.ResultSplit, nodes.WaitEvent, nodes.AbSplit)
_MARK = b'"\x00:'  # orjson escapes control characters, so this never occurs in its output
_ANY_KEY = re.compile(rb'"[0-9]+:')  # a string (or key) starting like some instance's `<id>:`


def _stimulus(stimulus: Stimulus) -> list[Any] | None:
    match stimulus:
        case Enter():
            return ["enter", stimulus.payload]
        case CommandResult():
            # `advance` reads only these of a result's detail (a delivery id differs per message and is not read).
            d = stimulus.detail
            return ["result", stimulus.key, stimulus.outcome, d.get("reason"), d.get("defer_until")]
        case TimerFired():
            return ["timer", stimulus.at]
        case _:
            return None  # events and receipts are matched against the context one by one


def shape(instance: Instance, stimulus: Stimulus) -> bytes | None:
    """The instance's state and stimulus with its own id taken out of its keys (None: step it alone).

    Strings starting with `<id>:` become a marker — anchored at the start of a string, so a time like "12:30" in a
    payload only matches instance 12, whose cohort then only holds instances with "<their id>:30" there.
    """
    raw = _raw(instance, stimulus)
    return None if raw is None else raw.replace(b'"%d:' % instance.id, _MARK)


def shared_shape(instance: Instance, stimulus: Stimulus) -> bytes | None:
    """`shape` when it is the same whatever the instance's id (no string starts like `<digits>:`), else None.

    An entry computes it once for the customers entering alike (same node, holdout and payload), not per customer.
    """
    raw = _raw(instance, stimulus)
    return None if raw is None or _ANY_KEY.search(raw) else raw


def _raw(instance: Instance, stimulus: Stimulus) -> bytes | None:
    stim = _stimulus(stimulus)
    if stim is None:
        return None
    kind, _, rest = (instance.waiting_for or "").partition(":")
    try:
        raw = orjson.dumps([instance.strategy_id, instance.version, instance.entry_node, instance.entered_at,
                            instance.node, instance.status, instance.wake_at, kind, rest, instance.seq,
                            instance.exit_reason, instance.variant, instance.holdout, instance.converted_at,
                            instance.context, stim])
    except TypeError:  # a value orjson does not take (a set, a non-text key): the plain path copes
        return None
    return raw


def customer_free(graph: Graph, before: Instance, step: Step) -> bool:
    """Whether a step touched only nodes that do not read the customer (where it was, and each node it arrived at)."""
    by_id = index(graph).nodes
    touched = {before.node, *(c.node for c in step.commands if isinstance(c, Count) and c.metric == "entered")}
    for node_id in touched:
        node = by_id.get(node_id)
        if not isinstance(node, CUSTOMER_FREE) or (isinstance(node, nodes.AbSplit) and node.winner is None):
            return False
    return True


def _rename(value: Any, old: str, new: str) -> Any:
    """`value` with strings starting with `old` starting with `new` instead (unchanged parts shared, not copied)."""
    kind = type(value)
    if kind is str:
        return new + value[len(old):] if value.startswith(old) else value
    if kind is dict:
        items, changed = [], False
        for k, v in value.items():
            k2, v2 = _rename(k, old, new), _rename(v, old, new)
            changed = changed or k2 is not k or v2 is not v
            items.append((k2, v2))
        return dict(items) if changed else value
    if kind is list or kind is tuple:
        renamed = [_rename(v, old, new) for v in value]
        return value if all(a is b for a, b in zip(renamed, value, strict=True)) else kind(renamed)
    return value


def rename_json(text: str, old: str, new: str) -> str:
    """JSON text of a representative's value as a member's: strings starting with `old` start with `new` instead."""
    return text.replace('"' + old, '"' + new)


_FIELDS: dict[type, tuple[str, ...]] = {}


def stamp(template: Instance, step: Step, member: Instance) -> Step:
    """The step `member` takes, from `template`'s `step` (same shape, same stimulus, a customer-free step)."""
    old, new = f"{template.id}:", f"{member.id}:"
    after = step.instance
    kind, sep, rest = (after.waiting_for or "").partition(":")
    waiting = None if after.waiting_for is None else kind + sep + _rename(rest, old, new)
    inst = dataclasses.replace(after, id=member.id, customer_id=member.customer_id, waiting_for=waiting,
                               context=_rename(after.context, old, new))
    commands = []
    for c in step.commands:
        if isinstance(c, Count):
            commands.append(c)  # frozen, and the same for every member
            continue
        names = _FIELDS.get(type(c))
        if names is None:
            names = _FIELDS.setdefault(type(c), tuple(f.name for f in dataclasses.fields(c)))
        changed = {n: v2 for n in names if (v2 := _rename(v := getattr(c, n), old, new)) is not v}
        commands.append(dataclasses.replace(c, **changed) if changed else c)
    return Step(instance=inst, commands=tuple(commands))

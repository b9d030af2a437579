"""The executor: apply stimuli to locked instance rows with `advance`, and save the step in the same transaction.

One call saves, atomically: the new instance state, its commands in the outbox (ignored when their key is
already there) and its statistics increments. A crash before commit loses nothing (the stimulus is redelivered:
the timer is still due, the event still unacked, the command still pending); a crash after commit repeats
nothing (the stimulus is gone, and replayed commands carry the same keys).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.storage.models import as_utc
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.contracts import Count, Facts, Instance, Stimulus
from mofang.strategy.engine.service.facts import EMPTY
from mofang.strategy.engine.service.runtime import Runtime
from mofang.strategy.engine.values import jsonable

log = logging.getLogger("mofang.engine")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value).astimezone(UTC)


def to_instance(row: Any) -> Instance:
    """The engine's view of a stored row."""
    return Instance(
        id=row.id, strategy_id=row.strategy_id, version=row.version, customer_id=row.customer_id,
        entry_node=row.entry_node, entered_at=as_utc(row.entered_at), node=row.node, status=row.status,
        wake_at=_utc(row.wake_at), waiting_for=row.waiting_for, seq=row.seq, exit_reason=row.exit_reason,
        variant=row.variant, holdout=bool(row.holdout), converted_at=_utc(row.converted_at),
        context=dict(row.context or {}),
    )


@dataclasses.dataclass
class Pending:
    """Instances loaded for stepping, with where they belong (org for scoped counts)."""

    instance: Instance
    org_code: str | None


_FIELDS: dict[type, tuple[str, ...]] = {}


def _command_row(cmd: Any, inst: Instance, org_code: str | None, graph: Graph, now: datetime) -> dict[str, Any]:
    """An outbox row; `org_code` is the owner org of the strategy (the contact policy and reach logs read it)."""
    names = _FIELDS.get(type(cmd))
    if names is None:
        names = _FIELDS.setdefault(type(cmd), tuple(f.name for f in dataclasses.fields(cmd)
                                                    if f.name not in ("kind", "key")))
    payload = {n: jsonable(getattr(cmd, n)) for n in names}
    # Everything the dispatcher needs travels with the command, so carrying it out needs no other row.
    payload["_route"] = {"customer_id": inst.customer_id, "strategy_id": inst.strategy_id, "version": inst.version,
                         "org_code": org_code, "business_line": graph.settings.business_line,
                         "priority": graph.settings.priority}
    return {"key": cmd.key, "instance_id": inst.id, "kind": cmd.kind, "payload": payload, "status": "pending",
            "attempts": 0, "next_attempt_at": now, "result": None, "created_at": now, "done_at": None}


def _instance_row(inst: Instance, *, now: datetime, worker: str) -> dict[str, Any]:
    wake_at = inst.wake_at
    if inst.status == "active" and wake_at is None:
        wake_at = now  # still moving: the timer loop takes it on at once
    return {"id": inst.id, "node": inst.node, "status": inst.status, "wake_at": wake_at,
            "waiting_for": inst.waiting_for, "seq": inst.seq, "exit_reason": inst.exit_reason,
            "variant": inst.variant, "holdout": inst.holdout, "converted_at": inst.converted_at,
            # The step keeps its context JSON-shaped; the writer turns any stray date into text (no deep copy here).
            "context": inst.context if isinstance(inst.context, dict) else dict(inst.context),
            "lease_owner": worker, "lease_until": None, "updated_at": now}


@dataclasses.dataclass
class Stepped:
    """The rows one batch of steps writes: instance states, outbox commands, statistics increments."""

    updates: list[dict[str, Any]]
    commands: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    saved: list[Instance]


def apply(session: Session, rt: Runtime, items: Sequence[tuple[Pending, Sequence[Stimulus]]], *, now: datetime,
          facts: Mapping[str, Facts] | None = None, relevant: Any = None) -> list[Instance]:
    """Step each instance through its stimuli in order and save everything in the caller's transaction.

    `relevant(instance, stimulus)` may skip a stimulus the instance no longer waits for (decided after each step).
    Returns the instances as saved.
    """
    if not items:
        return []
    out = step_all(session, rt, items, now=now, facts=facts, relevant=relevant)
    repo.update_instances(session, out.updates)
    repo.insert_commands(session, out.commands)
    repo.insert_steps(session, out.steps)
    return out.saved


def step_all(session: Session, rt: Runtime, items: Sequence[tuple[Pending, Sequence[Stimulus]]], *, now: datetime,
             facts: Mapping[str, Facts] | None = None, relevant: Any = None) -> Stepped:
    """Run `advance` over the items and build the rows to write (nothing is written here)."""
    advance = rt.step()
    if facts is None:
        facts = rt.facts.facts_of(session=session, customer_ids={p.instance.customer_id for p, _ in items})
    updates: list[dict[str, Any]] = []
    commands: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    saved: list[Instance] = []
    for pending, stimuli in items:
        inst = pending.instance
        graph = rt.graph(session, inst.strategy_id, inst.version)
        owner = rt.owner_org(session, inst.strategy_id, inst.version)
        for stimulus in stimuli:
            if inst.status == "done" or (relevant is not None and not relevant(inst, stimulus)):
                continue
            seq = inst.seq
            try:
                step = advance(inst, stimulus, now, graph=graph, facts=facts.get(inst.customer_id, EMPTY))
            except Exception:  # one broken journey must not hold up the others: it ends as failed
                log.exception("advance failed for instance %s at %s", inst.id, inst.node)
                steps.append(_step_row(Count(node=inst.node, metric="failed", label="error"), inst, pending, seq,
                                       now))
                inst = dataclasses.replace(inst, status="done", exit_reason="failed", wake_at=None,
                                           waiting_for=None, seq=inst.seq + 1)
                continue
            for cmd in step.commands:
                if isinstance(cmd, Count):
                    steps.append(_step_row(cmd, inst, pending, seq, now))
                else:
                    commands.append(_command_row(cmd, inst, owner, graph, now))
            inst = step.instance
        updates.append(_instance_row(inst, now=now, worker=rt.worker_id))
        saved.append(inst)
    return Stepped(updates=updates, commands=commands, steps=steps, saved=saved)


def _step_row(cmd: Count, inst: Instance, pending: Pending, seq: int, now: datetime) -> dict[str, Any]:
    return {"instance_id": inst.id, "strategy_id": inst.strategy_id, "version": inst.version,
            "org_code": pending.org_code, "seq": seq, "node": cmd.node, "metric": cmd.metric,
            "label": cmd.label or "", "at": now}


def pending_of(rows: Sequence[Any]) -> list[Pending]:
    """Loaded rows as instances to step."""
    return [Pending(instance=to_instance(r), org_code=r.org_code) for r in rows]

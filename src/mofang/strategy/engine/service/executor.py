"""The executor: apply stimuli to locked instance rows with `advance`, and save the step in the same transaction.

One call saves, atomically: the new instance state, its commands in the outbox (ignored when their key is
already there) and its statistics increments. A crash before commit loses nothing (the stimulus is redelivered:
the timer is still due, the event still unacked, the command still pending); a crash after commit repeats
nothing (the stimulus is gone, and replayed commands carry the same keys).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from mofang.platform.storage.models import as_utc
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.batches import BATCH, batch_key, batch_tail
from mofang.strategy.engine.cohort import customer_free, rename_json, shape
from mofang.strategy.engine.contracts import Count, Facts, Instance, Stimulus
from mofang.strategy.engine.repository.queries import Encoded, encode_json
from mofang.strategy.engine.service.facts import EMPTY
from mofang.strategy.engine.service.runtime import Runtime
from mofang.strategy.engine.values import jsonable

log = logging.getLogger("mofang.engine")
# Members per batch row: a dispatcher's batch reads, carries out and finishes about this many at once.
BATCH_MEMBERS = 500


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
    rm_id: str | None = None


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
    """The rows one batch of steps writes: instance states (with their trail), outbox commands, counts.

    `was[i]` is `updates[i]`'s seq before the step; `counted[i]` is what it counts: (instance id, count keys
    without the branch and RM, org, RM).
    """

    updates: list[dict[str, Any]]
    was: list[int]
    commands: list[dict[str, Any]]  # of instances stepped alone; cohorts' commands are in `stamps`
    counted: list[tuple[int, tuple[tuple[int, int, str, str, str], ...], str | None, str | None]]
    stamps: list[_Stamp] = dataclasses.field(default_factory=list)
    # With `share`, cohort members' rows are not made here: `alike` holds (the representative's row, its id
    # prefix "<id>:", the members' ids, their seq before the step), saved by one UPDATE … WHERE id IN.
    share: bool = False
    alike: list[tuple[dict[str, Any], str, list[int], int]] = dataclasses.field(default_factory=list)

    def command_rows(self, only: set[int] | None = None) -> list[dict[str, Any]]:
        """The outbox rows to insert (of the instances in `only`, when given): a cohort's command is one row."""
        rows = [c for c in self.commands if only is None or c["instance_id"] in only]
        for s in self.stamps:
            s.command_rows(rows, only)
        return rows

    def counts(self, only: set[int] | None = None) -> dict[repo.CountKey, int]:
        """The counters to add (of the instances in `only`, when given)."""
        tally: Counter[tuple[Any, ...]] = Counter(
            (keys, org, rm) for iid, keys, org, rm in self.counted if keys and (only is None or iid in only))
        out: dict[repo.CountKey, int] = {}
        for (keys, org, rm), n in tally.items():
            for k in keys:
                key = (*k, org or "", rm or "")
                out[key] = out.get(key, 0) + n  # type: ignore[index]
        return out


def apply(session: Session, rt: Runtime, items: Sequence[tuple[Pending, Sequence[Stimulus]]], *, now: datetime,
          facts: Mapping[str, Facts] | None = None, relevant: Any = None) -> None:
    """Step each instance through its stimuli in order and save everything in the caller's transaction.

    `relevant(instance, stimulus)` may skip a stimulus the instance no longer waits for (decided after each step).
    """
    if not items:
        return
    out = step_all(session, rt, items, now=now, facts=facts, relevant=relevant, share=True)
    repo.update_instances(session, out.updates, out.was)
    for row, old, ids, was in out.alike:
        repo.update_instances_alike(session, row, ids, was, old=old)
    repo.insert_commands(session, out.command_rows())
    repo.add_counts(session, out.counts(), slot=rt.count_slot)


def step_all(session: Session, rt: Runtime, items: Sequence[tuple[Pending, Sequence[Stimulus]]], *, now: datetime,
             facts: Mapping[str, Facts] | None = None, relevant: Any = None, share: bool = False,
             shapes: Sequence[bytes | None] | None = None) -> Stepped:
    """Run `advance` over the items and build the rows to write (nothing is written here; `share`: see Stepped).

    `shapes[i]`: item i's cohort shape when the caller knows it (from `shared_shape`; None: computed here).
    """
    advance = rt.step()
    if facts is None:
        facts = rt.facts.facts_of(session=session, customer_ids={p.instance.customer_id for p, _ in items})
    out = Stepped(updates=[], was=[], commands=[], counted=[], share=share)
    updates, commands = out.updates, out.commands
    at = now.astimezone(UTC).isoformat()
    # One `advance` per cohort (same version, node, context and stimulus, the id aside) when the step does not
    # read the customer: a segment entry or a batch of identical send results is stepped once, and the other
    # members' rows are stamped from its rows (JSON encoded once, the id put back by text).
    cohorts: dict[bytes, _Stamp | None] = {}
    for i, (pending, stimuli) in enumerate(items):
        inst = pending.instance
        key = None if relevant is not None or len(stimuli) != 1 or inst.status == "done" \
            else (shapes is not None and shapes[i]) or shape(inst, stimuli[0])
        known = cohorts.get(key) if key is not None else None
        if known is not None:
            known.rows_for(pending, out)
            continue
        graph = rt.graph(session, inst.strategy_id, inst.version)
        owner = rt.owner_org(session, inst.strategy_id, inst.version)
        first = len(commands)
        counts: list[tuple[int, int, str, str, str]] = []
        trail: list[str] = []
        for stimulus in stimuli:
            if inst.status == "done" or (relevant is not None and not relevant(inst, stimulus)):
                continue
            seq = inst.seq
            try:
                step = advance(inst, stimulus, now, graph=graph, facts=facts.get(inst.customer_id, EMPTY))
            except Exception:  # one broken journey must not hold up the others: it ends as failed
                log.exception("advance failed for instance %s at %s", inst.id, inst.node)
                _count(Count(node=inst.node, metric="failed", label="error"), inst, seq, at, counts, trail)
                inst = dataclasses.replace(inst, status="done", exit_reason="failed", wake_at=None,
                                           waiting_for=None, seq=inst.seq + 1)
                key = None
                continue
            if key is not None and key not in cohorts and not customer_free(graph, inst, step):
                cohorts[key] = None
            for cmd in step.commands:
                if isinstance(cmd, Count):
                    _count(cmd, inst, seq, at, counts, trail)
                else:
                    commands.append(_command_row(cmd, inst, owner, graph, now))
            inst = step.instance
        row = _instance_row(inst, now=now, worker=rt.worker_id)
        row["trail"] = "".join(trail)
        updates.append(row)
        out.was.append(pending.instance.seq)
        out.counted.append((inst.id, tuple(counts), pending.org_code, pending.rm_id))
        if key is not None and key not in cohorts:
            stamp = cohorts[key] = _Stamp(pending, row, commands[first:], out.counted[-1][1])
            del commands[first:]  # written through the stamp: one row for the cohort
            out.stamps.append(stamp)
    return out


class _Stamp:
    """A cohort representative's rows, made once into templates that other members' rows are stamped from."""

    def __init__(self, template: Pending, update: dict[str, Any], commands: list[dict[str, Any]],
                 counts: tuple[tuple[int, int, str, str, str], ...]) -> None:
        self.of = template.instance.id
        self.old = f"{self.of}:"
        self.context = Encoded(encode_json(update["context"]))
        update["context"] = self.context  # the representative's own row is written from the same text
        self.update = update
        self.commands = []
        for c in commands:
            rest = dict(c["payload"])
            route = rest.pop("_route")
            head = encode_json({**rest, "_route": 0})[:-2]  # up to `"_route":`, put last
            c["payload"] = Encoded(head + encode_json(route) + "}")
            self.commands.append((c, head, route))
        self.counts = counts  # the trail and counts hold no id: the same for every member
        # Every member's (instance id, customer): their commands are written as one batch row per command.
        self.members: list[tuple[int, str]] = [(self.of, template.instance.customer_id)]
        self.alike_ids: list[int] | None = None

    def rows_for(self, pending: Pending, out: Stepped) -> None:
        """Append a member's rows: the representative's with the member's id, keys, customer, org and RM."""
        inst = pending.instance
        if self.commands:
            self.members.append((inst.id, inst.customer_id))
        out.counted.append((inst.id, self.counts, pending.org_code, pending.rm_id))
        if out.share:
            if self.alike_ids is None:
                self.alike_ids = []
                out.alike.append((self.update, self.old, self.alike_ids, inst.seq))  # the seq is in the shape
            self.alike_ids.append(inst.id)
            return
        old, new = self.old, f"{inst.id}:"
        u = self.update
        waiting = u["waiting_for"]
        if waiting is not None:
            kind, sep, rest = waiting.partition(":")
            waiting = kind + sep + new + rest[len(old):] if rest.startswith(old) else waiting
        out.updates.append({**u, "id": inst.id, "waiting_for": waiting,
                            "context": Encoded(rename_json(self.context, old, new))})
        out.was.append(inst.seq)

    def command_rows(self, rows: list[dict[str, Any]], only: set[int] | None) -> None:
        """Append the cohort's outbox rows: a member's own row when alone, else one batch row per command."""
        members = self.members if only is None else [m for m in self.members if m[0] in only]
        for lo in range(0, len(members), BATCH_MEMBERS):
            part = members[lo:lo + BATCH_MEMBERS]
            for c, head, route in self.commands:
                if len(part) == 1:
                    iid, cid = part[0]
                    if iid == self.of:
                        rows.append(c)
                        continue
                    new = f"{iid}:"
                    body = rename_json(head, self.old, new) + encode_json({**route, "customer_id": cid}) + "}"
                    rows.append({**c, "key": new + c["key"][len(self.old):], "instance_id": iid,
                                 "payload": Encoded(body)})
                    continue
                body = (head + encode_json(route) + f',"{BATCH}":' + batch_tail(self.of, c["key"], part) + "}")
                rows.append({**c, "key": batch_key(c["key"], [m[0] for m in part]), "instance_id": part[0][0],
                             "payload": Encoded(body)})


def _count(cmd: Count, inst: Instance, seq: int, at: str, counts: list[tuple[int, int, str, str, str]],
           trail: list[str]) -> None:
    """Record a statistics increment: a counter key, and an entry of the instance's trail."""
    label = cmd.label or ""
    counts.append((inst.strategy_id, inst.version, cmd.node, cmd.metric, label))
    trail.append("," + orjson.dumps([seq, cmd.node, cmd.metric, label, at]).decode())


def pending_of(rows: Sequence[Any]) -> list[Pending]:
    """Loaded rows as instances to step."""
    return [Pending(instance=to_instance(r), org_code=r.org_code, rm_id=r.rm_id) for r in rows]

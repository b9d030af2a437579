"""Real-time stimuli: ingested events (triggers, waits, goals) and delivery receipts of earlier sends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from mofang.platform.collector import collector_paused
from mofang.platform.context import Platform
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.contracts import EventSeen, Instance, Receipt, Stimulus
from mofang.strategy.engine.logic import event_matches
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service.entries import EntryReport, enter_groups_in
from mofang.strategy.engine.service.executor import apply, pending_of
from mofang.strategy.engine.service.runtime import EventIndex, Runtime, get_runtime


@dataclass(frozen=True)
class Event:
    """One ingested event as the bus carries it (`events.<name>`)."""

    customer_id: str
    name: str
    at: datetime
    properties: Mapping[str, Any]
    message_id: str | None


def parse_event(raw: Mapping[str, Any]) -> Event | None:
    """The event of a bus message; None when it names no customer (an anonymous visitor enters nothing)."""
    cid, name = raw.get("customer_id"), raw.get("event")
    if not cid or not isinstance(name, str) or not name:
        return None
    ts = raw.get("ts")
    try:
        at = datetime.fromisoformat(ts) if isinstance(ts, str) else None
    except ValueError:
        at = None
    at = (at or datetime.now(UTC))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    props = raw.get("properties")
    return Event(customer_id=str(cid), name=name, at=at, properties=props if isinstance(props, Mapping) else {},
                 message_id=str(raw["message_id"]) if raw.get("message_id") else None)


def handle_events(*, platform: Platform, events: Sequence[Mapping[str, Any]]) -> None:
    """Feed a batch of ingested events to the engine: waiting instances first, then new entries.

    At-least-once safe: a redelivered batch finds the waits already passed and the entries already made.
    """
    rt = get_runtime(platform)
    parsed = sorted((e for raw in events if (e := parse_event(raw)) is not None), key=lambda e: e.at)
    if not parsed:
        return
    now = rt.clock()
    _to_receipts(platform, rt, parsed, now)
    # Waits, goals and new entries of the whole batch in ONE write transaction (one commit per bus fetch): a
    # crash loses all of it together and the redelivered batch does it all again.
    with collector_paused(), platform.metadata.session() as session:
        repo.begin_write(session)
        index = rt.events(session)
        _to_waiting(session, rt, index, parsed, now)
        _to_entries(session, rt, index, parsed, now)


def _relevant(index: EventIndex) -> Any:
    def relevant(inst: Instance, stimulus: Stimulus) -> bool:
        if not isinstance(stimulus, EventSeen):
            return True
        return inst.waiting_for == f"event:{stimulus.name}" or inst.strategy_id in index.goals.get(stimulus.name, ())
    return relevant


def _to_waiting(session: Session, rt: Runtime, index: EventIndex, parsed: list[Event], now: datetime) -> None:
    by_customer: dict[str, list[Event]] = defaultdict(list)
    for e in parsed:
        by_customer[e.customer_id].append(e)
    waits = [f"event:{n}" for n in {e.name for e in parsed}]
    goal_sids = sorted({sid for e in parsed for sid in index.goals.get(e.name, ())})
    cond = EngineInstance.waiting_for.in_(waits)
    if goal_sids:
        cond = or_(cond, EngineInstance.strategy_id.in_(goal_sids))
    cids = list(by_customer)
    for start in range(0, len(cids), rt.batch):
        # Paused strategies still see their customers' events (what they do waits: timers and the outbox hold).
        rows = repo.lock_instances_where(session, EngineInstance.customer_id.in_(cids[start:start + rt.batch]),
                                         EngineInstance.status != "done", cond)
        items = [(p, [EventSeen(name=e.name, at=e.at, properties=dict(e.properties), message_id=e.message_id)
                      for e in by_customer[p.instance.customer_id]]) for p in pending_of(rows)]
        apply(session, rt, items, now=now, relevant=_relevant(index))


def _to_entries(session: Session, rt: Runtime, index: EventIndex, parsed: list[Event], now: datetime) -> None:
    groups = [(trigger.strategy_id, trigger.version, trigger.node.id,
               [(e.customer_id, dict(e.properties), e.message_id or f"{e.name}:{e.at.isoformat()}") for e in evs])
              for trigger, evs in _group_triggers(index, parsed).values()]
    enter_groups_in(session, rt, groups, now, EntryReport())


def _group_triggers(index: EventIndex, parsed: list[Event]) -> dict[tuple[int, int, str], Any]:
    out: dict[tuple[int, int, str], Any] = {}
    for e in parsed:
        for trigger in index.entries.get(e.name, ()):
            if event_matches(trigger.node.filters, e.properties, today=e.at.date()):
                key = (trigger.strategy_id, trigger.version, trigger.node.id)
                out.setdefault(key, (trigger, []))[1].append(e)
    return out


# The reach centre's receipt events (docs/reach.md) and the send outcome each means to a 触达结果判断 node.
RECEIPT_EVENTS = {"message_delivered": "delivered", "message_opened": "opened", "message_clicked": "clicked"}


def receipt_of(event: Event) -> tuple[int, str, str] | None:
    """(instance id, send node, outcome) of a reach receipt event about a journey's send; None for any other."""
    outcome = RECEIPT_EVENTS.get(event.name)
    if event.name == "message_failed" and event.properties.get("reason") == "undelivered":
        outcome = "undelivered"
    iid, node = event.properties.get("instance_id"), event.properties.get("node_id")
    if outcome is None or node is None or not str(iid or "").isdigit():
        return None
    return int(str(iid)), str(node), outcome


def _to_receipts(platform: Platform, rt: Runtime, parsed: list[Event], now: datetime) -> int:
    """Receipt events to the instances whose send they are about (the send's key is in the instance context)."""
    wanted: dict[int, list[tuple[str | None, str | None, str, datetime]]] = defaultdict(list)
    for e in parsed:
        found = receipt_of(e)
        if found is not None:
            wanted[found[0]].append((None, found[1], found[2], e.at))
    return _apply_receipts(platform, rt, wanted, now)


def record_receipts(*, platform: Platform, receipts: Sequence[tuple[str, str, datetime]]) -> int:
    """Feed later outcomes of sends `(send command key, outcome, at)` to their instances; returns how many moved."""
    rt = get_runtime(platform)
    wanted: dict[int, list[tuple[str | None, str | None, str, datetime]]] = defaultdict(list)
    for key, outcome, at in receipts:
        head = key.split(":", 1)[0]
        if head.isdigit():
            wanted[int(head)].append((key, None, outcome, at))
    return _apply_receipts(platform, rt, wanted, rt.clock())


def _apply_receipts(platform: Platform, rt: Runtime,
                    wanted: Mapping[int, Sequence[tuple[str | None, str | None, str, datetime]]], now: datetime) -> int:
    """Step each instance through its receipts (by send key, or by send node resolved to that node's key)."""
    if not wanted:
        return 0
    ids = sorted(wanted)
    moved = 0
    for start in range(0, len(ids), rt.batch):
        with platform.metadata.session() as session:
            repo.begin_write(session)
            rows = [r for r in repo.lock_instances(session, ids[start:start + rt.batch]) if r.status != "done"]
            items = []
            for p in pending_of(rows):
                sends = p.instance.context.get("sends", {})
                stimuli = [Receipt(key=key or str((sends.get(node or "") or {}).get("key") or ""), outcome=outcome,
                                   at=at) for key, node, outcome, at in wanted[p.instance.id]]
                stimuli = [st for st in stimuli if st.key]
                if stimuli:
                    items.append((p, stimuli))
            apply(session, rt, items, now=now)
            moved += len(items)
    return moved

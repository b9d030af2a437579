"""How customers get into journeys: segment runs, event triggers and API calls, always set-based.

An entry is inserted under the unique (strategy, customer, entry key), so replaying it after a crash or a
redelivery never doubles it: `once` keys are "once", cooldown keys a time bucket (plus a check of the last entry),
`always` keys the occurrence (the event's message id, the API call's idempotency key, the scheduled run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from mofang.platform.collector import collector_paused
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Scope, in_subtree
from mofang.platform.storage.models import as_utc
from mofang.strategy.canvas.contracts import ApiEntry, EventEntry, Graph, Reentry, SegmentEntry
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.cohort import shared_shape
from mofang.strategy.engine.contracts import Enter, Instance
from mofang.strategy.engine.logic import enters_holdout, may_enter
from mofang.strategy.engine.repository import EngineInstance, EngineVersion
from mofang.strategy.engine.service.executor import Pending, step_all
from mofang.strategy.engine.service.runtime import Runtime

ENTRY_NODES = (SegmentEntry, EventEntry, ApiEntry)
CHUNK_IDS = 5_000  # customer ids per IN list (SQLite's bound-parameter limit is 32,766)


def holdout_of(strategy_id: int, customer_id: str, percent: float) -> bool:
    """Whether a customer is in the strategy's holdout (the engine's sticky rule, the same on every worker)."""
    return enters_holdout(customer_id, strategy_id, percent)


def entry_key(reentry: Reentry, *, now: datetime, occurrence: str) -> str:
    """The key that makes an entry happen at most once for its policy."""
    if reentry.policy == "once":
        return "once"
    if reentry.policy == "cooldown":
        assert reentry.cooldown_seconds is not None
        return f"cd:{int(now.timestamp()) // reentry.cooldown_seconds}"
    return f"at:{occurrence}"[:160]


@dataclass
class EntryReport:
    """What an entry did: instances made, and why others were not."""

    entered: list[int] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    existing: list[int] = field(default_factory=list)  # instances these very entries made earlier (replays)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count customers not entered for a reason."""
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n


def active_version(session: Session, strategy_id: int) -> EngineVersion | None:
    """The version new customers enter (None while paused, stopped or never published)."""
    return session.scalars(select(EngineVersion).where(
        EngineVersion.strategy_id == strategy_id, EngineVersion.status == "active")).first()


def entry_node(graph: Graph, node_id: str) -> SegmentEntry | EventEntry | ApiEntry | None:
    """The entry node of that id."""
    for node in graph.nodes:
        if node.id == node_id and isinstance(node, ENTRY_NODES):
            return node
    return None


def enter(*, platform: Platform, rt: Runtime, strategy_id: int, node_id: str,
          customers: Sequence[tuple[str, Mapping[str, Any], str]], now: datetime | None = None,
          version: int | None = None) -> EntryReport:
    """Enter customers `(customer_id, payload, occurrence)` at an entry node of the active version, in batches.

    Each batch is one transaction: scope and re-entry checks, one multi-row insert of the new instances, and
    their first step (so the first action is in the outbox when it commits).
    """
    now = now or rt.clock()
    report = EntryReport()
    for start in range(0, len(customers), rt.batch * 4):
        chunk = customers[start:start + rt.batch * 4]
        with collector_paused(), platform.metadata.session() as session:
            repo.begin_write(session)
            group = _resolve(session, rt, strategy_id, version, node_id, chunk, report)
            if group is not None:
                _enter_sets(session, rt, [group], now, report)
    return report


def enter_groups(*, platform: Platform, rt: Runtime,
                 groups: Sequence[tuple[int, int | None, str, Sequence[tuple[str, Mapping[str, Any], str]]]],
                 now: datetime) -> EntryReport:
    """Enter several `(strategy_id, version, node_id, customers)` groups in ONE transaction (a bus batch that
    triggers many strategies costs one commit, not one per strategy)."""
    report = EntryReport()
    if not groups:
        return report
    with collector_paused(), platform.metadata.session() as session:
        repo.begin_write(session)
        enter_groups_in(session, rt, groups, now, report)
    return report


def enter_groups_in(session: Session, rt: Runtime,
                    groups: Sequence[tuple[int, int | None, str, Sequence[tuple[str, Mapping[str, Any], str]]]],
                    now: datetime, report: EntryReport) -> None:
    """`enter_groups` inside the caller's write transaction."""
    if not groups:
        return
    # The versions in one query, still read inside the write transaction: a strategy paused or stopped a moment
    # ago enters nobody. Held in a dict: the session's identity map is weak, so `session.get` would query again.
    versions = {(v.strategy_id, v.version): v for v in session.scalars(select(EngineVersion).where(
        EngineVersion.strategy_id.in_({g[0] for g in groups})))}
    resolved = [g for strategy_id, version, node_id, customers in groups
                if (g := _resolve(session, rt, strategy_id, version, node_id, customers, report,
                                  versions=versions)) is not None]
    _enter_sets(session, rt, resolved, now, report)


def _resolve(session: Session, rt: Runtime, strategy_id: int, version: int | None, node_id: str,
             chunk: Sequence[tuple[str, Mapping[str, Any], str]], report: EntryReport, *,
             versions: Mapping[tuple[int, int], EngineVersion] | None = None) -> Group | None:
    """The running version, graph and entry node customers enter at (None, counted as skipped, when none).

    `versions`: the strategies' rows already read in this transaction (by strategy and version).
    """
    if version is not None:
        row = versions.get((strategy_id, version)) if versions is not None \
            else session.get(EngineVersion, (strategy_id, version))
    elif versions is not None:
        row = next((v for (sid, _), v in versions.items() if sid == strategy_id and v.status == "active"), None)
    else:
        row = active_version(session, strategy_id)
    if row is None or row.status != "active":
        report.skip("not_active", len(chunk))
        return None
    graph = rt.graph(session, row.strategy_id, row.version)
    node = entry_node(graph, node_id)
    if node is None:
        report.skip("no_such_entry", len(chunk))
        return None
    return row, graph, node, chunk


Group = tuple[EngineVersion, Graph, SegmentEntry | EventEntry | ApiEntry, Sequence[tuple[str, Mapping[str, Any], str]]]


def _enter_sets(session: Session, rt: Runtime, groups: Sequence[Group], now: datetime, report: EntryReport) -> None:
    """Enter every group's customers with one query of each kind and one insert of each kind, whatever the groups."""
    ids = list(dict.fromkeys(cid for *_, chunk in groups for cid, _, _ in chunk))
    if not ids:
        return
    known = rt.facts.known_of(session=session, customer_ids=ids)
    sids = sorted({row.strategy_id for row, *_ in groups})
    previous: dict[tuple[int, str], list[tuple[datetime, bool]]] = {}
    earlier: dict[tuple[int, str, str], int] = {}
    for start in range(0, len(ids), CHUNK_IDS):
        for iid, sid, cid, key, at, status in session.execute(select(
                EngineInstance.id, EngineInstance.strategy_id, EngineInstance.customer_id, EngineInstance.entry_key,
                EngineInstance.entered_at, EngineInstance.status).where(
                EngineInstance.strategy_id.in_(sids), EngineInstance.customer_id.in_(bindparam("ids", expanding=True))),
                {"ids": ids[start:start + CHUNK_IDS]}):
            previous.setdefault((sid, cid), []).append((as_utc(at), status != "done"))
            earlier[(sid, cid, key)] = iid
    rows: list[dict[str, Any]] = []
    payloads: dict[tuple[int, str, str], Mapping[str, Any]] = {}
    for g, (row, graph, node, chunk) in enumerate(groups):
        sid = row.strategy_id
        for cid, payload, occurrence in chunk:
            who = known.get(cid)
            org = who.org_code if who is not None else None
            # A branch's strategy only ever enters its own subtree's customers, whatever its entry says;
            # a customer without a profile has no known branch, so only a head-office strategy may take them.
            if not (row.org_code == "HQ" or (org is not None and in_subtree(org, row.org_code))):
                report.skip("out_of_scope")
                continue
            key = entry_key(node.reentry, now=now, occurrence=occurrence)
            if (sid, cid, key) in earlier:
                report.skip("already_entered")
                report.existing.append(earlier[(sid, cid, key)])
                continue
            earlier_here = previous.get((sid, cid))  # most customers of a segment run have none: no rule to ask
            if (sid, cid, key) in payloads or (earlier_here is not None
                                               and not may_enter(node.reentry, previous=earlier_here, now=now)):
                report.skip("reentry")
                continue
            previous.setdefault((sid, cid), []).append((now, True))  # a second occurrence here sees this one
            payloads[(sid, cid, key)] = payload
            # Only the entry's own columns: the step's row (state, context, lease) is merged in below.
            rows.append({"strategy_id": sid, "version": row.version, "customer_id": cid, "org_code": org,
                         "rm_id": who.rm_id if who is not None else None, "entry_node": node.id,
                         "entry_key": key, "entered_at": now,
                         "holdout": holdout_of(sid, cid, graph.settings.holdout_percent), "_group": g})
    if not rows:
        return
    # Ids first, so the first step runs before anything is written: each new instance is inserted once,
    # already at its first action, and its commands and counts beside it.
    at = as_utc(now)
    items: list[tuple[Pending, list[Enter]]] = []
    shapes: list[bytes | None] = []
    # Customers entering alike (group, holdout, payload) share one cohort shape, computed for the first of them.
    alike: dict[tuple[int, bool, bytes], bytes | None] = {}
    for r, iid in zip(rows, repo.allocate_instance_ids(session, len(rows)), strict=True):
        r["id"] = iid
        payload = payloads[(r["strategy_id"], r["customer_id"], r["entry_key"])]
        inst = Instance(id=iid, strategy_id=r["strategy_id"], version=r["version"], customer_id=r["customer_id"],
                        entry_node=r["entry_node"], entered_at=at, node=r["entry_node"], holdout=r["holdout"],
                        context={})
        stimulus = Enter(payload=dict(payload))
        group = r.pop("_group")
        try:
            like = (group, r["holdout"], orjson.dumps(payload))
        except TypeError:  # a payload orjson does not take: stepped alone
            like = None
        if like is not None and like not in alike:
            alike[like] = shared_shape(inst, stimulus)
        shapes.append(None if like is None else alike[like])
        items.append((Pending(instance=inst, org_code=r["org_code"], rm_id=r["rm_id"]), [stimulus]))
    out = step_all(session, rt, items, now=now, facts={cid: k.facts for cid, k in known.items()}, shapes=shapes)
    for r, u in zip(rows, out.updates, strict=True):
        r.update(u)  # the entry's row becomes the stepped one (no third dict per customer)
    made = repo.insert_new_instances(session, rows)
    report.skip("already_entered", len(rows) - len(made))
    repo.insert_commands(session, out.command_rows(made))
    repo.add_counts(session, out.counts(made), slot=rt.count_slot)
    report.entered.extend(r["id"] for r in rows if r["id"] in made)


def enter_by_api(*, platform: Platform, strategy_id: int, customer_id: str, payload: Mapping[str, Any],
                 idempotency_key: str, node_id: str | None = None, scope: Scope | None = None,
                 actor: str | None = None, ip: str | None = None) -> dict[str, Any]:
    """接口触发: one customer into a running strategy; the same idempotency key never enters twice.

    `scope`: a user's, who may only use strategies owned inside it (None: the bank's systems, by write key).
    """
    from mofang.platform.errors import Conflict, Invalid, NotFound
    from mofang.strategy.engine.service.runtime import get_runtime

    rt = get_runtime(platform)
    with platform.metadata.session() as session:
        row = active_version(session, strategy_id)
        if scope is not None and not (row is not None and scope.kind != "rm" and scope.allows_org(row.org_code)):
            raise NotFound(f"no strategy {strategy_id} in your scope", field="strategy_id", code="engine.not_found")
        if row is None:
            raise Conflict(f"strategy {strategy_id} is not running", field="strategy_id", code="engine.not_active")
        graph = rt.graph(session, row.strategy_id, row.version)
    nodes = [n for n in graph.nodes if isinstance(n, ApiEntry) and (node_id is None or n.id == node_id)]
    if not nodes:
        raise Invalid(f"strategy {strategy_id} has no API entry" + (f" '{node_id}'" if node_id else ""),
                      field="node_id", code="engine.no_api_entry")
    node = nodes[0]
    kept = {k: v for k, v in payload.items() if not node.payload_keys or k in node.payload_keys}
    # The bank's systems may post personal data: it is masked before it is stored, like event properties.
    kept = platform.settings.pii_policy().mask_tree(kept)
    report = enter(platform=platform, rt=rt, strategy_id=strategy_id, version=row.version, node_id=node.id,
                   customers=[(customer_id, kept, f"api:{idempotency_key}")])
    if actor is not None and report.entered:  # a person putting a customer into a journey is a change: audited
        from mofang.platform.governance.service import record

        with platform.metadata.session() as session:
            record(session=session, username=actor, action="strategy.enter", target_type="strategy",
                   target_id=str(strategy_id), detail={"customer_id": customer_id, "instance_id": report.entered[0]},
                   ip=ip)
    if report.entered:
        return {"entered": True, "instance_id": report.entered[0], "reason": None}
    if report.existing and node.reentry.policy == "always":  # the same call again: its first answer
        return {"entered": True, "instance_id": report.existing[0], "reason": None}
    return {"entered": False, "instance_id": None, "reason": next(iter(report.skipped), "not_entered")}

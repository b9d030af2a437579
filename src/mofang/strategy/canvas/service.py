"""Strategy orchestration: drafts and versions, validation against the owner's catalogue, lifecycle, audit."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy.orm import Session, object_session

from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_STRATEGY_PUBLISH
from mofang.platform.storage.models import utcnow
from mofang.reach.contracts import CHANNELS
from mofang.strategy.canvas import logic
from mofang.strategy.canvas import repository as repo
from mofang.strategy.canvas.contracts import (
    AttributeOption,
    CatalogueRead,
    DraftGraph,
    EventOption,
    Graph,
    Option,
    PropertyOption,
    PublishRequest,
    RunningStrategy,
    StrategyCreate,
    StrategyRead,
    StrategyUpdate,
    TagOption,
    ValidationRead,
    VersionRead,
    VersionSummary,
)
from mofang.strategy.canvas.models import Strategy, StrategyVersion

log = logging.getLogger(__name__)
# Where the pick-lists of other centres come from once they exist: (module, function). Each is called as
# fn(*, platform, org_code) and returns items with id, name (and channel, for templates); a missing module or
# function means "that centre is not built yet": an empty list, and the validator does not check those ids.
TEMPLATE_SOURCE = ("mofang.reach.content", "templates_for_org")
BENEFIT_SOURCE = ("mofang.campaigns", "list_benefits")


# ---------------------------------------------------------------------------------------------- hooks


def approval_required(*, strategy: Strategy, who: Principal) -> bool:
    """Whether publishing this strategy needs a checker's approval first (maker-checker).

    The campaign centre's approval rules decide (a campaign's strategies are covered by the campaign's own
    approval; others need one only when a rule for `strategy` says so); without the campaign centre publishing
    is direct for holders of `strategy:publish`. When it returns True, `publish` refuses with 409
    `strategy.approval_required` instead of activating.
    """
    del who
    hook = _optional(("mofang.campaigns.lifecycle", "strategy_needs_approval"))
    session = object_session(strategy)
    if hook is None or session is None:
        return False
    return bool(hook(session=session, strategy_id=strategy.id, version=strategy.current_version))


def _optional(source: tuple[str, str]) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(source[0]), source[1], None)
    except ImportError:
        return None


def _engine(name: str) -> Callable[..., Any] | None:
    """The runtime's facade function (`activate` / `deactivate`), or None while the runtime is not merged."""
    return _optional(("mofang.strategy.engine", name))


def _item(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


# ---------------------------------------------------------------------------------------------- reads


def _read(s: Strategy, latest: StrategyVersion | None, with_graph: bool, has_draft: bool | None = None
          ) -> StrategyRead:
    if has_draft is None:
        has_draft = latest is not None and latest.published_at is None
    return StrategyRead(
        id=s.id, name=s.name, description=s.description, owner_org=s.owner_org, created_by=s.created_by,
        status=s.status, current_version=s.current_version, published_version=s.published_version,  # type: ignore[arg-type]
        has_draft=has_draft, created_at=s.created_at, updated_at=s.updated_at,
        graph=DraftGraph.model_validate(latest.graph) if with_graph and latest is not None else None)


def _visible_or_404(session: Session, who: Principal, strategy_id: int, *, lock: bool = False) -> Strategy:
    row = repo.strategy(session, strategy_id, lock=lock)
    if row is None or not who.scope.allows_org(row.owner_org):
        raise NotFound(f"strategy {strategy_id} not found", field="strategy_id", code="strategy.not_found",
                       params={"id": strategy_id})
    return row


def _latest(session: Session, s: Strategy) -> StrategyVersion:
    row = repo.version(session, s.id, s.current_version)
    if row is None:  # pragma: no cover - a strategy is always created with its first version
        raise NotFound(f"strategy {s.id} has no version {s.current_version}", code="strategy.not_found",
                       params={"id": s.id})
    return row


def list_strategies(*, session: Session, who: Principal) -> list[StrategyRead]:
    """Strategies owned by the viewer's org subtree (head office: all), newest first."""
    drafts = repo.draft_flags(session)
    return [_read(s, None, with_graph=False, has_draft=drafts.get(s.id, False))
            for s in repo.strategies(session) if who.scope.allows_org(s.owner_org)]


def get(*, session: Session, who: Principal, strategy_id: int) -> StrategyRead:
    """One strategy with its latest graph."""
    s = _visible_or_404(session, who, strategy_id)
    return _read(s, _latest(session, s), with_graph=True)


def list_versions(*, session: Session, who: Principal, strategy_id: int) -> list[VersionSummary]:
    """A strategy's versions, newest first."""
    s = _visible_or_404(session, who, strategy_id)
    return [VersionSummary(version=v.version, created_by=v.created_by, created_at=v.created_at,
                           published_at=v.published_at, note=v.note) for v in repo.versions(session, s.id)]


def get_version(*, session: Session, who: Principal, strategy_id: int, version: int) -> VersionRead:
    """One version's graph."""
    s = _visible_or_404(session, who, strategy_id)
    v = repo.version(session, s.id, version)
    if v is None:
        raise NotFound(f"strategy {strategy_id} has no version {version}", field="version",
                       code="strategy.no_version", params={"version": version})
    return VersionRead(version=v.version, graph=DraftGraph.model_validate(v.graph), created_by=v.created_by,
                       created_at=v.created_at, published_at=v.published_at, note=v.note)


def graph_of(*, session: Session, strategy_id: int, version: int) -> Graph:
    """The typed graph of a published version (what customers on that version run through)."""
    v = repo.version(session, strategy_id, version)
    if v is None or v.published_at is None:
        raise NotFound(f"strategy {strategy_id} has no published version {version}", field="version",
                       code="strategy.no_version", params={"version": version})
    return Graph.model_validate(v.graph)


def running(*, session: Session) -> list[RunningStrategy]:
    """Every published or paused strategy with the version it runs (for the engine to resume after a restart)."""
    return [RunningStrategy(strategy_id=s.id, version=s.published_version, org_code=s.owner_org,
                            status=s.status,  # type: ignore[arg-type]
                            graph=graph_of(session=session, strategy_id=s.id, version=s.published_version))
            for s in repo.strategies(session) if s.status in ("published", "paused") and s.published_version]


# ---------------------------------------------------------------------------------------------- catalogue


def catalogue(*, platform: Platform, session: Session, owner_org: str) -> CatalogueRead:
    """The pick-lists a strategy owned by `owner_org` may use."""
    from mofang.insight.segments import get_catalogue, visible_to_org
    from mofang.integration.service import list_attributes

    cat = get_catalogue(platform=platform, session=session, who=None)
    custom = [a for a in list_attributes(platform=platform) if not a.pii]
    attrs = [AttributeOption(key=f.key, label=f.label, type=f.type, values=f.values) for f in cat.attributes]
    known = {a.key for a in attrs}
    attrs += [AttributeOption(key=a.key, label=a.zh, type=a.type, custom=True) for a in custom if a.key not in known]
    for a in attrs:
        a.custom = a.custom or a.key in {c.key for c in custom}
    templates: dict[str, list[Option]] = {c: [] for c in CHANNELS}
    list_templates = _optional(TEMPLATE_SOURCE)
    for t in list_templates(platform=platform, org_code=owner_org) if list_templates else []:
        channel = str(_item(t, "channel"))
        if channel in templates:
            templates[channel].append(Option(id=int(_item(t, "id")), name=str(_item(t, "name"))))
    list_benefits = _optional(BENEFIT_SOURCE)
    benefits = [Option(id=int(_item(b, "id")), name=str(_item(b, "name")))
                for b in (list_benefits(platform=platform, org_code=owner_org) if list_benefits else [])]
    return CatalogueRead(
        owner_org=owner_org,
        segments=[Option(id=i, name=n) for i, n in visible_to_org(session=session, org_code=owner_org)],
        tags=[TagOption(key=t.key, name=t.name, manual=t.family == "imported", value_type=t.value_type,
                        values=t.values) for t in cat.tags],
        events=[EventOption(name=e.name, label=e.label, properties=[
            PropertyOption(key=p.key, label=p.label, type=p.type, values=p.values) for p in e.properties])
            for e in cat.events],
        attributes=attrs, templates=templates, benefits=benefits, channels=list(CHANNELS),
        operators=cat.operators)


def snapshot(read: CatalogueRead) -> logic.CatalogueSnapshot:
    """The validator's view of a catalogue (template and benefit ids unchecked while their centre is missing)."""
    return logic.CatalogueSnapshot(
        segments=frozenset(s.id for s in read.segments),
        tags={t.key: t.manual for t in read.tags},
        events={e.name: frozenset(p.key for p in e.properties) for e in read.events},
        attributes=frozenset(a.key for a in read.attributes),
        custom_attributes=frozenset(a.key for a in read.attributes if a.custom),
        templates={c: frozenset(o.id for o in opts) for c, opts in read.templates.items()}
        if _optional(TEMPLATE_SOURCE) else None,
        benefits=frozenset(b.id for b in read.benefits) if _optional(BENEFIT_SOURCE) else None,
    )


def catalogue_for(*, platform: Platform, session: Session, who: Principal, strategy_id: int | None
                  ) -> CatalogueRead:
    """The pick-lists for a strategy being edited (its owner's), or for a new one (the viewer's org)."""
    owner = who.org_code if strategy_id is None else _visible_or_404(session, who, strategy_id).owner_org
    return catalogue(platform=platform, session=session, owner_org=owner)


def check(*, platform: Platform, session: Session, owner_org: str, graph: DraftGraph
          ) -> tuple[Graph | None, ValidationRead]:
    """Validate a draft against its owner's catalogue."""
    typed, problems = logic.validate(graph, snapshot(catalogue(platform=platform, session=session,
                                                               owner_org=owner_org)))
    return typed, ValidationRead(ok=typed is not None, problems=problems)


def validate(*, platform: Platform, session: Session, who: Principal, strategy_id: int,
             graph: DraftGraph | None = None) -> ValidationRead:
    """Problems of the given graph (or of the strategy's latest version), for its owner."""
    s = _visible_or_404(session, who, strategy_id)
    body = graph if graph is not None else DraftGraph.model_validate(_latest(session, s).graph)
    return check(platform=platform, session=session, owner_org=s.owner_org, graph=body)[1]


# ---------------------------------------------------------------------------------------------- writes


def _editable(session: Session, who: Principal, strategy_id: int, permission: str) -> Strategy:
    s = _visible_or_404(session, who, strategy_id, lock=True)
    if not who.can(permission):
        raise Forbidden(f"you may not change strategy {strategy_id}", code="forbidden")
    return s


def create(*, session: Session, who: Principal, data: StrategyCreate) -> StrategyRead:
    """A new draft strategy owned by the creator's org. Audited."""
    now = utcnow()
    s = Strategy(name=data.name, description=data.description, owner_org=who.org_code, created_by=who.username,
                 status="draft", current_version=1, created_at=now, updated_at=now)
    repo.add(session, s)
    v = StrategyVersion(strategy_id=s.id, version=1, graph=data.graph.model_dump(mode="json"),
                        created_by=who.username, created_at=now)
    repo.add(session, v)
    gov.record(session=session, username=who.username, action="strategy.create", target_type="strategy",
               target_id=str(s.id), detail={"name": s.name, "owner_org": s.owner_org}, ip=who.ip)
    return _read(s, v, with_graph=True)


def update(*, session: Session, who: Principal, strategy_id: int, data: StrategyUpdate) -> StrategyRead:
    """Rename or save the draft: the latest version when unpublished, else a new version. Audited."""
    s = _editable(session, who, strategy_id, P_CAMPAIGN_EDIT)
    if s.status in ("stopped", "archived"):
        raise Conflict(f"strategy {s.id} is {s.status}: it can no longer be edited", field="status",
                       code="strategy.not_editable", params={"status": s.status})
    now = utcnow()
    latest = _latest(session, s)
    if data.name is not None:
        s.name = data.name
    if data.description is not None:
        s.description = data.description
    if data.graph is not None:
        body = data.graph.model_dump(mode="json")
        if latest.published_at is None:
            latest.graph, latest.created_at, latest.created_by = body, now, who.username
            latest.note = data.note if data.note is not None else latest.note
        else:
            s.current_version += 1
            latest = StrategyVersion(strategy_id=s.id, version=s.current_version, graph=body,
                                     created_by=who.username, created_at=now, note=data.note)
            repo.add(session, latest)
    s.updated_at = now
    gov.record(session=session, username=who.username, action="strategy.update", target_type="strategy",
               target_id=str(s.id), detail={"version": s.current_version, "graph": data.graph is not None},
               ip=who.ip)
    return _read(s, latest, with_graph=True)


def publish(*, platform: Platform, session: Session, who: Principal, strategy_id: int, data: PublishRequest
            ) -> StrategyRead:
    """Validate and publish the latest version; the engine starts running it. Audited."""
    s = _editable(session, who, strategy_id, P_STRATEGY_PUBLISH)
    if s.status in ("stopped", "archived"):
        raise Conflict(f"strategy {s.id} is {s.status}", field="status", code="strategy.bad_transition",
                       params={"status": s.status, "action": "publish"})
    latest = _latest(session, s)
    if latest.published_at is not None:
        raise Conflict(f"version {latest.version} is already published; save a change first", field="version",
                       code="strategy.nothing_to_publish", params={"version": latest.version})
    graph, result = check(platform=platform, session=session, owner_org=s.owner_org,
                          graph=DraftGraph.model_validate(latest.graph))
    if graph is None:
        errors = [p for p in result.problems if p.severity == "error"]
        first = errors[0]
        where = f"nodes.{first.node_id}.{first.field}" if first.node_id else first.field
        # The list travels whole in params (the console re-validates to draw every problem on its node).
        raise Invalid(f"the strategy has {len(errors)} problem(s); first: {first.code} at {where}", field=where,
                      code="strategy.invalid", params={"count": len(errors), "node": first.node_id or "",
                                                       "problems": [p.model_dump() for p in errors]})  # type: ignore[dict-item]
    if approval_required(strategy=s, who=who):
        raise Conflict("publishing this strategy needs approval", code="strategy.approval_required")
    now = utcnow()
    before = (s.status, s.published_version, latest.note)
    latest.published_at = now
    if data.note is not None:
        latest.note = data.note
    s.published_version, s.status, s.updated_at = latest.version, "published", now
    gov.record(session=session, username=who.username, action="strategy.publish", target_type="strategy",
               target_id=str(s.id), detail={"version": latest.version, "previous": before[1],
                                           "migrate_instances": data.migrate_instances}, ip=who.ip)

    def undo() -> None:
        s.status, s.published_version, latest.note = before
        latest.published_at = None

    _engine_call(session, s, who, "publish", undo, "activate", platform=platform, strategy_id=s.id,
                 version=latest.version, graph=graph, org_code=s.owner_org, migrate_instances=data.migrate_instances)
    return _read(s, latest, with_graph=True)


def published_graphs(*, session: Session, strategy_id: int) -> dict[int, Graph]:
    """Version → typed graph of every published version of a strategy, oldest first."""
    return {v.version: Graph.model_validate(v.graph) for v in reversed(repo.versions(session, strategy_id))
            if v.published_at is not None}


def owner_of(*, session: Session, strategy_id: int) -> tuple[str, str] | None:
    """(owner org, status) of a strategy, or None when there is none (for readers outside the canvas)."""
    s = repo.strategy(session, strategy_id)
    return (s.owner_org, s.status) if s is not None else None


def _with_winner(graph: dict[str, Any], node_id: str, winner: str) -> dict[str, Any] | None:
    """A copy of a stored graph with the winner set on AB node `node_id`; None when it has no such node."""
    body = DraftGraph.model_validate(graph).model_dump(mode="json")
    node = next((n for n in body["nodes"] if n.get("id") == node_id and n.get("type") == "ab_split"), None)
    if node is None:
        return None
    node["winner"] = winner
    return body


def _new_version(session: Session, s: Strategy, who: Principal, body: dict[str, Any], note: str | None,
                 detail: dict[str, Any]) -> int:
    now = utcnow()
    s.current_version += 1
    s.updated_at = now
    repo.add(session, StrategyVersion(strategy_id=s.id, version=s.current_version, graph=body,
                                      created_by=who.username, created_at=now, note=note))
    gov.record(session=session, username=who.username, action="strategy.update", target_type="strategy",
               target_id=str(s.id), detail={"version": s.current_version, **detail}, ip=who.ip)
    return s.current_version


def draft_winner(*, session: Session, who: Principal, strategy_id: int, node_id: str, winner: str,
                 note: str | None = None) -> tuple[int, int | None]:
    """A new (unpublished) version: the published graph with `winner` set on AB node `node_id`. Audited.

    Built from the published version, never from a pending draft, so that promoting publishes no unrelated edits.
    Returns the new version and the pending draft's version (None when there was none) for `carry_draft`.
    """
    s = _editable(session, who, strategy_id, P_STRATEGY_PUBLISH)
    if s.status not in ("published", "paused") or s.published_version is None:
        raise Conflict(f"strategy {s.id} is {s.status}: only a running strategy has a winner to promote",
                       field="status", code="strategy.bad_transition",
                       params={"status": s.status, "action": "promote"})
    latest = _latest(session, s)
    pending = latest.version if latest.published_at is None else None
    published = repo.version(session, s.id, s.published_version)
    assert published is not None  # a published strategy always has its published version
    node = next((n for n in published.graph.get("nodes", [])
                 if isinstance(n, dict) and n.get("id") == node_id and n.get("type") == "ab_split"), None)
    if node is None:
        raise NotFound(f"strategy {s.id} has no AB split {node_id!r}", field="node_id",
                       code="experiment.no_node", params={"node": node_id})
    if winner not in {v.get("label") for v in node.get("variants", []) if isinstance(v, dict)}:
        raise Invalid(f"{winner!r} is not a variant of {node_id!r}", field="variant",
                      code="experiment.unknown_variant", params={"variant": winner, "node": node_id})
    body = _with_winner(published.graph, node_id, winner)
    assert body is not None
    return _new_version(session, s, who, body, note, {"winner": {node_id: winner}, "from": s.published_version}), \
        pending


def carry_draft(*, session: Session, who: Principal, strategy_id: int, draft_version: int, node_id: str,
                winner: str) -> int:
    """Put a draft that was pending before a promotion back on top (with the winner too, if it has the node)."""
    s = _editable(session, who, strategy_id, P_STRATEGY_PUBLISH)
    draft = repo.version(session, s.id, draft_version)
    if draft is None or draft.published_at is not None:
        raise NotFound(f"strategy {s.id} has no draft {draft_version}", field="version", code="strategy.no_version",
                       params={"version": draft_version})
    body = _with_winner(draft.graph, node_id, winner) or DraftGraph.model_validate(draft.graph).model_dump(mode="json")
    return _new_version(session, s, who, body, draft.note, {"carried_from": draft_version})


class EngineFailed(MofangError):
    """The engine refused or failed to take a lifecycle change; the strategy was left as it was."""

    status_code = 503
    default_code = "strategy.engine_failed"


def _engine_call(session: Session, s: Strategy, who: Principal, action: str, undo: Callable[[], None], name: str,
                 **kwargs: Any) -> None:
    """Commit the change, then tell the engine; if the engine fails, put the strategy back (audited) and say so.

    Committed first because the engine works in its own transactions (on SQLite it could not write while this
    request held the write lock); a failure is compensated rather than left as a published strategy nobody runs.
    """
    session.commit()
    call = _engine(name)
    if call is None:
        return
    try:
        call(**kwargs)
    except Exception as exc:
        log.exception("engine %s of strategy %s failed", name, s.id)
        undo()
        s.updated_at = utcnow()
        gov.record(session=session, username=who.username, action=f"strategy.{action}_failed",
                   target_type="strategy", target_id=str(s.id), detail={"error": type(exc).__name__}, ip=who.ip)
        session.commit()
        raise EngineFailed(f"the engine could not {action} strategy {s.id}; nothing changed",
                           params={"action": action}) from exc


# status before → (action, status after)
TRANSITIONS: dict[str, dict[str, str]] = {
    "pause": {"published": "paused"},
    "resume": {"paused": "published"},
    "stop": {"published": "stopped", "paused": "stopped"},
    "archive": {"draft": "archived", "stopped": "archived"},
}


def transition(*, platform: Platform, session: Session, who: Principal, strategy_id: int,
               action: Literal["pause", "resume", "stop", "archive"]) -> StrategyRead:
    """Pause, resume, stop or archive; the engine holds, resumes or ends the strategy's instances. Audited."""
    s = _editable(session, who, strategy_id, P_STRATEGY_PUBLISH)
    after = TRANSITIONS[action].get(s.status)
    if after is None:
        raise Conflict(f"a {s.status} strategy cannot {action}", field="status", code="strategy.bad_transition",
                       params={"status": s.status, "action": action})
    before, s.status, s.updated_at = s.status, after, utcnow()
    gov.record(session=session, username=who.username, action=f"strategy.{action}", target_type="strategy",
               target_id=str(s.id), detail={"from": before, "to": after}, ip=who.ip)

    def undo() -> None:
        s.status = before

    if action == "archive":
        session.flush()
    else:
        _engine_call(session, s, who, action, undo, "deactivate", platform=platform, strategy_id=s.id, mode=action)
    return _read(s, _latest(session, s), with_graph=True)

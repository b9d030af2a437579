"""Campaign orchestration: drafts, checks at submit, maker-checker approval, launch into strategies, calendar."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import approvals, checks, logic, participation
from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.contracts import (
    Action,
    ApprovalRead,
    CalendarEntry,
    CampaignFunnel,
    CampaignRead,
    CampaignUpdate,
    CampaignWrite,
    Check,
    InviteTree,
)
from mofang.campaigns.lifecycle.models import Approval, Campaign
from mofang.campaigns.templates import compile_template, scenario
from mofang.campaigns.templates.contracts import Compiled
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT
from mofang.platform.storage.models import as_utc, utcnow

log = logging.getLogger(__name__)
OBJECT = "campaign"


def _read(c: Campaign) -> CampaignRead:
    return CampaignRead(
        id=c.id, name=c.name, description=c.description, template_id=c.template_id,
        template_name=scenario(c.template_id).read.name, params=c.params, segment_id=c.segment_id,
        owner_org=c.owner_org, budget=c.budget, stock=c.stock, products=list(c.products or []),
        starts_at=as_utc(c.starts_at), ends_at=as_utc(c.ends_at), status=c.status,  # type: ignore[arg-type]
        revision=c.revision, approved_revision=c.approved_revision, reject_reason=c.reject_reason,
        strategy_ids=list(c.strategy_ids or []), analysis_id=c.analysis_id, created_by=c.created_by,
        created_at=c.created_at, updated_at=c.updated_at)


def _visible_or_404(session: Session, who: Principal, campaign_id: int, *, lock: bool = False) -> Campaign:
    row = repo.campaign(session, campaign_id, lock=lock)
    if row is None or not who.scope.allows_org(row.owner_org):
        raise NotFound(f"campaign {campaign_id} not found", field="campaign_id", code="campaign.not_found",
                       params={"id": campaign_id})
    return row


def _editor(who: Principal) -> None:
    if not who.can(P_CAMPAIGN_EDIT):
        raise Forbidden("you may not change campaigns", code="forbidden")


def _segment_ok(session: Session, org: str, segment_id: int | None) -> None:
    """A campaign's audience is a segment its owner may use (its subtree's, or shared with it)."""
    if segment_id is None:
        return
    from mofang.insight.segments import visible_to_org

    if segment_id not in {i for i, _ in visible_to_org(session=session, org_code=org)}:
        raise Invalid(f"segment {segment_id} is not available to {org}", field="segment_id",
                      code="campaign.unknown_segment", params={"id": segment_id})


def payload_of(c: Campaign) -> dict[str, Any]:
    """What an approver approves: everything that changes what customers get."""
    return {"name": c.name, "description": c.description, "template_id": c.template_id, "params": c.params,
            "segment_id": c.segment_id, "budget": c.budget, "stock": c.stock, "products": list(c.products or []),
            "starts_at": as_utc(c.starts_at).isoformat(), "ends_at": as_utc(c.ends_at).isoformat()}


def list_campaigns(*, session: Session, who: Principal) -> list[CampaignRead]:
    """Campaigns owned by the viewer's org subtree, newest first."""
    return [_read(c) for c in repo.campaigns(session) if who.scope.allows_org(c.owner_org)]


def get(*, session: Session, who: Principal, campaign_id: int) -> CampaignRead:
    """One campaign."""
    return _read(_visible_or_404(session, who, campaign_id))


def create(*, session: Session, who: Principal, data: CampaignWrite) -> CampaignRead:
    """A new draft campaign owned by the maker's org (parameters checked against the template). Audited."""
    _editor(who)
    params, _ = compile_template(data.template_id, data.params, segment_id=data.segment_id)
    _segment_ok(session, who.org_code, data.segment_id)
    now = utcnow()
    c = Campaign(name=data.name, description=data.description, template_id=data.template_id, params=params,
                 segment_id=data.segment_id, owner_org=who.org_code, budget=data.budget, stock=data.stock,
                 products=data.products, starts_at=data.starts_at, ends_at=data.ends_at, status="draft", revision=1,
                 strategy_ids=[], created_by=who.username, created_at=now, updated_at=now)
    repo.add(session, c)
    gov.record(session=session, username=who.username, action="campaign.create", target_type=OBJECT,
               target_id=str(c.id), detail={"name": c.name, "template_id": c.template_id}, ip=who.ip)
    return _read(c)


def update(*, session: Session, who: Principal, campaign_id: int, data: CampaignUpdate) -> CampaignRead:
    """Edit a campaign; a change to an approved or live campaign needs approval again (it goes back to draft)."""
    _editor(who)
    c = _visible_or_404(session, who, campaign_id, lock=True)
    if c.status not in logic.EDITABLE:
        raise Conflict(f"a {c.status} campaign cannot be edited", field="status", code="campaign.not_editable",
                       params={"status": c.status})
    if c.status in ("running", "scheduled"):
        raise Conflict("pause the campaign before editing it", field="status", code="campaign.pause_to_edit",
                       params={"status": c.status})
    before = payload_of(c)
    fields = data.model_dump(exclude_unset=True)
    for key in ("name", "description", "budget", "stock", "products", "starts_at", "ends_at", "segment_id"):
        # budget, stock and segment may be cleared with null; the others keep their value when null is sent.
        if key in fields and (fields[key] is not None or key in ("budget", "stock", "segment_id")):
            setattr(c, key, fields[key])
    if as_utc(c.ends_at) <= as_utc(c.starts_at):
        raise Invalid("ends_at must be after starts_at", field="ends_at", code="campaign.bad_period")
    if data.params is not None or "segment_id" in fields:
        c.params = compile_template(c.template_id, data.params if data.params is not None else c.params,
                                    segment_id=c.segment_id)[0]
    _segment_ok(session, c.owner_org, c.segment_id)
    changes = logic.diff(before, payload_of(c))
    if changes:
        c.revision += 1
        if c.status in ("approved", "paused", "rejected", "submitted"):
            approvals.withdraw_open(session=session, object_type=OBJECT, object_id=str(c.id), who=who)
            c.status = "draft"
        c.updated_at = utcnow()
    gov.record(session=session, username=who.username, action="campaign.update", target_type=OBJECT,
               target_id=str(c.id), detail={"revision": c.revision, "changed": [d["field"] for d in changes]},
               ip=who.ip)
    session.flush()
    return _read(c)


# ------------------------------------------------------------------------------------------------ submit


def check(*, platform: Platform, session: Session, who: Principal, campaign_id: int) -> list[Check]:
    """The checks of a campaign as it stands (for the maker before submitting)."""
    return checks.run(platform=platform, session=session, c=_visible_or_404(session, who, campaign_id))


def submit(*, platform: Platform, session: Session, who: Principal, campaign_id: int) -> ApprovalRead:
    """Submit for approval: checks run and travel with the request; blocking ones refuse the submit. Audited."""
    _editor(who)
    c = _visible_or_404(session, who, campaign_id, lock=True)
    if c.status not in ("draft", "rejected"):
        raise Conflict(f"a {c.status} campaign cannot be submitted", field="status", code="campaign.bad_transition",
                       params={"status": c.status, "action": "submit"})
    found = checks.run(platform=platform, session=session, c=c)
    blocking = [x for x in found if x.severity == "error"]
    if blocking:
        raise Invalid(f"the campaign fails {blocking[0].code}", field="checks", code="campaign.checks_failed",
                      params={"check": blocking[0].code, "count": len(blocking)})
    read = approvals.request_approval(session=session, object_type=OBJECT, object_id=str(c.id),
                                      payload=payload_of(c), who=who, revision=c.revision, title=c.name,
                                      amount=c.budget, owner_org=c.owner_org, checks=found)
    before, c.status, c.reject_reason, c.updated_at = c.status, "submitted", None, utcnow()
    gov.record(session=session, username=who.username, action="campaign.submit", target_type=OBJECT,
               target_id=str(c.id), detail={"from": before, "revision": c.revision, "approval_id": read.id},
               ip=who.ip)
    return read


def _on_decided(session: Session, row: Approval, who: Principal) -> None:
    """A campaign's request decided: approved (that revision) or rejected with the reason."""
    c = repo.campaign(session, int(row.object_id), lock=True)
    if c is None or c.revision != row.revision or c.status != "submitted":
        raise Conflict("the campaign changed after it was submitted", code="approval.stale")
    before = c.status
    if row.status == "approved":
        c.status, c.approved_revision = "approved", row.revision
    else:
        c.status, c.reject_reason = "rejected", row.reason
    c.updated_at = utcnow()
    gov.record(session=session, username=who.username, action=f"campaign.{c.status}", target_type=OBJECT,
               target_id=str(c.id), detail={"from": before, "to": c.status, "reason": row.reason}, ip=who.ip)


approvals.ON_DECIDED[OBJECT] = _on_decided


def _acting_for(who: Principal, org: str) -> Principal:
    """The user acting for the campaign's owner org: strategies are owned (and scoped) by it, not the launcher's."""
    return dataclasses.replace(who, org_code=org, scope=Scope.for_user(role="operator", org_code=org, rm_id=None))


def _launch(platform: Platform, session: Session, who: Principal, c: Campaign) -> None:
    """Compile into strategies owned by the campaign's org (created once, then re-published) and run them."""
    from mofang.strategy.canvas import change_state, create_strategy, save_and_publish

    compiled = checks.compiled_of(c)
    broken = checks.graph_problems(platform, session, c, compiled)
    if broken:  # checked for every strategy before any is created or published: all run, or none
        raise Invalid(f"the compiled strategy {broken[0]['strategy']} is invalid: {broken[0]['code']}",
                      field="params", code="campaign.strategy_invalid",
                      params={"strategy": str(broken[0]["strategy"]), "problem": str(broken[0]["code"])})
    actor = _acting_for(who, c.owner_org)
    ids = list(c.strategy_ids or [])
    if not ids:
        ids = [create_strategy(session=session, who=actor, name=f"{c.name}·{g.name}"[:128],
                               description=f"活动 #{c.id} 自动生成", graph=g.graph) for g in compiled.graphs]
        c.strategy_ids = ids
        session.flush()
    published: list[int] = []
    try:
        for sid, g in zip(ids, compiled.graphs, strict=False):
            save_and_publish(platform=platform, session=session, who=actor, strategy_id=sid, graph=g.graph,
                             note=f"campaign {c.id} revision {c.revision}")
            published.append(sid)
    except Exception:
        # Publishing commits strategy by strategy (the engine runs each in its own transactions): one that
        # fails must not leave the others running a campaign that did not start. Pause what this launch started.
        session.rollback()
        for sid in published:
            try:
                change_state(platform=platform, session=session, who=actor, strategy_id=sid, action="pause")
            except Exception:
                log.exception("pausing strategy %s of campaign %s after a failed launch failed", sid, c.id)
        raise
    if compiled.funnel is not None and c.analysis_id is None:
        c.analysis_id = _save_funnel(platform, who, c, compiled)


def _save_funnel(platform: Platform, who: Principal, c: Campaign, compiled: Compiled) -> int | None:
    """The campaign's funnel as a saved analysis (`/api/analytics/saved`) over the last N days."""
    funnel = compiled.funnel
    if funnel is None:  # pragma: no cover - checked by the caller
        return None
    try:
        from mofang.monitor.dashboards import service as dashboards
        from mofang.monitor.dashboards.contracts import SavedAnalysisCreate

        start = as_utc(c.starts_at).date()
        query = {"date_from": str(start), "date_to": str(start), "window": min(funnel.window_days, 1440),
                 "steps": [{"event": s} for s in funnel.steps]}
        saved = dashboards.create_analysis(platform=platform, who=who, data=SavedAnalysisCreate(
            name=f"{c.name}·{funnel.name}"[:100], model="funnel", query=query,
            range={"kind": "last_days", "days": min(366, max(1, (as_utc(c.ends_at) - as_utc(c.starts_at)).days + 1))}
        ))
        return saved.id
    except Exception:  # the funnel is a convenience: a campaign runs without it (logged, not hidden)
        log.exception("saving the funnel of campaign %s failed", c.id)
        return None


def transition(*, platform: Platform, session: Session, who: Principal, campaign_id: int, action: Action,
               now: datetime | None = None) -> CampaignRead:
    """Launch (approved → running, or scheduled before the start), pause, resume, end or archive. Audited."""
    _editor(who)
    now = now or utcnow()
    c = _visible_or_404(session, who, campaign_id, lock=True)
    nxt = logic.after(action, c.status, starts_at=as_utc(c.starts_at), now=now)
    if nxt is None:
        raise Conflict(f"a {c.status} campaign cannot {action}", field="status", code="campaign.bad_transition",
                       params={"status": c.status, "action": action})
    if action == "launch" and c.approved_revision != c.revision:
        raise Conflict("this revision has not been approved", field="status", code="campaign.not_approved")
    before = c.status
    c.status, c.updated_at = nxt, utcnow()
    session.flush()
    if nxt == "running" and action == "launch":
        try:
            _launch(platform, session, who, c)
        except Exception:
            # All strategies run, or the campaign stays as it was (what a failed launch started is paused).
            session.rollback()
            back = _visible_or_404(session, who, campaign_id, lock=True)
            back.status, back.updated_at = before, utcnow()
            gov.record(session=session, username=who.username, action="campaign.launch_failed", target_type=OBJECT,
                       target_id=str(back.id), detail={"status": before}, ip=who.ip)
            session.commit()
            raise
    elif c.strategy_ids:
        _strategies(platform, session, who, c, {"pause": "pause", "resume": "resume", "end": "stop"}.get(action))
    gov.record(session=session, username=who.username, action=f"campaign.{action}", target_type=OBJECT,
               target_id=str(c.id), detail={"from": before, "to": nxt}, ip=who.ip)
    session.flush()
    return _read(c)


def _strategies(platform: Platform, session: Session, who: Principal, c: Campaign, action: str | None) -> None:
    from mofang.strategy.canvas import change_state

    if action is None:
        return
    actor = _acting_for(who, c.owner_org)
    for sid in c.strategy_ids:
        try:
            change_state(platform=platform, session=session, who=actor, strategy_id=sid, action=action)  # type: ignore[arg-type]
        except Conflict:
            log.info("strategy %s of campaign %s was already past %s", sid, c.id, action)


def start_due(*, platform: Platform, session: Session, who: Principal, now: datetime) -> list[int]:
    """Start scheduled campaigns whose start has come (the scheduler's job; `who` is the system user)."""
    started = []
    for c in repo.campaigns(session):
        if c.status == "scheduled" and as_utc(c.starts_at) <= now:
            c.status = "running"
            _launch(platform, session, who, c)
            started.append(c.id)
        elif c.status in ("running", "paused") and as_utc(c.ends_at) <= now:
            c.status = "ended"
            _strategies(platform, session, who, c, "stop")
    session.flush()
    return started


def calendar(*, session: Session, who: Principal, start: datetime | None = None, end: datetime | None = None
             ) -> list[CalendarEntry]:
    """Campaigns of the viewer's subtree in a period, each with the campaigns it overlaps."""
    rows = [c for c in repo.campaigns(session) if who.scope.allows_org(c.owner_org)
            and c.status not in ("archived", "rejected")
            and (start is None or as_utc(c.ends_at) > start) and (end is None or as_utc(c.starts_at) < end)]
    slots = [logic.Slot(c.id, c.owner_org, c.segment_id, as_utc(c.starts_at), as_utc(c.ends_at)) for c in rows]
    found = logic.conflicts(slots)
    return [CalendarEntry(id=c.id, name=c.name, status=c.status, owner_org=c.owner_org, starts_at=as_utc(c.starts_at),
                          ends_at=as_utc(c.ends_at), segment_id=c.segment_id, conflicts=found[c.id]) for c in rows]


def history(*, session: Session, who: Principal, campaign_id: int) -> list[ApprovalRead]:
    """A campaign's approval requests, newest first."""
    c = _visible_or_404(session, who, campaign_id)
    return approvals.history(session=session, who=who, object_type=OBJECT, object_id=str(c.id))


# ------------------------------------------------------------------------------------------------ hooks


def strategy_needs_approval(*, session: Session, strategy_id: int, version: int) -> bool:
    """Publishing a strategy: a campaign's strategies are covered by the campaign's approval; any other needs
    approval when a rule says so (then that version must have been approved)."""
    c = repo.campaign_with_strategy(session, strategy_id)
    if c is not None:
        return c.approved_revision != c.revision
    needed, _ = approvals.needs_approval(session=session, object_type="strategy")
    return needed and not approvals.is_approved(session=session, object_type="strategy", object_id=str(strategy_id),
                                                revision=version)


def content_needs_approval(*, session: Session, template_id: int, version: int) -> bool:
    """Activating a content template: only when a rule says so, and that version is not approved yet."""
    needed, _ = approvals.needs_approval(session=session, object_type="content_template")
    return needed and not approvals.is_approved(session=session, object_type="content_template",
                                                object_id=str(template_id), revision=version)


def funnel(*, platform: Platform, session: Session, who: Principal, campaign_id: int, now: datetime
           ) -> CampaignFunnel:
    """The campaign's live participation funnel within the viewer's scope."""
    c = _visible_or_404(session, who, campaign_id)
    return participation.funnel(platform=platform, session=session, scope=who.scope, c=c, now=now)


def invites(*, platform: Platform, session: Session, who: Principal, campaign_id: int, depth: int, limit: int,
            offset: int) -> InviteTree:
    """A page of the campaign's invite tree within the viewer's scope (409 for a campaign without invitations)."""
    c = _visible_or_404(session, who, campaign_id)
    if c.template_id not in ("mgm", "loan_cashback"):
        raise Conflict("this campaign has no invitations", field="campaign_id", code="campaign.wrong_template")
    return participation.invite_tree(platform=platform, session=session, scope=who.scope, c=c, depth=depth,
                                     limit=limit, offset=offset)


_STRATEGY_MAP_SECONDS = 5.0  # a launch maps new strategy ids; a miss re-reads the table at most this often


def campaign_of_strategy(*, platform: Platform, strategy_id: int) -> int | None:
    """The campaign whose compiled strategies include this one (remembered; campaigns launch rarely)."""
    import time

    known: tuple[float, dict[int, int]] | None = platform.extras.get("campaign_strategy_map")
    if known is not None and (strategy_id in known[1] or time.monotonic() - known[0] < _STRATEGY_MAP_SECONDS):
        return known[1].get(strategy_id)
    with platform.metadata.session() as session:
        mapping = repo.strategy_campaigns(session)
    platform.extras["campaign_strategy_map"] = (time.monotonic(), mapping)
    return mapping.get(strategy_id)

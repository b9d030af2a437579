"""Generic maker-checker approvals: rules per object type and amount, requests with a diff, decisions. Audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import logic
from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.contracts import ApprovalRead, Check, Decision, RuleRead, RuleWrite
from mofang.campaigns.lifecycle.models import Approval, ApprovalRule
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_USERS, P_CAMPAIGN_APPROVE
from mofang.platform.storage.models import utcnow

# What happens to the object when its request is decided: object_type → fn(session, approval, who).
ON_DECIDED: dict[str, Callable[[Session, Approval, Principal], None]] = {}


def rules_of(session: Session) -> list[logic.Rule]:
    """The enabled approval rules."""
    return [logic.Rule(r.object_type, r.min_amount, r.approver_org) for r in repo.rules(session)]


def needs_approval(*, session: Session, object_type: str, amount: float | None = None) -> tuple[bool, str | None]:
    """Whether an object type (at this amount) needs approval, and the org whose approvers decide."""
    return logic.required(rules_of(session), object_type, amount)


def is_approved(*, session: Session, object_type: str, object_id: str, revision: int) -> bool:
    """Whether this revision of the object has been approved."""
    last = repo.last_approved(session, object_type, object_id)
    return last is not None and last.revision == revision


def _read(session: Session, row: Approval, who: Principal | None) -> ApprovalRead:
    can = who is not None and row.status == "pending" and logic.may_decide(
        maker=row.maker, owner_org=row.owner_org, required_org=row.approver_org, username=who.username,
        user_org=who.org_code, can_approve=who.can(P_CAMPAIGN_APPROVE)) is None
    return ApprovalRead(
        id=row.id, object_type=row.object_type, object_id=row.object_id, revision=row.revision, title=row.title,
        owner_org=row.owner_org, approver_org=row.approver_org, amount=row.amount, maker=row.maker,
        status=row.status,  # type: ignore[arg-type]
        decided_by=row.decided_by, reason=row.reason, created_at=row.created_at, decided_at=row.decided_at,
        diff=logic.diff(row.previous, row.payload), checks=[Check.model_validate(c) for c in row.checks or []],
        can_decide=can)


def request_approval(*, session: Session, object_type: str, object_id: str, payload: dict[str, Any],
                     who: Principal, revision: int = 1, title: str = "", amount: float | None = None,
                     owner_org: str | None = None, checks: list[Check] | None = None) -> ApprovalRead:
    """Ask for approval of one revision of an object (one open request per object). Audited."""
    _, approver_org = needs_approval(session=session, object_type=object_type, amount=amount)
    previous = repo.last_approved(session, object_type, object_id)
    row = Approval(object_type=object_type, object_id=object_id, revision=revision, title=title or object_id,
                   payload=payload, previous=previous.payload if previous else None,
                   checks=[c.model_dump(mode="json") for c in checks or []], amount=amount,
                   owner_org=owner_org or who.org_code, approver_org=approver_org, maker=who.username,
                   status="pending", created_at=utcnow(), open_key=f"{object_type}:{object_id}")
    try:
        with session.begin_nested():
            repo.add(session, row)
    except IntegrityError as exc:
        raise Conflict(f"{object_type} {object_id} already waits for approval", field="object_id",
                       code="approval.already_pending") from exc
    gov.record(session=session, username=who.username, action="approval.request", target_type=object_type,
               target_id=object_id, detail={"approval_id": row.id, "revision": revision, "amount": amount,
                                            "approver_org": approver_org}, ip=who.ip)
    return _read(session, row, who)


def owner_of(*, session: Session, who: Principal, object_type: str, object_id: str) -> str:
    """The org owning a strategy or content template the user may see (404 otherwise); budgets: the user's org."""
    owner: str | None = who.org_code
    if object_type in ("strategy", "content_template"):
        if not object_id.isdigit() or len(object_id) > 9:
            owner = None
        elif object_type == "strategy":
            from mofang.strategy.canvas import owner_of as strategy_owner

            found = strategy_owner(session=session, strategy_id=int(object_id))
            owner = found[0] if found else None
        else:
            from mofang.reach.content import get_template

            t = get_template(session=session, template_id=int(object_id))
            owner = t.owner_org if t else None
    if owner is None or not who.scope.allows_org(owner):
        raise NotFound(f"{object_type} {object_id} not found", field="object_id", code="approval.object_not_found")
    return owner


def decide(*, session: Session, who: Principal, approval_id: int, decision: Decision) -> ApprovalRead:
    """Approve or reject a pending request (never your own; approver role; in the maker's org line). Audited."""
    row = repo.approval(session, approval_id, lock=True)
    if row is None or (not who.scope.allows_org(row.owner_org) and not logic.in_line(who.org_code, row.owner_org)):
        raise NotFound(f"approval {approval_id} not found", field="approval_id", code="approval.not_found")
    if row.status != "pending":
        raise Conflict(f"approval {approval_id} is already {row.status}", field="status",
                       code="approval.already_decided", params={"status": row.status})
    why = logic.may_decide(maker=row.maker, owner_org=row.owner_org, required_org=row.approver_org,
                           username=who.username, user_org=who.org_code, can_approve=who.can(P_CAMPAIGN_APPROVE))
    if why is not None:
        raise Forbidden(f"you may not decide approval {approval_id}: {why}", code=why,
                        params={"org": row.approver_org or row.owner_org})
    if not decision.approve and not (decision.reason or "").strip():
        raise Invalid("a rejection needs a reason", field="reason", code="approval.reason_required")
    row.status = "approved" if decision.approve else "rejected"
    row.decided_by, row.decided_at, row.reason, row.open_key = who.username, utcnow(), decision.reason, None
    session.flush()
    hook = ON_DECIDED.get(row.object_type)
    if hook is not None:
        hook(session, row, who)
    gov.record(session=session, username=who.username, action=f"approval.{row.status}", target_type=row.object_type,
               target_id=row.object_id, detail={"approval_id": row.id, "revision": row.revision,
                                                "reason": decision.reason}, ip=who.ip)
    return _read(session, row, who)


def withdraw_open(*, session: Session, object_type: str, object_id: str, who: Principal) -> None:
    """Withdraw an object's open request (it was edited: the new revision must be submitted again)."""
    for row in repo.approvals(session, status="pending", object_type=object_type, object_id=object_id):
        row.status, row.open_key, row.decided_at = "withdrawn", None, utcnow()
        gov.record(session=session, username=who.username, action="approval.withdrawn", target_type=object_type,
                   target_id=object_id, detail={"approval_id": row.id}, ip=who.ip)
    session.flush()


def inbox(*, session: Session, who: Principal, status: str | None = "pending") -> list[ApprovalRead]:
    """Requests the user may decide, or made (pending ones by default), within their org line."""
    out = []
    for row in repo.approvals(session, status=status):
        mine = row.maker == who.username
        visible = who.scope.allows_org(row.owner_org) or logic.in_line(who.org_code, row.owner_org)
        if not visible:
            continue
        read = _read(session, row, who)
        if mine or read.can_decide or status != "pending":
            out.append(read)
    return out


def history(*, session: Session, who: Principal, object_type: str, object_id: str) -> list[ApprovalRead]:
    """Every request of one object, newest first."""
    return [_read(session, r, who) for r in repo.approvals(session, object_type=object_type, object_id=object_id)]


def get(*, session: Session, who: Principal, approval_id: int) -> ApprovalRead:
    """One request (in the viewer's org line)."""
    row = repo.approval(session, approval_id)
    if row is None or not (who.scope.allows_org(row.owner_org) or logic.in_line(who.org_code, row.owner_org)):
        raise NotFound(f"approval {approval_id} not found", field="approval_id", code="approval.not_found")
    return _read(session, row, who)


def list_rules(*, session: Session) -> list[RuleRead]:
    """Every approval rule."""
    return [RuleRead(id=r.id, object_type=r.object_type, min_amount=r.min_amount, approver_org=r.approver_org,
                     enabled=r.enabled) for r in repo.all_rules(session)]


def add_rule(*, session: Session, who: Principal, data: RuleWrite) -> RuleRead:
    """A new rule (administrators). Audited."""
    if not who.can(P_ADMIN_USERS):
        raise Forbidden("only administrators change approval rules", code="forbidden")
    if data.approver_org is not None and data.approver_org not in gov.org_names(session=session):
        raise Invalid(f"unknown org {data.approver_org}", field="approver_org", code="approval.unknown_org")
    row = ApprovalRule(object_type=data.object_type, min_amount=data.min_amount, approver_org=data.approver_org,
                       enabled=data.enabled, created_at=utcnow())
    repo.add(session, row)
    gov.record(session=session, username=who.username, action="approval.rule_add", target_type="approval_rule",
               target_id=str(row.id), detail=data.model_dump(), ip=who.ip)
    return RuleRead(id=row.id, object_type=row.object_type, min_amount=row.min_amount,
                    approver_org=row.approver_org, enabled=row.enabled)

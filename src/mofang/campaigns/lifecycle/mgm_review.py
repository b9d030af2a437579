"""The review queue of invites held by the velocity rules (administrators release or refuse them). Audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.contracts import ReferralRead, ReviewDecision
from mofang.campaigns.lifecycle.models import Referral
from mofang.platform.errors import Conflict, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.pii import mask_digits


def _read(r: Referral) -> ReferralRead:
    return ReferralRead(id=r.id, campaign_id=r.campaign_id, inviter=mask_digits(r.inviter) or "",
                        invitee=mask_digits(r.invitee) or "",
                        status=r.status, reason=r.reason, created_at=r.created_at)


def _visible(session: Session, who: Principal, r: Referral) -> bool:
    c = repo.campaign(session, r.campaign_id)
    return c is not None and who.scope.allows_org(c.owner_org)


def held(*, session: Session, who: Principal, campaign_id: int | None = None) -> list[ReferralRead]:
    """Held invites of campaigns in the viewer's subtree (of one campaign when given), newest first."""
    return [_read(r) for r in repo.referrals(session, status="held", campaign_id=campaign_id)
            if _visible(session, who, r)]


def review(*, session: Session, who: Principal, referral_id: int, decision: ReviewDecision) -> ReferralRead:
    """Release (back to pending: the action still has to happen) or refuse a held invite."""
    r = repo.referral(session, referral_id, lock=True)
    if r is None or not _visible(session, who, r):
        raise NotFound(f"referral {referral_id} not found", field="referral_id", code="mgm.referral_not_found")
    if r.status != "held":
        raise Conflict(f"referral {referral_id} is {r.status}", field="status", code="mgm.not_held",
                       params={"status": r.status})
    r.status, r.reviewed_by = ("pending" if decision.release else "refused"), who.username
    r.reason = None if decision.release else (decision.reason or "mgm.refused_on_review")
    gov.record(session=session, username=who.username, action="mgm.review", target_type="referral",
               target_id=str(r.id), detail={"release": decision.release, "reason": decision.reason}, ip=who.ip)
    session.flush()
    return _read(r)

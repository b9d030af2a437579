"""HTTP routes of the campaign centre's console: campaigns, checks, approvals inbox, calendar, MGM review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from mofang.campaigns.lifecycle import approvals, mgm_review, service
from mofang.campaigns.lifecycle.contracts import (
    ApprovalRead,
    ApprovalRequest,
    CalendarEntry,
    CampaignFunnel,
    CampaignRead,
    CampaignUpdate,
    CampaignWrite,
    Check,
    Decision,
    InviteTree,
    ReferralRead,
    ReviewDecision,
    RuleRead,
    RuleWrite,
)
from mofang.platform.deps import PlatformDep, SessionDep, get_principal, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_USERS, P_ANALYTICS, P_CAMPAIGN_EDIT

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])
approvals_router = APIRouter(prefix="/api/approvals", tags=["campaigns"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Admin = Annotated[Principal, Depends(require(P_ADMIN_USERS))]
Anyone = Annotated[Principal, Depends(get_principal)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=list[CampaignRead])
def list_campaigns(who: Reader, session: SessionDep) -> list[CampaignRead]:
    """Campaigns of your org subtree."""
    return service.list_campaigns(session=session, who=who)


@router.post("", response_model=CampaignRead, status_code=201)
def create_campaign(body: CampaignWrite, who: Editor, session: SessionDep) -> CampaignRead:
    """A new draft campaign from a template, owned by your org."""
    return service.create(session=session, who=who, data=body)


@router.get("/calendar", response_model=list[CalendarEntry])
def calendar(who: Reader, session: SessionDep, start: datetime | None = None, end: datetime | None = None
             ) -> list[CalendarEntry]:
    """Campaigns in a period with their overlaps (same customers, same time)."""
    return service.calendar(session=session, who=who, start=start, end=end)


@router.get("/referrals/held", response_model=list[ReferralRead])
def held_referrals(who: Admin, session: SessionDep,
                   campaign_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> list[ReferralRead]:
    """Invites held by the velocity rules, for review (administrators); of one campaign when given."""
    return mgm_review.held(session=session, who=who, campaign_id=campaign_id)


@router.post("/referrals/{referral_id}/review", response_model=ReferralRead)
def review_referral(referral_id: Id, body: ReviewDecision, who: Admin, session: SessionDep) -> ReferralRead:
    """Release a held invite (it waits for the action again) or refuse it."""
    return mgm_review.review(session=session, who=who, referral_id=referral_id, decision=body)


@router.get("/{campaign_id}", response_model=CampaignRead)
def get_campaign(campaign_id: Id, who: Reader, session: SessionDep) -> CampaignRead:
    """One campaign."""
    return service.get(session=session, who=who, campaign_id=campaign_id)


@router.patch("/{campaign_id}", response_model=CampaignRead)
def update_campaign(campaign_id: Id, body: CampaignUpdate, who: Editor, session: SessionDep) -> CampaignRead:
    """Edit a campaign (after approval: it must be approved again)."""
    return service.update(session=session, who=who, campaign_id=campaign_id, data=body)


@router.get("/{campaign_id}/checks", response_model=list[Check])
def campaign_checks(campaign_id: Id, who: Reader, session: SessionDep, platform: PlatformDep) -> list[Check]:
    """The checks a submit runs: sensitive words, suitability, budget and stock, audience, overlaps."""
    return service.check(platform=platform, session=session, who=who, campaign_id=campaign_id)


@router.post("/{campaign_id}/submit", response_model=ApprovalRead)
def submit_campaign(campaign_id: Id, who: Editor, session: SessionDep, platform: PlatformDep) -> ApprovalRead:
    """Submit for approval (the checks travel with the request)."""
    return service.submit(platform=platform, session=session, who=who, campaign_id=campaign_id)


@router.get("/{campaign_id}/approvals", response_model=list[ApprovalRead])
def campaign_approvals(campaign_id: Id, who: Reader, session: SessionDep) -> list[ApprovalRead]:
    """The campaign's approval history."""
    return service.history(session=session, who=who, campaign_id=campaign_id)


@router.get("/{campaign_id}/funnel", response_model=CampaignFunnel)
def campaign_funnel(campaign_id: Id, who: Reader, session: SessionDep, platform: PlatformDep) -> CampaignFunnel:
    """Targeted → reached → joined → completed → rewarded, live, in customers of your scope."""
    from mofang.platform.context import now_of

    return service.funnel(platform=platform, session=session, who=who, campaign_id=campaign_id,
                          now=now_of(platform))


@router.get("/{campaign_id}/invites", response_model=InviteTree)
def campaign_invites(campaign_id: Id, who: Reader, session: SessionDep, platform: PlatformDep,
                     depth: Annotated[int, Query(ge=1, le=5)] = 3, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                     offset: Annotated[int, Query(ge=0, le=10**6)] = 0) -> InviteTree:
    """The invite tree (inviter → invitees, masked), biggest inviters first, `depth` levels, a page of roots."""
    return service.invites(platform=platform, session=session, who=who, campaign_id=campaign_id, depth=depth,
                           limit=limit, offset=offset)


@router.post("/{campaign_id}/{action}", response_model=CampaignRead)
def campaign_action(campaign_id: Id, action: Literal["launch", "pause", "resume", "end", "archive"], who: Editor,
                    session: SessionDep, platform: PlatformDep) -> CampaignRead:
    """Launch an approved campaign (into strategies), pause, resume, end or archive it."""
    return service.transition(platform=platform, session=session, who=who, campaign_id=campaign_id, action=action)


@approvals_router.get("", response_model=list[ApprovalRead])
def inbox(who: Anyone, session: SessionDep,
          status: Annotated[Literal["pending", "approved", "rejected", "withdrawn"], Query()] = "pending"
          ) -> list[ApprovalRead]:
    """Requests you may decide or made, with what changed and the checks."""
    return approvals.inbox(session=session, who=who, status=status)


@approvals_router.post("", response_model=ApprovalRead, status_code=201)
def request(body: ApprovalRequest, who: Editor, session: SessionDep) -> ApprovalRead:
    """Ask for approval of a strategy version, a content template version or a benefit budget."""
    owner = approvals.owner_of(session=session, who=who, object_type=body.object_type, object_id=body.object_id)
    return approvals.request_approval(session=session, object_type=body.object_type, object_id=body.object_id,
                                      payload=body.payload, who=who, revision=body.revision, title=body.title,
                                      amount=body.amount, owner_org=owner)


@approvals_router.get("/rules", response_model=list[RuleRead])
def rules(_who: Anyone, session: SessionDep) -> list[RuleRead]:
    """Which object types need approval, from what amount, by which org."""
    return approvals.list_rules(session=session)


@approvals_router.post("/rules", response_model=RuleRead, status_code=201)
def add_rule(body: RuleWrite, who: Admin, session: SessionDep) -> RuleRead:
    """A new approval rule (administrators)."""
    return approvals.add_rule(session=session, who=who, data=body)


@approvals_router.get("/{approval_id}", response_model=ApprovalRead)
def get_approval(approval_id: Id, who: Anyone, session: SessionDep) -> ApprovalRead:
    """One request with its diff and checks."""
    return approvals.get(session=session, who=who, approval_id=approval_id)


@approvals_router.post("/{approval_id}/decide", response_model=ApprovalRead)
def decide(approval_id: Id, body: Decision, who: Anyone, session: SessionDep) -> ApprovalRead:
    """Approve, or reject with a reason (approvers in the maker's org line; never your own)."""
    return approvals.decide(session=session, who=who, approval_id=approval_id, decision=body)

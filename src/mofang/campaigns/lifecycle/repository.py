"""Queries of campaigns, approvals, invites, referrals, actions and stored API answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle.models import Action, ApiResponse, Approval, ApprovalRule, Campaign, Invite, Referral


def campaign(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign | None:
    """One campaign (locked for update when asked)."""
    q = select(Campaign).where(Campaign.id == campaign_id)
    return session.scalars(q.with_for_update() if lock else q).first()


def campaigns(session: Session) -> Sequence[Campaign]:
    """Every campaign, newest first."""
    return session.scalars(select(Campaign).order_by(Campaign.id.desc())).all()


def campaign_with_strategy(session: Session, strategy_id: int) -> Campaign | None:
    """The campaign a strategy was compiled for (None: a strategy of its own)."""
    # JSON columns compare differently on SQLite and PostgreSQL: the (few) campaigns are scanned.
    for c in session.scalars(select(Campaign).where(Campaign.status != "archived")):
        if strategy_id in (c.strategy_ids or []):
            return c
    return None


def strategy_campaigns(session: Session) -> dict[int, int]:
    """Campaign id by compiled strategy id, over every campaign that has strategies."""
    rows = session.execute(select(Campaign.id, Campaign.strategy_ids)).all()
    return {int(sid): int(cid) for cid, sids in rows for sid in (sids or []) if isinstance(sid, int)}


def rules(session: Session) -> Sequence[ApprovalRule]:
    """Enabled approval rules."""
    return session.scalars(select(ApprovalRule).where(ApprovalRule.enabled.is_(True)).order_by(ApprovalRule.id)).all()


def all_rules(session: Session) -> Sequence[ApprovalRule]:
    """Every approval rule."""
    return session.scalars(select(ApprovalRule).order_by(ApprovalRule.id)).all()


def approval(session: Session, approval_id: int, *, lock: bool = False) -> Approval | None:
    """One approval request."""
    q = select(Approval).where(Approval.id == approval_id)
    return session.scalars(q.with_for_update() if lock else q).first()


def approvals(session: Session, *, status: str | None = None, object_type: str | None = None,
              object_id: str | None = None) -> Sequence[Approval]:
    """Approval requests, newest first."""
    q = select(Approval).order_by(Approval.id.desc())
    if status is not None:
        q = q.where(Approval.status == status)
    if object_type is not None:
        q = q.where(Approval.object_type == object_type)
    if object_id is not None:
        q = q.where(Approval.object_id == object_id)
    return session.scalars(q).all()


def last_approved(session: Session, object_type: str, object_id: str) -> Approval | None:
    """The latest approved request of an object (what a new request is compared with)."""
    return session.scalars(select(Approval).where(
        Approval.object_type == object_type, Approval.object_id == object_id, Approval.status == "approved")
        .order_by(Approval.id.desc())).first()


def invite_of(session: Session, campaign_id: int, customer_id: str) -> Invite | None:
    """A customer's invite in a campaign."""
    return session.scalars(select(Invite).where(Invite.campaign_id == campaign_id,
                                                Invite.customer_id == customer_id)).first()


def invite_by_code(session: Session, code: str) -> Invite | None:
    """The invite a code belongs to."""
    return session.scalars(select(Invite).where(Invite.code == code)).first()


def referral_of(session: Session, campaign_id: int, invitee: str, *, lock: bool = False) -> Referral | None:
    """The referral of an invitee in a campaign."""
    q = select(Referral).where(Referral.campaign_id == campaign_id, Referral.invitee == invitee)
    return session.scalars(q.with_for_update() if lock else q).first()


def referral(session: Session, referral_id: int, *, lock: bool = False) -> Referral | None:
    """One referral."""
    q = select(Referral).where(Referral.id == referral_id)
    return session.scalars(q.with_for_update() if lock else q).first()


def referrals(session: Session, *, status: str | None = None, campaign_id: int | None = None,
              inviter: str | None = None) -> Sequence[Referral]:
    """Referrals, newest first."""
    q = select(Referral).order_by(Referral.id.desc())
    if status is not None:
        q = q.where(Referral.status == status)
    if campaign_id is not None:
        q = q.where(Referral.campaign_id == campaign_id)
    if inviter is not None:
        q = q.where(Referral.inviter == inviter)
    return session.scalars(q).all()


def count_completed(session: Session, campaign_id: int, inviter: str) -> int:
    """Rewarded referrals of an inviter."""
    return session.scalar(select(func.count()).select_from(Referral).where(
        Referral.campaign_id == campaign_id, Referral.inviter == inviter, Referral.status == "completed")) or 0


def recent_from(session: Session, campaign_id: int, *, device_hash: str | None, ip_hash: str | None,
                since: datetime) -> int:
    """Referrals accepted since `since` from the same device or IP (the velocity rule)."""
    best = 0
    for col, value in ((Referral.device_hash, device_hash), (Referral.ip_hash, ip_hash)):
        if value:
            best = max(best, session.scalar(select(func.count()).select_from(Referral).where(
                Referral.campaign_id == campaign_id, col == value, Referral.created_at >= since)) or 0)
    return best


def inviter_of(session: Session, campaign_id: int, customer_id: str) -> str | None:
    """Who invited a customer in a campaign (refused referrals do not count)."""
    return session.scalar(select(Referral.inviter).where(
        Referral.campaign_id == campaign_id, Referral.invitee == customer_id, Referral.status != "refused"))


def actions(session: Session, campaign_id: int, customer_id: str, kind: str | None = None) -> Sequence[Action]:
    """A customer's actions in a campaign, oldest first."""
    q = select(Action).where(Action.campaign_id == campaign_id, Action.customer_id == customer_id)
    if kind is not None:
        q = q.where(Action.kind == kind)
    return session.scalars(q.order_by(Action.id)).all()


def action(session: Session, campaign_id: int, customer_id: str, kind: str, slot: str) -> Action | None:
    """One action by its slot."""
    return session.scalars(select(Action).where(Action.campaign_id == campaign_id, Action.customer_id == customer_id,
                                                Action.kind == kind, Action.slot == slot)).first()


def prize_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """How many of each lottery prize a campaign has given (draws that won)."""
    out: dict[int, int] = {}
    for result in session.scalars(select(Action.result).where(Action.campaign_id == campaign_id,
                                                              Action.kind == "draw")):
        prize = (result or {}).get("prize_index")
        if prize is not None:
            out[int(prize)] = out.get(int(prize), 0) + 1
    return out


def response(session: Session, key: str) -> ApiResponse | None:
    """The stored first answer to an idempotency key."""
    return session.get(ApiResponse, key)


def add(session: Session, row: object) -> None:
    """Insert a row and flush (so ids and unique constraints take effect now)."""
    session.add(row)
    session.flush()

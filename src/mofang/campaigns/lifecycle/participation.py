"""The detail page's live numbers: a campaign's participation funnel and its MGM invite tree, within the viewer's
data scope (customers outside it are neither counted nor listed)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.campaigns.benefits.models import BenefitGrant
from mofang.campaigns.lifecycle.contracts import CampaignFunnel, InviteNode, InviteTree, ParticipationStage
from mofang.campaigns.lifecycle.models import Action, Campaign, Invite, Referral
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.platform.governance.contracts import Scope
from mofang.platform.pii import mask_digits, mask_name

log = logging.getLogger(__name__)
CHUNK = 500
# What a customer did to take part, per record kind; rewards are counted apart.
TAKING_PART = ("join", "checkin", "draw", "action")


def _scoped(scope: Scope) -> object | None:
    """The select of customer ids the scope sees (None: everyone), through the profiles' one scope helper."""
    if scope.kind == "all":
        return None
    from mofang.insight.profiles import scoped_customers

    return scoped_customers(scope)[0]


def _in_scope(session: Session, scope: Scope, ids: Iterable[str]) -> set[str]:
    """Which of these customers the scope sees."""
    wanted = sorted(set(ids))
    sel = _scoped(scope)
    if sel is None:
        return set(wanted)
    sub = sel.subquery()  # type: ignore[attr-defined]
    seen: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        seen |= set(session.scalars(select(sub.c.customer_id).where(sub.c.customer_id.in_(wanted[i:i + CHUNK]))))
    return seen


def _count(session: Session, scope: Scope, q: object) -> int:
    """Distinct customers of a select of customer ids, within the scope."""
    ids = set(session.scalars(q))  # type: ignore[call-overload]
    return len(_in_scope(session, scope, ids))


def _delivery(platform: Platform, scope: Scope, c: Campaign, now: datetime) -> tuple[int | None, int | None]:
    """(targeted, reached) from the effects module's funnel of the campaign's strategies (None: never published)."""
    if not c.strategy_ids:
        return None, None
    from mofang.monitor.effects import strategy_effect

    try:
        effect = strategy_effect(platform=platform, scope=scope, strategy_ids=list(c.strategy_ids),
                                 campaign_id=c.id, n_resamples=100, now=now)
    except MofangError as exc:  # e.g. effects.not_published: the stages are unknown, not zero
        log.info("no delivery funnel for campaign %s: %s", c.id, exc)
        return None, None
    stages = {s.stage: s.count for s in effect.funnel.stages}
    return stages.get("targeted"), stages.get("delivered")


def funnel(*, platform: Platform, session: Session, scope: Scope, c: Campaign, now: datetime) -> CampaignFunnel:
    """Targeted → reached → joined → completed → rewarded, in distinct customers of the viewer's scope.

    Joined: took part (joined, checked in, drew, acted), took an invite code or accepted an invite. Completed: did
    what earns the reward (a completed invite counts for both sides). Rewarded: was issued a benefit here."""
    targeted, reached = _delivery(platform, scope, c, now)
    took_part = set(session.scalars(select(Action.customer_id).where(
        Action.campaign_id == c.id, Action.kind.in_(TAKING_PART)).distinct()))
    took_part |= set(session.scalars(select(Invite.customer_id).where(Invite.campaign_id == c.id)))
    took_part |= set(session.scalars(select(Referral.invitee).where(Referral.campaign_id == c.id,
                                                                    Referral.status != "refused")))
    done = session.execute(select(Referral.inviter, Referral.invitee).where(
        Referral.campaign_id == c.id, Referral.status == "completed")).all()
    rewards = session.scalars(select(Action).where(Action.campaign_id == c.id, Action.kind == "reward")).all()
    # The ledger is the truth of what was issued: it also holds the grants the campaign's own journeys made
    # (a 发放权益 node), which the customer API's actions do not record. A refused grant still completed the step.
    ledger = session.execute(select(BenefitGrant.customer_id, BenefitGrant.status).where(
        BenefitGrant.campaign_id == c.id).distinct()).all()
    completed = {x for pair in done for x in pair} | {a.customer_id for a in rewards} | {g for g, _ in ledger}
    rewarded = {a.customer_id for a in rewards if (a.result or {}).get("state") == "issued"}
    rewarded |= {g for g, status in ledger if status == "issued"}
    visible = _in_scope(session, scope, took_part | completed | rewarded)
    counts = {"targeted": targeted, "reached": reached, "joined": len(took_part & visible),
              "completed": len(completed & visible), "rewarded": len(rewarded & visible)}
    return CampaignFunnel(campaign_id=c.id, as_of=now,
                          stages=[ParticipationStage(stage=k, count=v) for k, v in counts.items()])  # type: ignore[arg-type]


def _names(platform: Platform, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    out: dict[str, str] = {}
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i:i + CHUNK]
        marks = ",".join("?" * len(part))
        for r in platform.store.query(f"SELECT customer_id, name FROM customers WHERE customer_id IN ({marks})",
                                      part):
            out[r["customer_id"]] = r["name"]
    return out


def invite_tree(*, platform: Platform, session: Session, scope: Scope, c: Campaign, depth: int, limit: int,
                offset: int) -> InviteTree:
    """The campaign's inviters → invitees within the scope, biggest inviters first, masked, `depth` levels deep.

    An invitee whose inviter lies outside the scope is a root of the viewer's tree."""
    refs = session.scalars(select(Referral).where(Referral.campaign_id == c.id).order_by(Referral.id)).all()
    holders = list(session.scalars(select(Invite.customer_id).where(Invite.campaign_id == c.id)))
    visible = _in_scope(session, scope, [r.invitee for r in refs] + [r.inviter for r in refs] + holders)
    refs = [r for r in refs if r.invitee in visible]
    own = {r.invitee: r for r in refs if r.status != "refused"}  # a customer's standing acceptance
    children: dict[str, list[Referral]] = defaultdict(list)
    for r in refs:
        if r.inviter in visible:
            children[r.inviter].append(r)
    root_ids = {r.inviter for r in refs if r.inviter in visible} | (set(holders) & visible)
    root_ids = {x for x in root_ids if x not in own or own[x].inviter not in visible}
    root_ids |= {r.invitee for r in refs if r.inviter not in visible and r.status != "refused"}
    ranked = sorted(root_ids, key=lambda x: (-len(children.get(x, [])), x))
    page = ranked[offset:offset + limit]
    shown: set[str] = set()

    def collect(x: str, level: int) -> None:
        shown.add(x)
        if level < depth:
            for r in children.get(x, []):
                if r.invitee not in shown:
                    collect(r.invitee, level + 1)

    for x in page:
        collect(x, 1)
    names = _names(platform, shown)
    seen: set[str] = set()

    def node(x: str, ref: Referral | None, level: int) -> InviteNode:
        seen.add(x)
        kids = children.get(x, [])
        listed = [node(r.invitee, r, level + 1) for r in kids if level < depth and r.invitee not in seen]
        return InviteNode(customer=mask_digits(x) or "", name=mask_name(names.get(x)),
                          status=ref.status if ref is not None else "inviter",
                          reason=ref.reason if ref is not None else None,
                          referral_id=ref.id if ref is not None else None, invited=len(kids),
                          completed=sum(1 for r in kids if r.status == "completed"),
                          more=len(kids) - len(listed), children=listed)

    roots = [node(x, own.get(x) if x in own and own[x].inviter not in visible else None, 1) for x in page]
    return InviteTree(campaign_id=c.id, total_roots=len(ranked), depth=depth, offset=offset, limit=limit,
                      roots=roots)

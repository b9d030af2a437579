"""The customer-facing campaign API (server-to-server and H5): eligibility, join, check-in, draw, invites, claims.

Every effect is once per slot (unique constraints); rewards go through `mofang.campaigns.issue_benefit` with an
idempotency key derived from the slot, after the slot is committed: a crash in between is repaired by a retry.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import logic
from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.contracts import AcceptInvite, CustomerCall, IdentityCall, ReportAction
from mofang.campaigns.lifecycle.models import Action, Campaign, Invite, Referral
from mofang.campaigns.templates import aum_qualifies, draw, draw_point, streak
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, MofangError, NotFound
from mofang.platform.governance.contracts import in_subtree
from mofang.platform.storage.models import as_utc

BANK_TZ = ZoneInfo("Asia/Shanghai")
MAX_CHAIN = 50


class BenefitsUnavailable(MofangError):
    """The benefits part is not installed: nothing can be issued (the caller may retry later)."""

    status_code = 503
    default_code = "campaign.benefits_unavailable"


def secret(platform: Platform) -> bytes:
    """The installation's key for draws, invite codes, identity hashes and H5 tokens."""
    return platform.token_key


def live(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign:
    """A running campaign (404 when there is none; 409 when it is not running)."""
    c = repo.campaign(session, campaign_id, lock=lock)
    if c is None or c.status == "draft":
        raise NotFound(f"campaign {campaign_id} not found", field="campaign_id", code="campaign.not_found",
                       params={"id": campaign_id})
    if c.status != "running":
        raise Conflict(f"campaign {campaign_id} is {c.status}", field="campaign_id", code="campaign.not_running",
                       params={"status": c.status})
    return c


def ineligible(session: Session, c: Campaign, customer_id: str, now: datetime, *, audience: bool = True
               ) -> str | None:
    """Why a customer may not take part (None: they may): the owner's subtree, the audience, the period.

    Invitees are not held to the audience (it says who may invite; friends are usually new customers)."""
    from mofang.insight.profiles import get_profile

    if not as_utc(c.starts_at) <= now < as_utc(c.ends_at):
        return "campaign.outside_period"
    p = get_profile(session=session, customer_id=customer_id)
    if p is None or not in_subtree(p.org_code, c.owner_org):
        return "campaign.not_in_scope"  # a branch's campaign reaches only its subtree's customers
    if audience and c.segment_id is not None and c.segment_id not in (p.segments or []):
        return "campaign.not_in_audience"
    return None


def _must_be_eligible(session: Session, c: Campaign, customer_id: str, now: datetime, *, audience: bool = True
                      ) -> None:
    why = ineligible(session, c, customer_id, now, audience=audience)
    if why is not None:
        raise Conflict(f"customer may not take part: {why}", field="customer_id", code=why)


def _record(session: Session, c: Campaign, customer_id: str, kind: str, slot: str, result: dict[str, Any]
            ) -> tuple[Action, bool]:
    """Record an action once per slot; (the action, whether it is new)."""
    found = repo.action(session, c.id, customer_id, kind, slot)
    if found is not None:
        return found, False
    row = Action(campaign_id=c.id, customer_id=customer_id, kind=kind, slot=slot, result=result)
    try:
        with session.begin_nested():
            repo.add(session, row)
    except IntegrityError:
        found = repo.action(session, c.id, customer_id, kind, slot)
        assert found is not None
        return found, False
    return row, True


def _issue(platform: Platform, session: Session, c: Campaign, customer_id: str, benefit_id: int, slot: str,
           now: datetime) -> dict[str, Any]:
    """Issue a benefit once for this slot (recorded first, then issued with the slot's idempotency key)."""
    fn = getattr(importlib.import_module("mofang.campaigns"), "issue_benefit", None)
    if fn is None:
        raise BenefitsUnavailable("the benefits centre is not available", params={"benefit_id": benefit_id})
    row, _ = _record(session, c, customer_id, "reward", slot, {"benefit_id": benefit_id, "state": "issuing"})
    if row.result.get("state") == "issued":
        return dict(row.result)
    session.commit()  # the slot is ours before the effect: a retry re-issues with the same key, never twice
    result = fn(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                idempotency_key=f"campaign:{c.id}:{customer_id}:{slot}", campaign_id=c.id, org_code=c.owner_org,
                now=now)
    data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result or {})
    ok = bool(data.get("ok", data.get("issued", True)))
    row.result = {"benefit_id": benefit_id, "state": "issued" if ok else "refused", "issue": data}
    session.flush()
    return dict(row.result)


def eligibility(*, session: Session, campaign_id: int, customer_id: str, now: datetime) -> dict[str, Any]:
    """Whether the customer may take part, and why not."""
    c = live(session, campaign_id)
    why = ineligible(session, c, customer_id, now)
    return {"campaign_id": c.id, "template_id": c.template_id, "eligible": why is None, "reason": why}


def join(*, platform: Platform, session: Session, campaign_id: int, body: IdentityCall, now: datetime
         ) -> dict[str, Any]:
    """Take part (once); for AUM campaigns the baseline AUM is fixed now."""
    c = live(session, campaign_id)
    _must_be_eligible(session, c, body.customer_id, now)
    result: dict[str, Any] = {"joined_at": now.isoformat()}
    if c.template_id == "aum_growth":
        from mofang.insight.profiles import get_profile

        p = get_profile(session=session, customer_id=body.customer_id)
        result["baseline_aum"] = float(p.aum or 0) if p is not None else 0.0
    row, new = _record(session, c, body.customer_id, "join", "join", result)
    return {"campaign_id": c.id, "joined": True, "first_time": new, **row.result}


def check_in(*, platform: Platform, session: Session, campaign_id: int, body: CustomerCall, now: datetime
             ) -> dict[str, Any]:
    """Check in for today (bank time); rewards on the streak days the template names, each once."""
    c = live(session, campaign_id)
    _must_be_eligible(session, c, body.customer_id, now)
    today = now.astimezone(BANK_TZ).date()
    _, new = _record(session, c, body.customer_id, "checkin", today.isoformat(), {})
    days = [date.fromisoformat(a.slot) for a in repo.actions(session, c.id, body.customer_id, "checkin")]
    n = streak(days, today)
    rewards = []
    rules = c.params
    if rules.get("daily_benefit_id") and new:
        rewards.append(_issue(platform, session, c, body.customer_id, int(rules["daily_benefit_id"]),
                              f"daily-{today.isoformat()}", now))
    if n in (rules.get("milestone_days") or []):
        rewards.append(_issue(platform, session, c, body.customer_id, int(rules["milestone_benefit_id"]),
                              f"streak-{n}", now))
    return {"campaign_id": c.id, "day": today.isoformat(), "checked_in": True, "first_today": new, "streak": n,
            "rewards": rewards}


def lottery(*, platform: Platform, session: Session, campaign_id: int, body: CustomerCall, now: datetime
            ) -> dict[str, Any]:
    """The customer's next draw: a pure function of (campaign, customer, draw number); stock is respected."""
    c = live(session, campaign_id, lock=True)  # the lock serialises draws: a prize's stock is never exceeded
    if c.template_id != "lottery":
        raise Conflict("this campaign has no lottery", field="campaign_id", code="campaign.wrong_template")
    _must_be_eligible(session, c, body.customer_id, now)
    done = repo.actions(session, c.id, body.customer_id, "draw")
    allowed = int(c.params.get("draws_per_customer", 1))
    if len(done) >= allowed:
        raise Conflict("no draws left", field="customer_id", code="campaign.no_draws_left",
                       params={"allowed": allowed})
    n = len(done) + 1
    prizes = c.params["prizes"]
    index = draw(prizes, draw_point(secret(platform), c.id, body.customer_id, n), repo.prize_counts(session, c.id))
    prize = prizes[index] if index is not None else None
    row, _ = _record(session, c, body.customer_id, "draw", str(n),
                     {"prize_index": index, "prize": prize["name"] if prize else None})
    reward = None
    if prize is not None and prize.get("benefit_id"):
        reward = _issue(platform, session, c, body.customer_id, int(prize["benefit_id"]), f"draw-{n}", now)
    return {"campaign_id": c.id, "draw_no": n, "won": prize is not None, "prize": row.result.get("prize"),
            "draws_left": allowed - n, "reward": reward}


def invite_code(*, platform: Platform, session: Session, campaign_id: int, body: IdentityCall, now: datetime
                ) -> dict[str, Any]:
    """The customer's invite code (the same on every call) and the link that carries it."""
    c = live(session, campaign_id)
    _mgm_only(c)
    _must_be_eligible(session, c, body.customer_id, now)
    row = repo.invite_of(session, c.id, body.customer_id)
    if row is None:
        key = secret(platform)
        row = Invite(campaign_id=c.id, customer_id=body.customer_id,
                     code=logic.invite_code(key, c.id, body.customer_id),
                     device_hash=logic.keyed(key, "device", body.device_id),
                     phone_hash=logic.keyed(key, "phone", body.phone), id_hash=logic.keyed(key, "id", body.id_number),
                     created_at=now)
        try:
            with session.begin_nested():
                repo.add(session, row)
        except IntegrityError:
            row = repo.invite_of(session, c.id, body.customer_id)
            assert row is not None
    # The invitee opens their own H5 link (minted for them by the bank) with `?code=` appended.
    return {"campaign_id": c.id, "code": row.code, "share_query": f"code={row.code}"}


def _mgm_only(c: Campaign) -> None:
    if c.template_id not in ("mgm", "loan_cashback"):
        raise Conflict("this campaign has no invitations", field="campaign_id", code="campaign.wrong_template")


def _shared_identity(platform: Platform, session: Session, inv: Invite, body: AcceptInvite) -> bool:
    """The same device, phone or ID number on both sides (keyed hashes; the phone also against identities)."""
    key = secret(platform)
    pairs = ((inv.device_hash, logic.keyed(key, "device", body.device_id)),
             (inv.phone_hash, logic.keyed(key, "phone", body.phone)),
             (inv.id_hash, logic.keyed(key, "id", body.id_number)))
    if any(a is not None and a == b for a, b in pairs):
        return True
    if body.phone:
        from mofang.integration.identities import customers_by_value

        return inv.customer_id in customers_by_value(session=session, platform=platform, kind="mobile",
                                                     value=body.phone)
    return False


def accept_invite(*, platform: Platform, session: Session, campaign_id: int, body: AcceptInvite, now: datetime
                  ) -> dict[str, Any]:
    """An invitee accepts a code: refused for abuse, held for review on velocity, else pending the action."""
    c = live(session, campaign_id)
    _mgm_only(c)
    _must_be_eligible(session, c, body.customer_id, now, audience=False)
    inv = repo.invite_by_code(session, body.code.strip().upper())
    if inv is None or inv.campaign_id != c.id:
        raise NotFound("no such invite code", field="code", code="mgm.unknown_code")
    chain, who = [], inv.customer_id
    while len(chain) < MAX_CHAIN and (up := repo.inviter_of(session, c.id, who)) is not None and up not in chain:
        chain.append(up)
        who = up
    why = logic.refusal(inviter=inv.customer_id, invitee=body.customer_id,
                        shared_identity=_shared_identity(platform, session, inv, body), inviters_of_inviter=chain,
                        rewarded_for_inviter=repo.count_completed(session, c.id, inv.customer_id),
                        cap=int(c.params.get("cap_per_inviter", 10)),
                        already_invited=repo.referral_of(session, c.id, body.customer_id) is not None)
    if why is not None:
        raise Conflict(f"invite refused: {why}", field="code", code=why)
    key = secret(platform)
    device, ip = logic.keyed(key, "device", body.device_id), logic.keyed(key, "ip", body.ip)
    recent = repo.recent_from(session, c.id, device_hash=device, ip_hash=ip, since=now - timedelta(hours=1))
    status = "held" if logic.held(recent, int(c.params.get("velocity_per_hour", 5))) else "pending"
    row = Referral(campaign_id=c.id, inviter=inv.customer_id, invitee=body.customer_id, status=status,
                   reason="mgm.velocity" if status == "held" else None, device_hash=device, ip_hash=ip, created_at=now)
    try:
        with session.begin_nested():
            repo.add(session, row)
    except IntegrityError as exc:
        raise Conflict("this customer has already accepted an invite", field="customer_id",
                       code="mgm.already_invited") from exc
    return {"campaign_id": c.id, "accepted": True, "status": status, "action": c.params.get("action")
            or c.params.get("quota_event")}


def report_action(*, platform: Platform, session: Session, campaign_id: int, body: ReportAction, now: datetime
                  ) -> dict[str, Any]:
    """The customer did something: completes a pending referral (both rewarded once) or counts towards a task."""
    c = live(session, campaign_id)
    _record(session, c, body.customer_id, "action", body.action, {"at": now.isoformat()})
    out: dict[str, Any] = {"campaign_id": c.id, "action": body.action, "rewards": []}
    mgm_action = c.params.get("action") if c.template_id == "mgm" else c.params.get("quota_event")
    if c.template_id in ("mgm", "loan_cashback") and body.action == mgm_action:
        ref = repo.referral_of(session, c.id, body.customer_id, lock=True)
        if ref is not None and ref.status == "pending":
            out["referral"] = _complete(platform, session, c, ref, now, out["rewards"])
    if c.template_id == "task" and body.action in c.params["actions"]:
        done = {a.slot for a in repo.actions(session, c.id, body.customer_id, "action")} & set(c.params["actions"])
        out["done"] = len(done)
        if len(done) >= int(c.params["required_count"]):
            out["rewards"].append(_issue(platform, session, c, body.customer_id, int(c.params["benefit_id"]),
                                         "task", now))
    return out


def _complete(platform: Platform, session: Session, c: Campaign, ref: Referral, now: datetime,
              rewards: list[dict[str, Any]]) -> str:
    """Complete a referral within its window and under the inviter's cap; reward both sides once."""
    window = timedelta(days=int(c.params.get("window_days", 30)))
    if now > as_utc(ref.created_at) + window:
        ref.status, ref.reason = "expired", "mgm.window_passed"
        return ref.status
    if repo.count_completed(session, c.id, ref.inviter) >= int(c.params.get("cap_per_inviter", 10)):
        ref.status, ref.reason = "refused", "mgm.cap_reached"
        return ref.status
    ref.status, ref.completed_at = "completed", now
    session.flush()
    for side, who in (("inviter", ref.inviter), ("invitee", ref.invitee)):
        benefit = c.params.get(f"{side}_benefit_id")
        if benefit:
            rewards.append(_issue(platform, session, c, who, int(benefit), f"mgm-{side}-{ref.id}", now))
    if c.template_id == "loan_cashback":
        done = repo.count_completed(session, c.id, ref.inviter)
        if done >= int(c.params.get("friends_needed", 1)):
            _record(session, c, ref.inviter, "reward", "coupon-activated",
                    {"benefit_id": c.params.get("coupon_benefit_id"), "state": "activated", "friends": done})
    return ref.status


def claim(*, platform: Platform, session: Session, campaign_id: int, body: CustomerCall, now: datetime
          ) -> dict[str, Any]:
    """Claim the campaign's reward: a flash coupon once it opens, or AUM growth verified from the bank's data."""
    c = live(session, campaign_id)
    _must_be_eligible(session, c, body.customer_id, now)
    if c.template_id == "flash":
        local = now.astimezone(BANK_TZ)
        opens = datetime.fromisoformat(f"{c.params['date']}T{c.params['at']}:00").replace(tzinfo=BANK_TZ)
        if local < opens:
            raise Conflict("not open yet", field="campaign_id", code="campaign.not_open",
                           params={"opens_at": opens.isoformat()})
        return {"campaign_id": c.id, "reward": _issue(platform, session, c, body.customer_id,
                                                      int(c.params["benefit_id"]), "flash", now)}
    if c.template_id == "aum_growth":
        joined = repo.action(session, c.id, body.customer_id, "join", "join")
        if joined is None:
            raise Conflict("join the campaign first", field="customer_id", code="campaign.join_first")
        series = [(r["date"], float(r["aum"])) for r in platform.store.query(
            "SELECT date, aum FROM aum_daily WHERE customer_id = ? ORDER BY date", [body.customer_id])]
        ok = aum_qualifies(series, baseline=float(joined.result.get("baseline_aum", 0)),
                           net_new=float(c.params["net_new_aum"]), hold_days=int(c.params["hold_days"]),
                           today=now.astimezone(BANK_TZ).date())
        if not ok:
            raise Conflict("the AUM target is not met yet", field="customer_id", code="campaign.aum_not_met",
                           params={"net_new": c.params["net_new_aum"], "days": c.params["hold_days"]})
        return {"campaign_id": c.id, "reward": _issue(platform, session, c, body.customer_id,
                                                      int(c.params["benefit_id"]), "aum", now)}
    raise Conflict("this campaign has nothing to claim", field="campaign_id", code="campaign.wrong_template")


def progress(*, session: Session, campaign_id: int, customer_id: str, now: datetime) -> dict[str, Any]:
    """Where the customer stands: check-in streak, draws, invites, task actions, rewards."""
    c = live(session, campaign_id)
    acts = repo.actions(session, c.id, customer_id)
    days = [date.fromisoformat(a.slot) for a in acts if a.kind == "checkin"]
    today = now.astimezone(BANK_TZ).date()
    inv = repo.invite_of(session, c.id, customer_id)
    refs = repo.referrals(session, campaign_id=c.id, inviter=customer_id)
    counts: dict[str, int] = {}
    for r in refs:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {
        "campaign_id": c.id, "template_id": c.template_id, "joined": any(a.kind == "join" for a in acts),
        "checked_in_today": today in days, "streak": streak(days, today), "checkin_days": len(days),
        "draws": [a.result for a in acts if a.kind == "draw"],
        "draws_left": max(0, int(c.params.get("draws_per_customer", 0)) - sum(1 for a in acts if a.kind == "draw")),
        "invite_code": inv.code if inv else None, "invites": counts,
        "actions": sorted(a.slot for a in acts if a.kind == "action"),
        "rewards": [{"slot": a.slot, **a.result} for a in acts if a.kind == "reward"],
    }


def my_benefits(*, session: Session, campaign_id: int, customer_id: str) -> dict[str, Any]:
    """The rewards this campaign gave the customer."""
    c = live(session, campaign_id)
    return {"campaign_id": c.id, "benefits": [{"slot": a.slot, **a.result} for a in
                                              repo.actions(session, c.id, customer_id, "reward")]}

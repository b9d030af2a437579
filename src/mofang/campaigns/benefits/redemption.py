"""Redemption and expiry of issued benefits: the ledger's events, each applied once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.campaigns.benefits import logic
from mofang.campaigns.benefits import repository as repo
from mofang.campaigns.benefits.contracts import RedemptionReport, RedemptionResult
from mofang.campaigns.benefits.models import BenefitDefinition
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, NotFound
from mofang.platform.storage.models import as_utc, utcnow


def _drain(platform: Platform) -> None:
    """Bring the ledger up to date with answers decided in Redis but not written yet."""
    if platform.settings.redis_url:
        from mofang.campaigns.benefits import redis_stock

        redis_stock.drain(platform)


def redeem(*, platform: Platform, report: RedemptionReport, actor: str | None = None,
           now: datetime | None = None) -> RedemptionResult:
    """Record that an issued benefit was used (idempotent by redemption_id); 404/409 say why not."""
    _drain(platform)  # a grant decided in Redis may not be in the ledger yet
    when = as_utc(report.redeemed_at) if report.redeemed_at else as_utc(now) if now else utcnow()
    key = f"redeem:{report.redemption_id}"
    with platform.metadata.session() as s:
        prior = repo.event_by_key(s, key)
        if prior is not None:
            if prior.grant_id != report.grant_id:
                raise Conflict("this redemption_id was already reported for another grant",
                               field="redemption_id", code="benefits.key_reused",
                               params={"key": report.redemption_id[:40]})
            return RedemptionResult(status="redeemed", grant_id=prior.grant_id, cost_fen=prior.amount_fen or 0,
                                    redeemed_at=as_utc(prior.ts))
        g = repo.grant(s, report.grant_id)
        if g is None or g.status != "issued":
            raise NotFound(f"no issued benefit {report.grant_id}", field="grant_id",
                           code="benefits.grant_not_found", params={"id": report.grant_id})
        ended = [e for e in repo.events_of(s, [g.id]) if e.terminal == 1]
        if ended:
            code = "benefits.grant_expired" if ended[0].kind == "expired" else "benefits.already_redeemed"
            raise Conflict(f"benefit {g.id} is already {ended[0].kind}", field="grant_id", code=code,
                           params={"id": g.id})
        if g.expires_at is not None and when >= as_utc(g.expires_at):
            raise Conflict(f"benefit {g.id} expired before it was used", field="grant_id",
                           code="benefits.grant_expired", params={"id": g.id})
        d = s.get(BenefitDefinition, g.benefit_id)
        assert d is not None
        if report.order_id is not None:
            _check_stacking(s, d, report.order_id)
        cost = logic.redemption_cost(kind=d.kind, spec=d.params, cost_fen=g.cost_fen, amount_fen=report.amount_fen)
        got = repo.insert_event_new(s, {"grant_id": g.id, "kind": "redeemed", "terminal": 1, "idempotency_key": key,
                                        "amount_fen": cost, "order_id": report.order_id, "actor": actor, "ts": when})
        if got is None:  # lost a race with another report or the expiry job: answer as if it came second
            s.rollback()
            return redeem(platform=platform, report=report, actor=actor, now=now)
        return RedemptionResult(status="redeemed", grant_id=g.id, cost_fen=cost, redeemed_at=when)


def _check_stacking(s: Session, d: BenefitDefinition, order_id: str) -> None:
    """One order may carry several benefits only when every one of them is stackable."""
    others = s.execute(select(repo.EVENTS.c.grant_id).where(repo.EVENTS.c.order_id == order_id,
                                                            repo.EVENTS.c.kind == "redeemed")).all()
    if not others:
        return
    other_defs = s.execute(select(repo.DEFS.c.stackable).select_from(
        repo.GRANTS.join(repo.DEFS, repo.DEFS.c.id == repo.GRANTS.c.benefit_id))
        .where(repo.GRANTS.c.id.in_([o.grant_id for o in others]))).all()
    if not d.stackable or not all(o.stackable for o in other_defs):
        raise Conflict(f"order {order_id} already used a benefit that does not stack with this one",
                       field="order_id", code="benefits.not_stackable")


def expire_due(*, platform: Platform, now: datetime | None = None, batch: int = 1000) -> int:
    """Mark every issued benefit past its end as expired (once; a redemption racing it wins or loses whole)."""
    when = as_utc(now) if now else utcnow()
    done = 0
    while True:
        with platform.metadata.session() as s:
            due = repo.lapsed(s, when, batch)
            for r in due:
                if repo.insert_event_new(s, {"grant_id": r.id, "kind": "expired", "terminal": 1,
                                             "idempotency_key": f"expire:{r.id}", "ts": when}) is not None:
                    done += 1
        if len(due) < batch:
            return done

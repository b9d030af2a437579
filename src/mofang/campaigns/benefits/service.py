"""Benefits: definitions, pools and allocations, issuing, redemption, expiry, the ledger and reconciliation."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.campaigns.benefits import claims_async, issuing, logic
from mofang.campaigns.benefits import repository as repo
from mofang.campaigns.benefits.contracts import (
    AllocationCreate,
    BenefitCreate,
    BenefitRead,
    BenefitUpdate,
    BurnPoint,
    ClaimsStatus,
    IssueResult,
    LedgerPage,
    LedgerRow,
    PoolCreate,
    PoolRead,
    ReconciliationRow,
    Spec,
)
from mofang.campaigns.benefits.models import BenefitDefinition, BenefitPool
from mofang.campaigns.benefits.redemption import expire_due, redeem
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.pii import mask_name
from mofang.platform.scheduler import BANK_TZ
from mofang.platform.storage.models import Org, as_utc, utcnow

SPEC = TypeAdapter(Spec)
__all__ = ["expire_due", "redeem"]  # redemption and expiry live in `redemption`; callers find them here


def issue_benefit(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
                  campaign_id: int | None = None, org_code: str | None = None, now: datetime | None = None,
                  source: str = "engine") -> IssueResult:
    """Issue a benefit to a customer (the engine's 发放权益 node and claims); the first answer per key stands."""
    return issuing.issue(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                         idempotency_key=idempotency_key, campaign_id=campaign_id, org_code=org_code, now=now,
                         source=source)


async def issue_benefit_async(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
                              campaign_id: int | None = None, org_code: str | None = None,
                              now: datetime | None = None, source: str = "claim") -> IssueResult:
    """`issue_benefit` awaited on the event loop (the bank's claim route): same batches and answers, no thread."""
    return await claims_async.issue(platform=platform, benefit_id=benefit_id, customer_id=customer_id,
                                    idempotency_key=idempotency_key, campaign_id=campaign_id, org_code=org_code,
                                    now=now, source=source)


def claims_status(*, platform: Platform) -> ClaimsStatus:
    """Where claims are decided; on Redis, whether an answer survives a Redis crash (checked once per process)."""
    if not platform.settings.redis_url:
        return ClaimsStatus(store="embedded", durability="durable", code=logic.claims_message("embedded", "durable"))
    known = platform.extras.get("benefits_durability")
    if known is None:
        from mofang.campaigns.benefits import redis_stock

        appendonly, appendfsync = redis_stock.durability(platform)
        state = logic.redis_durability(appendonly, appendfsync)
        known = platform.extras["benefits_durability"] = ClaimsStatus(
            store="redis", durability=state, code=logic.claims_message("redis", state), appendonly=appendonly,
            appendfsync=appendfsync)
    return known


def _read(d: Any) -> BenefitRead:
    spec = SPEC.validate_python(d.params)
    return BenefitRead(id=d.id, name=d.name, kind=d.kind, spec=spec, valid_from=_utc(d.valid_from),
                       valid_to=_utc(d.valid_to), valid_days=d.valid_days, per_customer_limit=d.per_customer_limit,
                       stackable=d.stackable, cost_fen=d.cost_fen, cost_on=logic.COST_ON[d.kind],
                       owner_org=d.owner_org, status=d.status, created_by=d.created_by, created_at=as_utc(d.created_at))


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _org_or_raise(session: Session, who: Principal, code: str, field: str) -> str:
    """An org that exists and lies within the user's scope."""
    if session.get(Org, code) is None or not who.scope.allows_org(code) or who.scope.kind == "rm":
        raise Invalid(f"org {code} is unknown or outside your scope", field=field, code="benefits.bad_org",
                      params={"org": code})
    return code


def _visible_def(who: Principal, d: Any) -> bool:
    """Definitions of the user's subtree, and of the orgs above it (head office's benefits are for everyone)."""
    return who.scope.allows_org(d.owner_org) or logic.in_subtree(who.org_code, d.owner_org)


def create(*, platform: Platform, who: Principal, data: BenefitCreate) -> BenefitRead:
    """Define a benefit; audited."""
    cost = logic.checked_cost(data)
    with platform.metadata.session() as s:
        org = _org_or_raise(s, who, data.owner_org or who.org_code, "owner_org")
        row = BenefitDefinition(name=data.name, kind=data.spec.kind, params=data.spec.model_dump(mode="json"),
                                valid_from=data.valid_from, valid_to=data.valid_to, valid_days=data.valid_days,
                                per_customer_limit=data.per_customer_limit, stackable=data.stackable, cost_fen=cost,
                                owner_org=org, status="active", created_by=who.username)
        s.add(row)
        s.flush()
        gov.record(session=s, username=who.username, action="benefit.create", target_type="benefit",
                   target_id=str(row.id), detail={"name": data.name, "kind": data.spec.kind, "cost_fen": cost},
                   ip=who.ip)
        return _read(row)


def list_definitions(*, platform: Platform, who: Principal) -> list[BenefitRead]:
    """The benefits the user may see."""
    with platform.metadata.session() as s:
        rows = s.scalars(select(BenefitDefinition).order_by(BenefitDefinition.id)).all()
        return [_read(d) for d in rows if _visible_def(who, d)]


def get_or_raise(*, platform: Platform, who: Principal, benefit_id: int) -> BenefitRead:
    """One benefit, or 404 when it does not exist or is not visible."""
    with platform.metadata.session() as s:
        return _read(_def_or_raise(s, who, benefit_id))


def _def_or_raise(s: Session, who: Principal, benefit_id: int, *, edit: bool = False) -> BenefitDefinition:
    d = s.get(BenefitDefinition, benefit_id)
    if d is None or not _visible_def(who, d):
        raise NotFound(f"benefit {benefit_id} not found", code="benefits.not_found", params={"id": benefit_id})
    if edit and not who.scope.allows_org(d.owner_org):
        raise Forbidden("only the owner org (or one above it) may change this benefit", code="benefits.not_owner")
    return d


def update(*, platform: Platform, who: Principal, benefit_id: int, data: BenefitUpdate) -> BenefitRead:
    """Change a benefit's name, limit, stackability, end or status; audited."""
    changes = data.model_dump(exclude_none=True, mode="json")
    with platform.metadata.session() as s:
        d = _def_or_raise(s, who, benefit_id, edit=True)
        if data.valid_to is not None:
            if d.valid_days is not None:
                raise Invalid("this benefit is valid for N days from issue; it has no end date to change",
                              field="valid_to", code="benefits.validity_both")
            if d.valid_from is not None and data.valid_to <= as_utc(d.valid_from):
                raise Invalid("valid_to must be after valid_from", field="valid_to", code="benefits.validity_order")
        for key, value in data.model_dump(exclude_none=True).items():
            setattr(d, key, value)
        d.updated_at = utcnow()
        gov.record(session=s, username=who.username, action="benefit.update", target_type="benefit",
                   target_id=str(benefit_id), detail=changes, ip=who.ip)
        return _read(d)


def _pool_read(p: Any) -> PoolRead:
    return PoolRead(id=p.id, benefit_id=p.benefit_id, campaign_id=p.campaign_id, org_code=p.org_code,
                    parent_id=p.parent_id, stock_total=p.stock_total, stock_remaining=p.stock_remaining,
                    budget_fen=p.budget_fen, budget_remaining_fen=p.budget_remaining_fen)


def _stock(platform: Platform) -> Any:
    """The Redis stock adapter when Redis is configured (it holds the live counters), else None."""
    if not platform.settings.redis_url:
        return None
    from mofang.campaigns.benefits import redis_stock

    return redis_stock


def create_pool(*, platform: Platform, who: Principal, data: PoolCreate) -> PoolRead:
    """Give a benefit stock and a budget in a campaign at an org (its root pool there); audited."""
    with platform.metadata.session() as s:
        d = _def_or_raise(s, who, data.benefit_id)
        org = _org_or_raise(s, who, data.org_code or d.owner_org, "org_code")
        if repo.pools_of(s, [(data.benefit_id, data.campaign_id)]):
            raise Conflict("this benefit already has stock in this campaign: allocate from it instead",
                           field="campaign_id", code="benefits.pool_exists")
        row = BenefitPool(benefit_id=d.id, campaign_id=data.campaign_id, org_code=org, parent_id=None,
                          stock_total=data.stock, stock_remaining=data.stock, budget_fen=data.budget_fen,
                          budget_remaining_fen=data.budget_fen, created_by=who.username)
        s.add(row)
        s.flush()
        gov.record(session=s, username=who.username, action="benefit.pool", target_type="benefit_pool",
                   target_id=str(row.id), detail=data.model_dump(mode="json"), ip=who.ip)
        out = _pool_read(row)
    if (stock := _stock(platform)) is not None:
        stock.load_pool(platform, out)
    return out


def allocate(*, platform: Platform, who: Principal, pool_id: int, data: AllocationCreate) -> PoolRead:
    """Hand a share of a pool's stock and budget to an org below it (总行下发额度到分行); audited."""
    stock = _stock(platform)
    with platform.metadata.session() as s:
        parent = s.get(BenefitPool, pool_id)
        if parent is None or not who.scope.allows_org(parent.org_code) or who.scope.kind == "rm":
            raise NotFound(f"pool {pool_id} not found", code="benefits.pool_not_found", params={"id": pool_id})
        org = _org_or_raise(s, who, data.org_code, "org_code")
        if org == parent.org_code or not logic.in_subtree(org, parent.org_code):
            raise Invalid("an allocation goes to an org below the pool's", field="org_code",
                          code="benefits.not_below", params={"org": org})
        if any(p.org_code == org for p in repo.pools_of(s, [(parent.benefit_id, parent.campaign_id)])):
            raise Conflict(f"{org} already has an allocation of this benefit in this campaign", field="org_code",
                           code="benefits.pool_exists")
        # Redis holds the live counters when configured: the share leaves the parent there first (atomically).
        if stock is not None and not stock.move(platform, parent.id, data.stock, data.budget_fen):
            raise Conflict("the pool has not that much stock or budget left", field="stock",
                           code="benefits.allocation_exceeds")
        try:
            if not repo.take(s, parent.id, data.stock, data.budget_fen):
                raise Conflict("the pool has not that much stock or budget left", field="stock",
                               code="benefits.allocation_exceeds")
            row = BenefitPool(benefit_id=parent.benefit_id, campaign_id=parent.campaign_id, org_code=org,
                              parent_id=parent.id, stock_total=data.stock, stock_remaining=data.stock,
                              budget_fen=data.budget_fen, budget_remaining_fen=data.budget_fen,
                              created_by=who.username)
            s.add(row)
            s.flush()
            gov.record(session=s, username=who.username, action="benefit.allocate", target_type="benefit_pool",
                       target_id=str(row.id), detail={"from": parent.id, **data.model_dump(mode="json")}, ip=who.ip)
            out = _pool_read(row)
        except BaseException:
            if stock is not None:
                stock.move(platform, parent.id, -data.stock, -data.budget_fen)
            raise
    if stock is not None:
        stock.load_pool(platform, out)
    return out


def list_pools(*, platform: Platform, who: Principal, benefit_id: int | None = None,
               campaign_id: int | None = None) -> list[PoolRead]:
    """Pools and allocations within the user's scope (what is left depends on issues to its customers)."""
    with platform.metadata.session() as s:
        q = select(BenefitPool).order_by(BenefitPool.id)
        if benefit_id is not None:
            q = q.where(BenefitPool.benefit_id == benefit_id)
        if campaign_id is not None:
            q = q.where(BenefitPool.campaign_id == campaign_id)
        pools = [_pool_read(p) for p in s.scalars(q).all() if _pool_visible(who, p.org_code)]
    if (stock := _stock(platform)) is not None:
        pools = stock.live(platform, pools)
    return pools


def _pool_visible(who: Principal, org: str) -> bool:
    return who.scope.kind != "rm" and who.scope.allows_org(org)


def fulfil(*, platform: Platform, who: Principal, grant_id: int, status: str) -> LedgerRow:
    """Move a physical gift on (shipped → delivered / returned); audited."""
    with platform.metadata.session() as s:
        g = repo.grant(s, grant_id)
        if g is None or g.status != "issued" or not _pool_visible(who, g.org_code):
            raise NotFound(f"no issued benefit {grant_id}", code="benefits.grant_not_found", params={"id": grant_id})
        d = s.get(BenefitDefinition, g.benefit_id)
        if d is None or d.kind != "physical":
            raise Invalid("only physical gifts have a fulfilment status", field="status",
                          code="benefits.not_physical")
        steps = [e.kind for e in repo.events_of(s, [g.id]) if e.kind in logic.FULFILMENT_NEXT or e.kind == "returned"]
        current = steps[-1] if steps else None
        if not logic.fulfilment_allowed(current, status):
            raise Invalid(f"a gift cannot go from {current or 'issued'} to {status}", field="status",
                          code="benefits.bad_fulfilment", params={"from": current or "issued", "to": status})
        repo.insert_event_new(s, {"grant_id": g.id, "kind": status, "terminal": None,
                                  "idempotency_key": f"fulfil:{g.id}:{status}", "actor": who.username,
                                  "ts": utcnow()})
        gov.record(session=s, username=who.username, action="benefit.fulfil", target_type="benefit_grant",
                   target_id=str(g.id), detail={"status": status}, ip=who.ip)
    return ledger(platform=platform, who=who, grant_id=grant_id, limit=1, offset=0).items[0]


def _scope_filter(platform: Platform, who: Principal) -> tuple[list[str] | None, set[str] | None]:
    """Org prefixes the user may see (None: all) and, for an RM, the customers of their book."""
    if who.scope.kind == "all":
        return None, None
    if who.scope.kind == "rm":
        book = {r["customer_id"] for r in platform.store.query(
            "SELECT customer_id FROM customers WHERE rm_id = ?", [who.scope.rm_id])}
        return [who.org_code], book
    return [who.scope.org_code], None


def ledger(*, platform: Platform, who: Principal, benefit_id: int | None = None, campaign_id: int | None = None,
           customer_id: str | None = None, grant_id: int | None = None, limit: int = 50,
           offset: int = 0) -> LedgerPage:
    """A page of the issue ledger within the user's scope, customer names masked."""
    if (stock := _stock(platform)) is not None:
        stock.drain(platform)
    orgs, book = _scope_filter(platform, who)
    with platform.metadata.session() as s:
        if grant_id is not None:
            g = repo.grant(s, grant_id)
            rows, total = ([g], 1) if g is not None else ([], 0)
        else:
            rows, total = repo.ledger(s, orgs=orgs, benefit_id=benefit_id, campaign_id=campaign_id,
                                      customer_id=customer_id, limit=limit if book is None else 100_000,
                                      offset=offset if book is None else 0)
        if orgs is not None:
            rows = [r for r in rows if any(logic.in_subtree(r.org_code, o) for o in orgs)]
        if book is not None:
            rows = [r for r in rows if r.customer_id in book]
            total, rows = len(rows), rows[offset:offset + limit]
        events = defaultdict(list)
        for e in repo.events_of(s, [r.id for r in rows]):
            events[e.grant_id].append(e)
    names = _names(platform, {r.customer_id for r in rows})
    items = []
    for r in rows:
        evs = events.get(r.id, [])
        end = next((e.kind for e in evs if e.terminal == 1), None)
        fulfil_steps = [e.kind for e in evs if e.terminal is None]
        items.append(LedgerRow(
            id=r.id, benefit_id=r.benefit_id, campaign_id=r.campaign_id, customer_id=r.customer_id,
            customer_name=mask_name(names.get(r.customer_id)), org_code=r.org_code, status=r.status, reason=r.reason,
            state=end or r.status, fulfilment=fulfil_steps[-1] if fulfil_steps else None, cost_fen=r.cost_fen,
            source=r.source, issued_at=as_utc(r.issued_at), expires_at=_utc(r.expires_at)))
    return LedgerPage(items=items, total=total)


def _names(platform: Platform, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = platform.store.query(f"SELECT customer_id, name FROM customers WHERE customer_id IN ({marks})", list(ids))
    return {r["customer_id"]: r["name"] for r in rows}


def reconciliation(*, platform: Platform, who: Principal, benefit_id: int | None = None,
                   campaign_id: int | None = None) -> list[ReconciliationRow]:
    """Issued vs redeemed vs expired vs budget per benefit, campaign and org pool, within the user's scope."""
    if (stock := _stock(platform)) is not None:
        stock.drain(platform)
    with platform.metadata.session() as s:
        q = select(BenefitPool).order_by(BenefitPool.id)
        if benefit_id is not None:
            q = q.where(BenefitPool.benefit_id == benefit_id)
        if campaign_id is not None:
            q = q.where(BenefitPool.campaign_id == campaign_id)
        pools = [p for p in s.scalars(q).all() if _pool_visible(who, p.org_code)]
        defs = {d.id: d for d in s.scalars(select(BenefitDefinition)).all()}
        grants = repo.grant_totals(s, benefit_id, campaign_id)
        ends = repo.terminal_totals(s, benefit_id, campaign_id)
    issued, reserved, refused = defaultdict(int), defaultdict(int), defaultdict(lambda: defaultdict(int))
    for g in grants:
        if g.status == "issued":
            issued[g.pool_id] += g.n
            reserved[g.pool_id] += g.fen
        else:
            refused[g.pool_id][g.reason] += g.n
    ended = {(e.pool_id, e.kind): (e.n, e.fen) for e in ends}
    out = []
    for p in pools:
        d = defs[p.benefit_id]
        n_red, fen_red = ended.get((p.id, "redeemed"), (0, 0))
        n_exp = ended.get((p.id, "expired"), (0, 0))[0]
        cost = reserved[p.id] if logic.COST_ON[d.kind] == "issue" else fen_red  # type: ignore[index]
        out.append(ReconciliationRow(
            benefit_id=p.benefit_id, benefit_name=d.name, campaign_id=p.campaign_id, org_code=p.org_code,
            issued=issued[p.id], redeemed=n_red, expired=n_exp, outstanding=issued[p.id] - n_red - n_exp,
            refused=dict(refused[p.id]), stock_total=p.stock_total, stock_remaining=p.stock_remaining,
            budget_fen=p.budget_fen, budget_remaining_fen=p.budget_remaining_fen, reserved_fen=reserved[p.id],
            cost_fen=cost))
    return out


def burndown(*, platform: Platform, who: Principal, benefit_id: int, campaign_id: int = 0) -> list[BurnPoint]:
    """Stock and budget left at the end of each bank day, over the pools the user may see."""
    if (stock := _stock(platform)) is not None:
        stock.drain(platform)
    with platform.metadata.session() as s:
        pools = [p for p in s.scalars(select(BenefitPool).where(BenefitPool.benefit_id == benefit_id,
                                                                  BenefitPool.campaign_id == campaign_id)).all()
                 if _pool_visible(who, p.org_code)]
        ids = {p.id for p in pools}
        roots = [p for p in pools if p.parent_id not in ids]
        issues = repo.daily_issues(s, sorted(ids))
    stock_left, budget_left = sum(p.stock_total for p in roots), sum(p.budget_fen for p in roots)
    days: dict[Any, list[int]] = {}
    for r in issues:
        day = as_utc(r.issued_at).astimezone(BANK_TZ).date()
        stock_left -= 1
        budget_left -= r.cost_fen
        entry = days.setdefault(day, [0, 0, 0])
        entry[0] += 1
        entry[1], entry[2] = stock_left, budget_left
    points = [BurnPoint(day=day, issued=v[0], stock_remaining=v[1], budget_remaining_fen=v[2])
              for day, v in sorted(days.items())]
    if points:  # the day before the first issue, full: where the burn-down starts
        points.insert(0, BurnPoint(day=points[0].day - timedelta(days=1), issued=0,
                                   stock_remaining=sum(p.stock_total for p in roots),
                                   budget_remaining_fen=sum(p.budget_fen for p in roots)))
    return points


def audit_export(*, platform: Platform, who: Principal, what: str, rows: int) -> None:
    """Record an export in the audit log."""
    with platform.metadata.session() as s:
        gov.record(session=s, username=who.username, action="benefit.export", target_type="benefits",
                   target_id=what, detail={"rows": rows}, ip=who.ip)

"""Issuing benefits exactly: the embedded path (SQLite/PostgreSQL) and the Redis path, behind one function.

Both paths combine the concurrent callers of a process (flat combining): one caller at a time leads and decides every
request waiting at that moment. Embedded, that is one transaction that takes SQLite's write lock first (PostgreSQL:
locks the pools), so stock never goes below zero, a customer's n-th issue has a unique sequence number and an
idempotency key is written once — the unique constraints hold across processes too, and a clash retries the batch.
On Redis it is one pipeline of script calls (one round trip for many claims); see `redis_stock`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from mofang.campaigns.benefits import logic
from mofang.campaigns.benefits import repository as repo
from mofang.campaigns.benefits.contracts import IssueResult
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Conflict, MofangError, NotFound
from mofang.platform.storage.models import as_utc, utcnow

RETRIES = 8


@dataclass(eq=False)
class Pending:
    """One issue request in a batch: filled in with its answer, or the error its caller raises."""

    ask: logic.Ask
    source: str
    result: IssueResult | None = None
    error: BaseException | None = None
    done: bool = False
    wake: Any = None  # held until the request is answered or its caller is made the next leader (async: a future)


@dataclass
class _Combiner:
    lock: threading.Lock = field(default_factory=threading.Lock)
    queue: list[Pending] = field(default_factory=list)
    leading: bool = False


def issue(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
          campaign_id: int | None = None, org_code: str | None = None, now: datetime | None = None,
          source: str = "engine") -> IssueResult:
    """Issue one benefit to a customer, or refuse with a reason; the first answer for a key is the answer."""
    me = pending(benefit_id=benefit_id, customer_id=customer_id, idempotency_key=idempotency_key,
                 campaign_id=campaign_id, org_code=org_code, now=now, source=source)
    if not me.ask.org_code:
        fill_orgs(platform, [me])
        if me.done:
            return answer(me)
    if platform.settings.redis_url:
        from mofang.campaigns.benefits import redis_stock

        return _combine(platform, me, redis_stock.run_batch, "benefits_redis_combiner")
    return _combine(platform, me, run, "benefits_combiner")


def pending(*, benefit_id: int, customer_id: str, idempotency_key: str, campaign_id: int | None,
            org_code: str | None, now: datetime | None, source: str) -> Pending:
    """A checked request for a batch (org_code '' until `fill_orgs` looks it up); a 400 names the field."""
    if not 1 <= len(idempotency_key) <= 160:
        raise BadRequest("the idempotency key must be 1 to 160 characters", field="idempotency_key",
                         code="benefits.bad_key")
    if not 1 <= len(customer_id) <= 64:
        raise BadRequest("customer_id must be 1 to 64 characters", field="customer_id",
                         code="benefits.bad_customer")
    if org_code:
        _check_org(org_code)
    return Pending(logic.Ask(key=idempotency_key, benefit_id=benefit_id, campaign_id=campaign_id or 0,
                              customer_id=customer_id, org_code=org_code or "",
                              now=as_utc(now) if now else utcnow()), source)


def _check_org(org: str) -> None:
    if not org or "|" in org or len(org) > 64:
        raise BadRequest("org_code must be an org code", field="org_code", code="benefits.bad_org",
                         params={"org": org[:64]})


def fill_orgs(platform: Platform, batch: list[Pending]) -> None:
    """Give the requests without an org their customer's branch, one lookup for the batch."""
    todo = [p for p in batch if not p.ask.org_code and not p.done]
    orgs = customer_orgs(platform, {p.ask.customer_id for p in todo}) if todo else {}
    for p in todo:
        org = orgs.get(p.ask.customer_id, logic.ROOT_ORG)
        try:
            _check_org(org)
        except BadRequest as exc:
            p.error, p.done = exc, True
            continue
        p.ask = replace(p.ask, org_code=org)


def customer_org(platform: Platform, customer_id: str) -> str:
    """The customer's branch (unknown customers count as head office's)."""
    return customer_orgs(platform, {customer_id}).get(customer_id, logic.ROOT_ORG)


def customer_orgs(platform: Platform, customer_ids: Collection[str]) -> dict[str, str]:
    """The branches of these customers: from their profiles, else the event store (the unknown are left out)."""
    from mofang.insight.profiles import orgs_of

    # Profiles first: an indexed read of the metadata database that every worker process can make (only one
    # process opens the event store, and a DuckDB point query costs ~0.5 ms); a customer loaded since the last
    # profile refresh is found in the event store.
    with platform.metadata.session() as s:
        out = orgs_of(session=s, customer_ids=list(customer_ids))
    rest = [c for c in customer_ids if c not in out]
    if rest and platform.store is not None:
        marks = ",".join("?" * len(rest))
        rows = platform.store.query(f"SELECT customer_id, org_code FROM customers WHERE customer_id IN ({marks})",
                                    rest)
        out.update((r["customer_id"], str(r["org_code"])) for r in rows if r["org_code"])
    return out


def _combine(platform: Platform, me: Pending, run: Callable[[Platform, list[Pending]], None],
             name: str) -> IssueResult:
    comb: _Combiner = platform.extras.get(name) or platform.extras.setdefault(name, _Combiner())
    # Each waiter sleeps on its own lock, woken once: a shared condition would wake every waiter per batch.
    me.wake = threading.Lock()
    me.wake.acquire()
    with comb.lock:
        comb.queue.append(me)
        lead, comb.leading = not comb.leading, True
    if not lead:
        me.wake.acquire()  # the leader answered us, or made us the next leader
        if me.done:
            return answer(me)
    while not me.done:
        size = platform.settings.claims_batch_size
        with comb.lock:
            batch = comb.queue[:size]
            del comb.queue[:size]
        failure: BaseException = RuntimeError("the claim was not decided")
        try:
            run(platform, batch)
        except BaseException as exc:  # every waiter learns of the failure; none hangs (or leads twice)
            failure = exc
        for p in batch:
            if not p.done:
                p.error, p.done = failure, True
            if p is not me:
                p.wake.release()
    with comb.lock:  # hand the lead to the first waiter, who arrived while we decided
        nxt = comb.queue[0] if comb.queue else None
        comb.leading = nxt is not None
    if nxt is not None:
        nxt.wake.release()
    return answer(me)


def answer(me: Pending) -> IssueResult:
    """The answer a request was given, or its error raised."""
    if me.error is not None:
        raise me.error
    assert me.result is not None
    return me.result


def run(platform: Platform, batch: list[Pending]) -> None:
    """Decide a batch, retrying when another process won a race on a unique constraint; never leave one waiting."""
    try:
        for attempt in range(RETRIES):
            try:
                _decide(platform, batch)
                return
            except IntegrityError:
                if attempt == RETRIES - 1:
                    raise
    except BaseException as exc:  # every waiter learns of the failure; none hangs
        for p in batch:
            if not p.done:
                p.error, p.done = exc, True


def _decide(platform: Platform, batch: list[Pending]) -> None:
    answers: dict[int, IssueResult | MofangError] = {}
    with platform.metadata.session() as s:
        repo.lock_for_write(s)
        existing = repo.grants_by_keys(s, {p.ask.key for p in batch})
        defs = repo.definitions(s, {p.ask.benefit_id for p in batch})
        terms = {d.id: logic.Terms(status=d.status, valid_from=d.valid_from, valid_to=d.valid_to,
                                   valid_days=d.valid_days, per_customer_limit=d.per_customer_limit,
                                   cost_fen=d.cost_fen) for d in defs.values()}
        scopes = {(p.ask.benefit_id, p.ask.campaign_id) for p in batch if p.ask.benefit_id in defs}
        pools: dict[tuple[int, int], list[logic.PoolState]] = {sc: [] for sc in scopes}
        for r in repo.pools_of(s, scopes, for_update=True):
            pools[(r.benefit_id, r.campaign_id)].append(
                logic.PoolState(id=r.id, org_code=r.org_code, stock_remaining=r.stock_remaining,
                                budget_remaining_fen=r.budget_remaining_fen))
        counts = {sc: repo.issued_counts(s, sc[0], sc[1], {p.ask.customer_id for p in batch
                                                            if (p.ask.benefit_id, p.ask.campaign_id) == sc})
                  for sc in scopes}
        decided: dict[str, logic.Decision] = {}
        rows: list[dict[str, Any]] = []
        for i, p in enumerate(batch):
            a = p.ask
            if a.key in existing:
                answers[i] = _stored(existing[a.key], a)
                continue
            if a.key in decided:
                continue  # the same key twice in one batch: answered with the first below
            d = defs.get(a.benefit_id)
            if d is None:
                answers[i] = NotFound(f"benefit {a.benefit_id} not found", field="benefit_id",
                                      code="benefits.not_found", params={"id": a.benefit_id})
                continue
            scope = (a.benefit_id, a.campaign_id)
            dec = logic.decide(a, terms[a.benefit_id], pools[scope], counts[scope])
            decided[a.key] = dec
            rows.append(_row(dec, p.source))
        for pool_list in pools.values():
            for pool in pool_list:
                if pool.taken and not repo.take(s, pool.id, pool.taken, pool.spent_fen):
                    raise IntegrityError("pool changed under the write lock", None, Exception("retry"))
        for r, gid in zip(rows, repo.new_grant_ids(s, len(rows)), strict=True):
            r["id"] = gid
        repo.insert_grants(s, rows)
        ids = {r["idempotency_key"]: r["id"] for r in rows}
    for i, p in enumerate(batch):
        if i in answers:
            ans = answers[i]
        else:
            dec = decided[p.ask.key]
            same = (dec.ask.benefit_id, dec.ask.campaign_id, dec.ask.customer_id) == \
                (p.ask.benefit_id, p.ask.campaign_id, p.ask.customer_id)
            ans = _stored_decision(dec, ids[p.ask.key]) if same else _conflict(p.ask.key)
        if isinstance(ans, MofangError):
            p.error = ans
        else:
            p.result = ans
        p.done = True


def _row(dec: logic.Decision, source: str) -> dict[str, Any]:
    a = dec.ask
    return {"idempotency_key": a.key, "benefit_id": a.benefit_id, "campaign_id": a.campaign_id,
            "pool_id": dec.pool_id, "customer_id": a.customer_id, "org_code": a.org_code, "status": dec.status,
            "reason": dec.reason, "customer_seq": dec.customer_seq, "cost_fen": dec.cost_fen, "source": source,
            "issued_at": a.now, "expires_at": dec.expires_at}


def _conflict(key: str) -> Conflict:
    return Conflict("this idempotency key was already used for another benefit or customer",
                    field="idempotency_key", code="benefits.key_reused", params={"key": key[:40]})


def _stored(row: Any, ask: logic.Ask) -> IssueResult | MofangError:
    """The first answer for a key; a key reused for another benefit or customer is a conflict."""
    if (row.benefit_id, row.campaign_id, row.customer_id) != (ask.benefit_id, ask.campaign_id, ask.customer_id):
        return _conflict(ask.key)
    issued = row.status == "issued"
    return IssueResult(status=row.status, reason=row.reason, grant_id=row.id if issued else None,
                       cost_fen=row.cost_fen, expires_at=row.expires_at)


def _stored_decision(dec: logic.Decision, grant_id: int) -> IssueResult:
    issued = dec.status == "issued"
    return IssueResult(status=dec.status, reason=dec.reason, grant_id=grant_id if issued else None,
                       cost_fen=dec.cost_fen, expires_at=dec.expires_at)

"""Benefits on Redis: one Lua script decides an issue atomically; a stream carries every answer to the ledger.

The script checks the idempotency key, the customer's count and the pool's stock and budget, decrements, stores the
answer under the key and appends it to a stream — all in one step, so Redis alone is exact across any number of
workers. The ledger in the metadata database is written from the stream by `drain` (after each claim's answer,
by the scheduler and before any ledger read): a crash between Redis and the database loses nothing, because the
stream entry is removed only after its row is committed, and the row is inserted at most once (unique key).
Redis must persist (AOF) for this; Redis Cluster is not supported (the keys of one script share no hash slot).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis
from sqlalchemy.exc import IntegrityError

from mofang.campaigns.benefits import logic
from mofang.campaigns.benefits import repository as repo
from mofang.campaigns.benefits.contracts import IssueResult, PoolRead
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, MofangError, NotFound
from mofang.platform.storage.models import as_utc

log = logging.getLogger("mofang.benefits")
DRAIN_SECONDS = 0.5
DEFINITION_SECONDS = 5.0
LOAD_SECONDS = 60  # how long a rebuild from the ledger may take before another process takes over
# ARGV: key, customer, "limit|cost|pool|org|source|benefit|campaign" (fixed per scope), now, expires, refusal.
CLAIM = """
local prev = redis.call('HGET', KEYS[3], ARGV[1])
if prev then return prev end
-- No id counter means Redis lost its data: decide nothing until the process reloads from the ledger.
if redis.call('EXISTS', KEYS[5]) == 0 then return 'reload' end
local limit, cost, _, _, _, b, m = string.match(ARGV[3], '^(%d+)|(%d+)|([^|]*)|([^|]*)|([^|]*)|(%d+)|(%d+)$')
local reason = ARGV[6]
local seq = ''
if reason == '' then
  local n = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
  if n >= tonumber(limit) then reason = 'limit_per_customer'
  else
    local stock = tonumber(redis.call('HGET', KEYS[1], 'stock') or '-1')
    local budget = tonumber(redis.call('HGET', KEYS[1], 'budget') or '-1')
    if stock < 0 then return 'reload'  -- the pool's counters are not in Redis (lost): nothing decided, load them
    elseif stock == 0 then reason = 'stock_exhausted'
    elseif budget < tonumber(cost) then reason = 'budget_exhausted'
    else
      redis.call('HINCRBY', KEYS[1], 'stock', -1)
      redis.call('HINCRBY', KEYS[1], 'budget', -tonumber(cost))
      seq = tostring(n + 1)
      redis.call('HSET', KEYS[2], ARGV[2], seq)
    end
  end
end
local id = redis.call('INCR', KEYS[5])
local answer
if reason == '' then answer = 'issued||' .. id .. '|' .. cost .. '|' .. ARGV[5]
else answer = 'refused|' .. reason .. '|' .. id .. '|0|' end
local full = answer .. '|' .. b .. '|' .. m .. '|' .. ARGV[2]
redis.call('HSET', KEYS[3], ARGV[1], full)
redis.call('XADD', KEYS[4], '*', 'a', answer, 'k', ARGV[1], 'c', ARGV[2], 'x', ARGV[3], 't', ARGV[4], 's', seq)
return full
"""
# Move stock and budget from one pool to another (negative: back), only if the source has them.
MOVE = """
local stock = tonumber(redis.call('HGET', KEYS[1], 'stock') or '-1')
local budget = tonumber(redis.call('HGET', KEYS[1], 'budget') or '-1')
if stock < tonumber(ARGV[1]) or budget < tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'stock', -tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[1], 'budget', -tonumber(ARGV[2]))
return 1
"""
# Raise the id counter to at least the ledger's largest id (ids come from Redis once it is in use).
FLOOR = """
local cur = redis.call('GET', KEYS[1])
if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


class _State:
    """The process's Redis client, scripts and what it already loaded."""

    def __init__(self, platform: Platform) -> None:
        self.client = redis.Redis.from_url(platform.settings.redis_url or "", decode_responses=True)
        self.prefix = str(platform.extras.get("redis_prefix", "mofang:")) + "benefits:"
        self.claim = self.client.register_script(CLAIM)
        self.move = self.client.register_script(MOVE)
        self.floor = self.client.register_script(FLOOR)
        self.scopes: dict[tuple[int, int], tuple[float, Any, list[Any]]] = {}
        self.keys: dict[tuple[int, int, int], list[str]] = {}
        self.lock = threading.Lock()
        self.drain_lock = threading.Lock()
        self.drainer: threading.Thread | None = None
        self.stop = threading.Event()
        with platform.metadata.session() as s:
            self.floor(keys=[self.k("grant_id")], args=[repo.max_grant_id(s)])

    def k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)


def _state(platform: Platform) -> _State:
    st = platform.extras.get("benefits_redis")
    if st is None:
        with platform.extras.setdefault("benefits_redis_lock", threading.Lock()):
            st = platform.extras.get("benefits_redis") or platform.extras.setdefault("benefits_redis",
                                                                                      _State(platform))
    return st


def _scope(platform: Platform, st: _State, benefit_id: int, campaign_id: int) -> tuple[Any, list[Any]]:
    """The definition and pools of a (benefit, campaign); their counters loaded into Redis once (never overwritten)."""
    # Cached for DEFINITION_SECONDS: a change made in the console (limit, status, end, a new allocation) reaches every
    # worker within that time; until then a branch draws from the pool above its new allocation, still exactly.
    with st.lock:
        cached = st.scopes.get((benefit_id, campaign_id))
        if cached is not None and time.monotonic() - cached[0] < DEFINITION_SECONDS:
            return cached[1], cached[2]
    with platform.metadata.session() as s:
        d = repo.definitions(s, [benefit_id]).get(benefit_id)
        if d is None:
            raise NotFound(f"benefit {benefit_id} not found", field="benefit_id", code="benefits.not_found",
                           params={"id": benefit_id})
        pools = repo.pools_of(s, [(benefit_id, campaign_id)])
        marker = st.k("loaded", benefit_id, campaign_id)
        # The first process ever (or after Redis lost its data) rebuilds counts and answers from the ledger; the
        # others wait until it is done, so no claim is decided against half-loaded counts.
        if st.client.set(marker, "loading", nx=True, ex=LOAD_SECONDS):
            pipe = st.client.pipeline(transaction=False)
            counts = repo.issued_counts_all(s, benefit_id, campaign_id)
            if counts:
                pipe.hset(st.k("cust", benefit_id, campaign_id), mapping=counts)
            for row in repo.grant_answers(s, benefit_id, campaign_id):
                pipe.hsetnx(st.k("idem"), row.idempotency_key,
                            f"{_answer_of(row)}|{benefit_id}|{campaign_id}|{row.customer_id}")
            pipe.set(marker, "1")
            pipe.execute()
        else:
            deadline = time.monotonic() + LOAD_SECONDS
            while st.client.get(marker) == "loading" and time.monotonic() < deadline:
                time.sleep(0.05)
    for p in pools:
        _load(st, p.id, p.stock_remaining, p.budget_remaining_fen)
    with st.lock:
        st.scopes[(benefit_id, campaign_id)] = (time.monotonic(), d, pools)
    return d, pools


def _load(st: _State, pool_id: int, stock: int, budget: int) -> None:
    key = st.k("pool", pool_id)
    st.client.hsetnx(key, "stock", stock)
    st.client.hsetnx(key, "budget", budget)


def load_pool(platform: Platform, pool: PoolRead) -> None:
    """Make a new pool or allocation live in Redis."""
    st = _state(platform)
    _load(st, pool.id, pool.stock_remaining, pool.budget_remaining_fen)
    with st.lock:
        st.scopes.pop((pool.benefit_id, pool.campaign_id), None)


def move(platform: Platform, pool_id: int, stock: int, budget_fen: int) -> bool:
    """Take stock and budget out of a pool in Redis (negative: give back); False when it has not enough."""
    st = _state(platform)
    with platform.metadata.session() as s:
        row = s.execute(repo.POOLS.select().where(repo.POOLS.c.id == pool_id)).first()
    if row is not None:
        _load(st, row.id, row.stock_remaining, row.budget_remaining_fen)
    return bool(st.move(keys=[st.k("pool", pool_id)], args=[stock, budget_fen]))


def live(platform: Platform, pools: Sequence[PoolRead]) -> list[PoolRead]:
    """Pools with what Redis says is left (the database lags by the answers not drained yet)."""
    st = _state(platform)
    out = []
    for p in pools:
        got = st.client.hmget(st.k("pool", p.id), ["stock", "budget"])
        if got[0] is None:
            out.append(p)
            continue
        out.append(p.model_copy(update={"stock_remaining": int(got[0]), "budget_remaining_fen": int(got[1])}))
    return out


def run_batch(platform: Platform, batch: list[Any], *, reloaded: bool = False) -> None:
    """Decide waiting issues in Redis (a script call each, one pipeline); the ledger follows from the stream."""
    st = _state(platform)
    pipe = st.client.pipeline(transaction=False)
    sent = []
    for p in batch:
        try:
            _call(platform, st, p.ask, p.source, pipe)
            sent.append(p)
        except MofangError as exc:
            p.error, p.done = exc, True
    answers = pipe.execute(raise_on_error=False) if sent else []
    _ensure_drainer(platform, st)
    for p, answer in zip(sent, answers, strict=True):
        if answer == "reload" and not reloaded:  # Redis lost the pool's counters while we ran: reload, decide again
            with st.lock:
                st.scopes.clear()
            with platform.metadata.session() as s:
                st.floor(keys=[st.k("grant_id")], args=[repo.max_grant_id(s)])
            run_batch(platform, [p], reloaded=True)
            continue
        if answer == "reload":
            answer = RuntimeError("the pool's stock is not in Redis and could not be loaded")
        if isinstance(answer, Exception):
            p.error = answer
        else:
            try:
                p.result = _parse(answer, p.ask)
            except MofangError as exc:
                p.error = exc
        p.done = True


def _call(platform: Platform, st: _State, ask: logic.Ask, source: str, pipe: Any) -> None:
    d, pools = _scope(platform, st, ask.benefit_id, ask.campaign_id)
    pool = logic.choose_pool(pools, ask.org_code)
    pre = "inactive" if d.status != "active" else logic.window_refusal(
        valid_from=_utc(d.valid_from), valid_to=_utc(d.valid_to), now=ask.now)
    expires = logic.expires_at(valid_to=_utc(d.valid_to), valid_days=d.valid_days, issued_at=ask.now)
    pool_id = pool.id if pool else 0
    keys = st.keys.get((pool_id, ask.benefit_id, ask.campaign_id))
    if keys is None:  # the key names are fixed per pool and scope: built once (claims are hot)
        keys = [st.k("pool", pool_id), st.k("cust", ask.benefit_id, ask.campaign_id), st.k("idem"),
                st.k("stream"), st.k("grant_id")]
        st.keys[(pool_id, ask.benefit_id, ask.campaign_id)] = keys
    fixed = (f"{d.per_customer_limit}|{d.cost_fen}|{pool.id if pool else ''}|{ask.org_code}|{source}|"
             f"{ask.benefit_id}|{ask.campaign_id}")
    st.claim(keys=keys, args=[ask.key, ask.customer_id, fixed, ask.now.isoformat(),
                              expires.isoformat() if expires else "", pre or ("no_pool" if pool is None else "")],
             client=pipe)


def _parse(answer: str, ask: logic.Ask) -> IssueResult:
    status, reason, gid, cost, expires, benefit, campaign, customer = answer.split("|", 7)
    if (int(benefit), int(campaign), customer) != (ask.benefit_id, ask.campaign_id, ask.customer_id):
        raise Conflict("this idempotency key was already used for another benefit or customer",
                       field="idempotency_key", code="benefits.key_reused", params={"key": ask.key[:40]})
    issued = status == "issued"
    return IssueResult(status=status, reason=reason or None, grant_id=int(gid) if issued else None,  # type: ignore[arg-type]
                       cost_fen=int(cost), expires_at=datetime.fromisoformat(expires) if expires else None)


def _ensure_drainer(platform: Platform, st: _State) -> None:
    """A background thread per process moving answers from the stream into the ledger every DRAIN_SECONDS."""
    if st.drainer is not None:
        return
    with st.lock:
        if st.drainer is not None:
            return

        def loop() -> None:
            while not st.stop.wait(DRAIN_SECONDS):
                try:
                    # One worker drains at a time (the others would only find the rows written); a reader that
                    # needs the ledger current drains itself, which is safe: rows are inserted once whoever drains.
                    if st.client.set(st.k("draining"), "1", nx=True, px=int(DRAIN_SECONDS * 4000)):
                        try:
                            drain(platform)
                        finally:
                            st.client.delete(st.k("draining"))
                except Exception:  # the next round retries; nothing is removed from the stream before it is written
                    log.exception("benefits: draining the Redis stream into the ledger failed")

        st.drainer = threading.Thread(target=loop, name="benefits-drain", daemon=True)
        st.drainer.start()


def stop(platform: Platform) -> None:
    """Stop the drainer thread of this process after one last drain."""
    st = platform.extras.get("benefits_redis")
    if st is not None:
        st.stop.set()
        drain(platform)


def _answer_of(row: Any) -> str:
    if row.status == "issued":
        exp = as_utc(row.expires_at).isoformat() if row.expires_at else ""
        return f"issued||{row.id}|{row.cost_fen}|{exp}"
    return f"refused|{row.reason}|{row.id}|0|"


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def drain(platform: Platform, *, batch: int = 2000) -> int:
    """Write every answer waiting in the stream into the ledger (each once), then remove it; how many were new."""
    st = _state(platform)
    new = 0
    with st.drain_lock:
        while True:
            entries = st.client.xrange(st.k("stream"), count=batch)
            if not entries:
                return new
            rows = list({r["idempotency_key"]: r for r in (_row(fields) for _, fields in entries)}.values())
            new += _write(platform, rows)
            st.client.xdel(st.k("stream"), *[eid for eid, _ in entries])


def _write(platform: Platform, rows: list[dict[str, Any]]) -> int:
    """Insert the rows not in the ledger yet and take their stock and budget from the pools, in one transaction."""
    for attempt in range(5):
        try:
            with platform.metadata.session() as s:
                repo.lock_for_write(s)
                have = repo.grants_by_keys(s, [r["idempotency_key"] for r in rows])
                fresh = [r for r in rows if r["idempotency_key"] not in have]
                repo.insert_grants(s, fresh)
                taken: dict[int, list[int]] = {}
                for r in fresh:
                    if r["status"] == "issued" and r["pool_id"] is not None:
                        t = taken.setdefault(r["pool_id"], [0, 0])
                        t[0] += 1
                        t[1] += r["cost_fen"]
                for pool_id, (n, fen) in taken.items():
                    repo.give_back(s, pool_id, -n, -fen)
                repo.bump_id_sequence(s)
            return len(fresh)
        except IntegrityError:  # another process drained the same entries at the same moment (PostgreSQL)
            if attempt == 4:
                raise
    return 0


def _row(f: dict[str, str]) -> dict[str, Any]:
    status, reason, gid, cost, expires = f["a"].split("|")
    _, _, pool, org, source, benefit, campaign = f["x"].split("|")
    return {"id": int(gid), "idempotency_key": f["k"], "benefit_id": int(benefit), "campaign_id": int(campaign),
            "pool_id": int(pool) if pool else None, "customer_id": f["c"], "org_code": org,
            "status": status, "reason": reason or None, "customer_seq": int(f["s"]) if f["s"] else None,
            "cost_fen": int(cost), "source": source, "issued_at": datetime.fromisoformat(f["t"]),
            "expires_at": datetime.fromisoformat(expires) if expires else None}

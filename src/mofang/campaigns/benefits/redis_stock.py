"""Benefits on Redis: one Lua script decides a batch of claims atomically; a stream carries the answers to the ledger.

The script (`redis_scripts.CLAIMS`) checks each idempotency key, customer count and pool's stock and budget in order,
decrements, stores the answers under their keys and appends the batch to a stream as one entry — all in one step, so
Redis alone is exact across any number of workers. The ledger in the metadata database is written from the stream by
`drain` in bulk (a drainer thread per process, the scheduler, and before any ledger read): a crash between Redis and
the database loses nothing, because a stream entry is removed only after its rows are committed, and a row is
inserted at most once (unique key). An answer is durable when Redis has it, so Redis must persist (AOF; with
`appendfsync always` a claim is on disk before the customer is told); Redis Cluster is not supported (the keys of
one script share no hash slot)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
import redis
from sqlalchemy.exc import IntegrityError

from mofang.campaigns.benefits import logic
from mofang.campaigns.benefits import repository as repo
from mofang.campaigns.benefits.contracts import IssueResult, PoolRead
from mofang.campaigns.benefits.redis_scripts import CLAIMS, FLOOR, MOVE
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, MofangError, NotFound
from mofang.platform.storage.models import as_utc

log = logging.getLogger("mofang.benefits")
DRAIN_SECONDS = 0.5
DEFINITION_SECONDS = 5.0
LOAD_SECONDS = 60  # how long a rebuild from the ledger may take before another process takes over
class _State:
    """The process's Redis client, scripts and what it already loaded."""

    def __init__(self, platform: Platform) -> None:
        self.client = redis.Redis.from_url(platform.settings.redis_url or "", decode_responses=True)
        self.prefix = str(platform.extras.get("redis_prefix", "mofang:")) + "benefits:"
        self.claims = self.client.register_script(CLAIMS)
        self.move = self.client.register_script(MOVE)
        self.floor = self.client.register_script(FLOOR)
        self.fixed_keys = [self.k("idem"), self.k("stream"), self.k("grant_id")]
        self.scopes: dict[tuple[int, int], tuple[float, Any, list[Any]]] = {}
        self.lock = threading.Lock()
        self.drain_lock = threading.Lock()
        self.drainer: threading.Thread | None = None
        self.stop = threading.Event()
        with platform.metadata.session() as s:
            self.floor(keys=[self.k("grant_id")], args=[repo.max_grant_id(s)])

    def k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)


def state(platform: Platform) -> _State:
    """The process's Redis client and scripts (made on first use: it raises the id counter past the ledger's)."""
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


def durability(platform: Platform) -> tuple[str | None, str | None]:
    """Redis's `appendonly` and `appendfsync` (None each when CONFIG is disabled, as on managed Redis)."""
    client = state(platform).client
    try:
        return (client.config_get("appendonly").get("appendonly"),
                client.config_get("appendfsync").get("appendfsync"))
    except redis.ResponseError:
        return None, None


def load_pool(platform: Platform, pool: PoolRead) -> None:
    """Make a new pool or allocation live in Redis."""
    st = state(platform)
    _load(st, pool.id, pool.stock_remaining, pool.budget_remaining_fen)
    with st.lock:
        st.scopes.pop((pool.benefit_id, pool.campaign_id), None)


def move(platform: Platform, pool_id: int, stock: int, budget_fen: int) -> bool:
    """Take stock and budget out of a pool in Redis (negative: give back); False when it has not enough."""
    st = state(platform)
    with platform.metadata.session() as s:
        row = s.execute(repo.POOLS.select().where(repo.POOLS.c.id == pool_id)).first()
    if row is not None:
        _load(st, row.id, row.stock_remaining, row.budget_remaining_fen)
    return bool(st.move(keys=[st.k("pool", pool_id)], args=[stock, budget_fen]))


def live(platform: Platform, pools: Sequence[PoolRead]) -> list[PoolRead]:
    """Pools with what Redis says is left (the database lags by the answers not drained yet)."""
    st = state(platform)
    out = []
    for p in pools:
        got = st.client.hmget(st.k("pool", p.id), ["stock", "budget"])
        if got[0] is None:
            out.append(p)
            continue
        out.append(p.model_copy(update={"stock_remaining": int(got[0]), "budget_remaining_fen": int(got[1])}))
    return out


def run_batch(platform: Platform, batch: list[Any], *, reloaded: bool = False) -> None:
    """Decide waiting issues in Redis with one script call for the batch; the ledger follows from the stream."""
    st = state(platform)
    keys, args, sent = prepare(platform, st, batch)
    answers = orjson.loads(st.claims(keys=keys, args=args)) if sent else []
    again = settle(platform, st, sent, answers, reloaded=reloaded)
    if again:
        reload(platform, st)
        run_batch(platform, again, reloaded=True)


def prepare(platform: Platform, st: _State, batch: list[Any]) -> tuple[list[str], list[Any], list[Any]]:
    """The script's KEYS and ARGV for a batch, and the issues sent (the others are answered: bad benefit)."""
    keys = list(st.fixed_keys)
    key_at: dict[str, int] = {}
    scopes: dict[tuple[Any, ...], int] = {}
    head: list[Any] = []
    args: list[Any] = []
    sent = []
    plans: dict[tuple[int, int, str], tuple[Any, Any]] = {}  # per batch: (benefit, campaign, org) → definition, pool
    for p in batch:
        a = p.ask
        try:
            d, pool = plans.get((a.benefit_id, a.campaign_id, a.org_code)) or _plan(platform, st, plans, a)
        except MofangError as exc:
            p.error, p.done = exc, True
            continue
        scope = (a.benefit_id, a.campaign_id, pool.id if pool else 0, a.org_code, p.source)
        number = scopes.get(scope)
        if number is None:
            number = scopes[scope] = len(scopes) + 1
            head += [f"{d.per_customer_limit}|{d.cost_fen}|{pool.id if pool else ''}|{a.org_code}|{p.source}|"
                     f"{a.benefit_id}|{a.campaign_id}", _key_index(st, keys, key_at, "cust", a.benefit_id,
                                                                      a.campaign_id),
                     _key_index(st, keys, key_at, "pool", pool.id) if pool else 0]
        pre = "inactive" if d.status != "active" else logic.window_refusal(
            valid_from=d.valid_from, valid_to=d.valid_to, now=a.now)
        expires = logic.expires_at(valid_to=d.valid_to, valid_days=d.valid_days, issued_at=a.now)
        args.append((a.key, a.customer_id, number, a.now.isoformat(), expires.isoformat() if expires else "",
                     pre or ("no_pool" if pool is None else "")))
        sent.append(p)
    return keys, [len(scopes), *head, orjson.dumps(args)], sent


def settle(platform: Platform, st: _State, sent: list[Any], answers: list[str], *, reloaded: bool) -> list[Any]:
    """Hand each issue sent its answer from the script; those to decide again after a reload are returned."""
    _ensure_drainer(platform, st)
    again = []
    for p, answer in zip(sent, answers, strict=True):
        if answer == "reload":
            if not reloaded:  # Redis lost the counters while we ran: reload and decide again, once
                again.append(p)
                continue
            p.error = RuntimeError("the pool's stock is not in Redis and could not be loaded")
        else:
            try:
                p.result = _parse(answer, p.ask)
            except MofangError as exc:
                p.error = exc
        p.done = True
    return again


def reload(platform: Platform, st: _State) -> None:
    """After Redis lost its data: forget the loaded scopes and raise the id counter past the ledger's ids."""
    with st.lock:
        st.scopes.clear()
    with platform.metadata.session() as s:
        st.floor(keys=[st.k("grant_id")], args=[repo.max_grant_id(s)])


def fresh(st: _State, benefit_id: int, campaign_id: int) -> bool:
    """Whether a (benefit, campaign)'s definition is cached and recent (planning it needs no I/O)."""
    cached = st.scopes.get((benefit_id, campaign_id))
    return cached is not None and time.monotonic() - cached[0] < DEFINITION_SECONDS


def needs_org(st: _State, benefit_id: int, campaign_id: int) -> bool:
    """Whether a claim's pool depends on the customer's branch (a loaded scope with a pool below head office).

    When it does not (one pool at head office, or none), the claim is decided without the branch and the ledger row
    gets it when it is written: the customer's answer is the same, and the lookup is made once per drain."""
    cached = st.scopes.get((benefit_id, campaign_id))
    return cached is None or any(p.org_code != logic.ROOT_ORG for p in cached[2])


def scope(platform: Platform, benefit_id: int, campaign_id: int) -> None:
    """Load a (benefit, campaign)'s definition and counters (for callers that do the I/O off their loop)."""
    _scope(platform, state(platform), benefit_id, campaign_id)


def _plan(platform: Platform, st: _State, plans: dict[tuple[int, int, str], tuple[Any, Any]],
          ask: logic.Ask) -> tuple[Any, Any]:
    """The definition of an ask's benefit and the pool its org draws from (None: no pool), kept for the batch."""
    d, pools = _scope(platform, st, ask.benefit_id, ask.campaign_id)
    plans[(ask.benefit_id, ask.campaign_id, ask.org_code)] = plan = (d, logic.choose_pool(pools, ask.org_code))
    return plan


def _key_index(st: _State, keys: list[str], key_at: dict[str, int], *parts: object) -> int:
    """The 1-based position of a Redis key among the script's KEYS (added once)."""
    name = st.k(*parts)
    if name not in key_at:
        keys.append(name)
        key_at[name] = len(keys)
    return key_at[name]


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


def drain(platform: Platform, *, batch: int = 40) -> int:
    """Write every answer waiting in the stream into the ledger (each once), then remove it; how many were new."""
    st = state(platform)
    new = 0
    with st.drain_lock:
        while True:
            entries = st.client.xrange(st.k("stream"), count=batch)  # each entry: a batch of up to 256 answers
            if not entries:
                return new
            rows = list({r["idempotency_key"]: r for _, fields in entries for r in _rows(fields)}.values())
            _fill_orgs(platform, rows)
            new += _write(platform, rows)
            st.client.xdel(st.k("stream"), *[eid for eid, _ in entries])


def _fill_orgs(platform: Platform, rows: list[dict[str, Any]]) -> None:
    """The branch of claims decided without it (see `needs_org`), looked up for the ledger in one read."""
    from mofang.campaigns.benefits.issuing import customer_orgs

    todo = [r for r in rows if not r["org_code"]]
    orgs = customer_orgs(platform, {r["customer_id"] for r in todo}) if todo else {}
    for r in todo:
        r["org_code"] = orgs.get(r["customer_id"], logic.ROOT_ORG)


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


def _rows(fields: dict[str, str]) -> list[dict[str, Any]]:
    """The ledger rows of one stream entry: a batch (see `redis_scripts.CLAIMS`), or one answer (older entries)."""
    if "f" not in fields:
        seq = int(fields["s"]) if fields["s"] else None
        return [_row(fields["a"].split("|"), fields["k"], fields["c"], _scope_of(fields["x"]), fields["t"], seq)]
    scopes, claims, answers, decided = (orjson.loads(fields[k]) for k in "scrf")
    parsed = [_scope_of(x) for x in scopes]
    return [_row(answers[pos - 1].split("|", 5)[:5], claims[pos - 1][0], claims[pos - 1][1],
                 parsed[claims[pos - 1][2] - 1], claims[pos - 1][3], seq or None)
            for pos, seq in zip(decided[::2], decided[1::2], strict=True)]


def _scope_of(fixed: str) -> dict[str, Any]:
    """The ledger columns a claim's scope string fixes (see `redis_scripts.CLAIMS`)."""
    _, _, pool, org, source, benefit, campaign = fixed.split("|")
    return {"benefit_id": int(benefit), "campaign_id": int(campaign), "pool_id": int(pool) if pool else None,
            "org_code": org, "source": source}


@lru_cache(maxsize=1024)
def _when(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _row(answer: list[str], key: str, customer: str, scope: dict[str, Any], now: str,
         seq: int | None) -> dict[str, Any]:
    status, reason, gid, cost, expires = answer
    return {**scope, "id": int(gid), "idempotency_key": key, "customer_id": customer, "status": status,
            "reason": reason or None, "customer_seq": seq, "cost_fen": int(cost), "issued_at": _when(now),
            "expires_at": _when(expires)}

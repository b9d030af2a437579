"""Flash-sale (抢券) benchmark: claims per second and p99 latency, embedded (SQLite) and on Redis.

    PYTHONPATH=src .venv/bin/python bench/bench_benefits.py [--claims 60000] [--threads 32]
        [--redis redis://127.0.0.1:6379/0 --workers 2] [--threaded]

Each claim goes through the bank's claim route as production runs it (`routes.claim`, awaited on an event loop:
`--threads` concurrent requests per process, the customer's org looked up in the event store), in process: no HTTP,
no API-key check, no JSON encoding of the answer. `--threaded` measures instead the synchronous path that the
engine's benefit action takes (`campaigns.claim` from that many threads).

Every claim is a distinct customer and key against a stock of half the claims, so half are issued and half refused
(stock_exhausted), as in a real sale; the run checks that exactly the stock was issued. Targets (2 cores):
≥ 5,000 claims/s embedded, ≥ 20,000 claims/s on Redis. The load average and CPU time are printed beside the wall
time: on a shared machine they say how much of it the benchmark had.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mofang import campaigns
from mofang.campaigns.benefits import redis_stock, routes, service
from mofang.campaigns.benefits.contracts import BenefitCreate, ClaimRequest, PoolCreate
from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import OrgRead, Principal, Scope
from mofang.platform.governance.logic import permissions_of
from mofang.platform.settings import Settings
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.metadata import Metadata

NOW = datetime(2026, 3, 20, 2, tzinfo=UTC)
ADMIN = Principal(user_id=0, username="bench", display_name="bench", role="admin", org_code="HQ", rm_id=None,
                  permissions=permissions_of("admin"), scope=Scope(kind="all"))


def _setup(data_dir: Path, claims: int, redis_url: str | None, prefix: str) -> tuple[Platform, int]:
    settings = Settings(data_dir=data_dir, redis_url=redis_url, start_background=False, scheduler=False)
    plat = open_platform(settings)
    plat.extras["redis_prefix"] = prefix
    with plat.metadata.session() as session:
        gov.upsert_orgs(session=session, orgs=[OrgRead(code="HQ", name="总行", parent_code=None, level=0),
                                               OrgRead(code="GD", name="广东", parent_code="HQ", level=1)])
    b = service.create(platform=plat, who=ADMIN, data=BenefitCreate.model_validate({
        "name": "bench", "spec": {"kind": "cash", "amount_fen": 100}, "valid_days": 7}))
    service.create_pool(platform=plat, who=ADMIN, data=PoolCreate(benefit_id=b.id, stock=claims // 2,
                                                                  budget_fen=10**12))
    # The customers as a bank has them: each with a profile (the claim route looks up their branch there).
    with plat.metadata.session() as session:
        session.execute(CustomerProfile.__table__.insert(), [
            {"customer_id": f"k{i}", "org_code": "GD", "attributes": {}, "tags": {}, "segments": [], "consents": {},
             "row_hash": ""} for i in range(claims)])
    # Read-only from here on, so that the worker processes can open the event store too (customers' orgs).
    plat.store.close()
    plat.store = EventStore(settings.resolved_event_store_path(), read_only=True)
    return plat, b.id


def _run_route(plat: Platform, bid: int, keys: list[str], concurrency: int) -> tuple[list[float], int]:
    """Claims through the bank's claim route on an event loop, `concurrency` requests in flight."""
    lat: list[float] = []
    issued = 0

    async def client(todo: Any) -> None:
        nonlocal issued
        for key in todo:  # each client takes the next key when its request is answered
            t = time.perf_counter()
            r = await routes.claim(ClaimRequest(benefit_id=bid, customer_id=key), "bench", plat, key)
            lat.append(time.perf_counter() - t)
            issued += r.status == "issued"

    async def main() -> None:
        todo = iter(keys)
        await asyncio.gather(*[client(todo) for _ in range(concurrency)])

    asyncio.run(main())
    return lat, issued


def _run(plat: Platform, bid: int, keys: list[str], threads: int) -> tuple[list[float], int]:
    lat: list[float] = []
    issued = 0
    lock = threading.Lock()

    def one(key: str) -> None:
        nonlocal issued
        t = time.perf_counter()
        r = campaigns.claim(platform=plat, benefit_id=bid, customer_id=key, idempotency_key=key, org_code="GD",
                            now=NOW)
        dt = time.perf_counter() - t
        with lock:
            lat.append(dt)
            issued += r.status == "issued"

    # Each thread takes the next key when it is free: a request's worth of objects at a time, not a future per claim
    # made up front (30,000 live futures made the process's own garbage collections a cost of the benchmark).
    todo = iter(keys)

    def client() -> None:
        for key in todo:  # a list iterator hands each key to one thread
            one(key)

    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(client) for _ in range(threads)]:
            f.result()
    return lat, issued


def _worker(args: tuple[str, str, str, int, list[str], int, bool], start: Any, out: Any) -> None:
    data_dir, redis_url, prefix, bid, keys, threads, threaded = args
    settings = Settings(data_dir=Path(data_dir), redis_url=redis_url, start_background=False, scheduler=False)
    plat = Platform(settings=settings, metadata=Metadata(settings.resolved_metadata_url()),
                    store=EventStore(settings.resolved_event_store_path(), read_only=True),
                    cipher=None, token_key=b"")  # type: ignore[arg-type]
    plat.extras["redis_prefix"] = prefix
    run = _run if threaded else _run_route
    run(plat, bid, keys[:50], threads)  # load the scope and scripts before the clock starts
    start.wait()  # every worker starts claiming at the same moment
    t0, c0 = time.perf_counter(), time.process_time()
    lat, issued = run(plat, bid, keys[50:], threads)
    out.put((lat, issued, time.perf_counter() - t0, time.process_time() - c0))


def _report(name: str, lat: list[float], wall: float, issued: int, stock: int, cpu: float) -> None:
    q = statistics.quantiles(lat, n=100)
    print(f"{name}: {len(lat)} claims in {wall:.2f} s = {len(lat) / wall:,.0f} claims/s; "
          f"p50 {q[49] * 1000:.2f} ms, p99 {q[98] * 1000:.2f} ms; issued {issued} of stock {stock}; "
          f"CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}")
    if issued != stock:
        sys.exit(f"{name}: issued {issued}, stock {stock}: NOT EXACT")


def bench_embedded(claims: int, threads: int, threaded: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plat, bid = _setup(Path(tmp), claims, None, "")
        keys = [f"k{i}" for i in range(claims)]
        t0, c0 = time.perf_counter(), time.process_time()
        lat, issued = (_run if threaded else _run_route)(plat, bid, keys, threads)
        _report(f"embedded (SQLite, {'threads' if threaded else 'claim route'})", lat, time.perf_counter() - t0,
                issued, claims // 2, time.process_time() - c0)
        plat.close()


def bench_redis(claims: int, threads: int, workers: int, url: str, threaded: bool = False) -> None:
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory() as tmp:
        plat, bid = _setup(Path(tmp), claims, url, prefix)
        keys = [f"k{i}" for i in range(claims)]
        shares = [keys[i::workers] for i in range(workers)]
        ctx = mp.get_context("spawn")
        start, out = ctx.Barrier(workers), ctx.Queue()
        procs = [ctx.Process(target=_worker, args=((tmp, url, prefix, bid, sh, threads, threaded), start, out))
                 for sh in shares]
        for p in procs:
            p.start()
        parts: list[Any] = [out.get() for _ in procs]
        for p in procs:
            p.join()
        lat = [x for p in parts for x in p[0]]
        warm = sum(min(50, len(sh)) for sh in shares)
        issued = sum(p[1] for p in parts) + min(warm, claims // 2)
        t = time.perf_counter()
        drained = redis_stock.drain(plat)
        drain_s = time.perf_counter() - t
        how = f"{threads} threads" if threaded else f"{threads} concurrent claim-route requests"
        _report(f"Redis ({workers} workers × {how})", lat, max(p[2] for p in parts), issued,
                claims // 2, sum(p[3] for p in parts))
        print(f"  ledger drain of the rest: {drained} rows in {drain_s:.2f} s (the workers' drainers wrote the others)")
        rec = service.reconciliation(platform=plat, who=ADMIN, benefit_id=bid)
        assert rec[0].issued == claims // 2 and rec[0].stock_remaining == 0, rec
        plat.close()


def bench_redis_batches(claims: int, url: str) -> None:
    """The Redis path without thread hand-offs: one process submits batches of 256 claims as one pipeline each."""
    from mofang.campaigns.benefits import issuing, logic

    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory() as tmp:
        plat, bid = _setup(Path(tmp), claims, url, prefix)
        asks = [issuing.Pending(logic.Ask(key=f"k{i}", benefit_id=bid, campaign_id=0, customer_id=f"k{i}",
                                           org_code="GD", now=NOW), "claim") for i in range(claims)]
        redis_stock.run_batch(plat, asks[:256])
        lat = []
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(256, claims, 256):
            t = time.perf_counter()
            redis_stock.run_batch(plat, asks[i:i + 256])
            lat += [time.perf_counter() - t] * len(asks[i:i + 256])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        issued = sum(p.result is not None and p.result.status == "issued" for p in asks)
        _report("Redis, one process, pipelines of 256", lat, wall, issued, claims // 2, cpu)
        redis_stock.stop(plat)
        plat.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=60_000)  # a few seconds per run: 20,000 was over in one
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)  # one per core
    ap.add_argument("--redis-threads", type=int, default=32)
    ap.add_argument("--redis", default=os.environ.get("MOFANG_TEST_REDIS_URL"))
    ap.add_argument("--threaded", action="store_true", help="the synchronous path from threads, not the route")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()}")
    bench_embedded(args.claims, args.threads, args.threaded)
    if args.redis:
        bench_redis(args.claims, args.redis_threads, args.workers, args.redis, args.threaded)
        bench_redis_batches(args.claims, args.redis)


if __name__ == "__main__":
    main()

"""Journey engine benchmark: a segment entry of 100,000 customers until every one has had their first action.

The segment's members come straight from a list (the segments centre's query is the insight benchmark's
business); the reach centre is replaced by an effect that accepts at once, so what is measured is the engine:
bulk insert of the instances, their first step, the outbox, and the dispatcher feeding results back.

    .venv/bin/python bench/bench_engine.py                      # 100,000 customers, embedded SQLite
    .venv/bin/python bench/bench_engine.py --metadata-url postgresql://postgres@127.0.0.1:5432/bench

By default entry and dispatch run one after the other in this process. `--overlap` runs the dispatch loop in a
second thread during the entry, as `mofang serve`'s engine threads do (the default deployment); `--worker` runs
it in a second process, as a `mofang worker` beside the server does. The CPU printed is this process's (plus the
worker's, printed apart).

Target (issue 11): the first action for all 100,000 customers in ≤ 5 s embedded. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.contracts import DeliveryResult, SendRequest
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.batches import size
from mofang.strategy.engine.repository import EngineCommand
from mofang.strategy.engine.service import DefaultEffects, Known, Runtime
from mofang.strategy.engine.service.runtime import EXTRA
from mofang.strategy.engine.tasks import open_worker_platform

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
GRAPH = Graph.model_validate({
    "nodes": [{"id": "in", "type": "segment_entry", "segment_id": 1},
              {"id": "push", "type": "send", "channel": "push", "template_id": 1},
              {"id": "wait", "type": "delay", "seconds": 86400},
              {"id": "end", "type": "exit"}],
    "edges": [{"source": "in", "target": "push"}, {"source": "push", "target": "wait"},
              {"source": "wait", "target": "end"}],
})


class AcceptAll(DefaultEffects):
    """A reach centre that accepts every message at once (counts them)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        self.sent += 1
        return DeliveryResult(status="accepted")

    def send_many(self, *, platform: Platform, requests: Sequence[SendRequest]) -> list[DeliveryResult]:
        self.sent += len(requests)
        return [DeliveryResult(status="accepted")] * len(requests)


class EveryoneAtHeadOffice:
    """Profiles of every customer, without a profile table to fill first."""

    def facts_of(self, *, session: object, customer_ids: object) -> dict:
        return {}

    def known_of(self, *, session: object, customer_ids: list[str]) -> dict[str, Known]:
        from mofang.strategy.engine.contracts import Facts

        empty = Facts()
        return {c: Known(facts=empty, org_code="HQ") for c in customer_ids}


def _advance():  # type: ignore[no-untyped-def]
    try:
        from mofang.strategy.engine.logic import advance
    except ImportError:  # before the pure engine lands, the test suite's stand-in steps the same graph
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from strategy.runtime.standin import standin_advance as advance

        print("note: mofang.strategy.engine.logic is missing; using the tests' stand-in step", flush=True)
    return advance


def event_graph(k: int) -> Graph:
    """事件触发 ev<k> (channel = app) → push → delay a day → exit."""
    return Graph.model_validate({
        "nodes": [{"id": "in", "type": "event_entry", "event": f"ev{k}",
                   "filters": [{"property": "channel", "op": "eq", "value": "app"}]},
                  {"id": "push", "type": "send", "channel": "push", "template_id": 1},
                  {"id": "wait", "type": "delay", "seconds": 86400},
                  {"id": "end", "type": "exit"}],
        "edges": [{"source": "in", "target": "push"}, {"source": "push", "target": "wait"},
                  {"source": "wait", "target": "end"}],
    })


def _event(i: int, strategies: int) -> dict[str, Any]:
    return {"customer_id": f"C{i:08d}", "user_id": f"C{i:08d}", "anonymous_id": None, "event": f"ev{i % strategies}",
            "ts": T0.isoformat(), "properties": {"channel": "app"}, "message_id": f"m{i}"}


def events_main(args: argparse.Namespace, platform: Platform, rt: Runtime) -> None:
    """50 event-triggered strategies: throughput of events to first commands, then latency through the bus."""
    from mofang.platform.bus import bus_of

    for k in range(args.strategies):
        engine.activate(platform=platform, strategy_id=100 + k, version=1, graph=event_graph(k), org_code="HQ")
    n = args.events
    started, cpu = time.perf_counter(), time.process_time()
    for lo in range(0, n, args.event_batch):
        engine.handle_events(platform=platform, events=[_event(i, args.strategies)
                                                        for i in range(lo, min(n, lo + args.event_batch))])
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    with platform.metadata.session() as s:
        cmds = sum(size(p) for p in s.scalars(select(EngineCommand.payload)))
    print(f"{n:,} events through {args.strategies} event-triggered strategies ({platform.metadata.engine.dialect.name},"
          f" load {os.getloadavg()[0]:.1f}): {took:.2f} s = {n / took:,.0f} events/s to first command in the outbox"
          f" ({cmds:,} commands); process CPU {cpu:.2f} s = {n / cpu:,.0f} events per CPU-second")
    # Latency: publish at a steady rate into the bus; the engine's consumer (group `engine`) enters the customers;
    # measured from publish to the commit that put the first command in the outbox.
    sent_at: dict[str, float] = {}
    lat: list[float] = []

    def handler(messages: Sequence[Any]) -> None:
        import orjson

        engine.handle_events(platform=platform, events=[orjson.loads(m.data) for m in messages])
        done = time.perf_counter()
        lat.extend(done - sent_at[m.id] for m in messages if m.id in sent_at)

    bus = bus_of(platform)
    sub = bus.subscribe("events.>", "engine", handler, batch=256)
    total = int(args.rate * args.seconds)
    base = n + 1
    t_start = time.perf_counter()
    import orjson

    for j in range(total):
        due = t_start + j / args.rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        mid = f"lat{j}"
        ev = {**_event(base + j, args.strategies), "message_id": mid}
        sent_at[mid] = time.perf_counter()
        bus.publish(f"events.{ev['event']}", [orjson.dumps(ev)], ids=[mid])  # type: ignore[call-arg]
    deadline = time.perf_counter() + 30
    while len(lat) < total and time.perf_counter() < deadline:
        time.sleep(0.05)
    sub.stop()
    lat.sort()
    if lat:
        p50, p99 = lat[len(lat) // 2] * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(f"event → first command at {args.rate:,} events/s through the embedded bus: p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms ({len(lat):,}/{total:,} measured); targets ≥ 5,000 events/s and p99 ≤ 100 ms")


def worker_main(root: Path, url: str | None, batch: int, stop: Any) -> None:
    """The dispatcher of a `mofang worker` process: carry out commands until told to stop and none are left."""
    platform = open_worker_platform(Settings(data_dir=root, metadata_url=url))
    rt = Runtime(advance=_advance(), effects=AcceptAll(), facts=EveryoneAtHeadOffice(), clock=lambda: T0,
                 batch=batch, worker_id="bench-worker")
    platform.extras[EXTRA] = rt
    while True:  # like `EngineWorker`'s loop: again at once while there was work, else a short poll
        if engine.dispatch(platform=platform, rt=rt, now=T0) == 0:
            if stop.is_set():
                break
            stop.wait(0.02)
    platform.metadata.dispose()


def main() -> None:
    """Enter the segment, dispatch every first send, print the times (or, with --events, the event path)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--metadata-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--batch", type=int, default=Settings().engine_batch,
                        help="instances per stepping transaction (default: the setting MOFANG_ENGINE_BATCH)")
    parser.add_argument("--overlap", action="store_true", help="dispatch in a second thread while entering")
    parser.add_argument("--worker", action="store_true", help="dispatch in a second process while entering")
    parser.add_argument("--events", type=int, default=0, help="run the event benchmark with this many events")
    parser.add_argument("--strategies", type=int, default=50)
    parser.add_argument("--event-batch", type=int, default=1_000, help="events per handle_events call (a bus fetch)")
    parser.add_argument("--rate", type=int, default=1_000, help="events/s for the latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="mofang-bench-engine-"))
    platform = open_worker_platform(Settings(data_dir=root, metadata_url=args.metadata_url))
    effects = AcceptAll()
    rt = Runtime(advance=_advance(), effects=effects, facts=EveryoneAtHeadOffice(), clock=lambda: T0,
                 batch=args.batch, worker_id="bench")
    platform.extras[EXTRA] = rt
    ids = [f"C{i:08d}" for i in range(args.customers)]

    def members(**_: object) -> Iterator[list[str]]:
        for start in range(0, len(ids), 10_000):
            yield ids[start:start + 10_000]

    try:
        if args.events:
            events_main(args, platform, rt)
            return
        engine.activate(platform=platform, strategy_id=1, version=1, graph=GRAPH, org_code="HQ")
        started, cpu = time.perf_counter(), time.process_time()
        entering = threading.Event()
        entering.set()

        def dispatcher() -> None:  # the dispatch loop of `mofang serve`'s engine threads, beside the entry run
            while engine.dispatch(platform=platform, rt=rt, now=T0) or entering.is_set():
                time.sleep(0)

        thread = threading.Thread(target=dispatcher) if args.overlap else None
        if thread is not None:
            thread.start()
        proc, stop = None, None
        if args.worker:  # a `mofang worker` process: the dispatch loop over the same database, beside the entry
            ctx = multiprocessing.get_context("spawn")
            stop = ctx.Event()
            proc = ctx.Process(target=worker_main, args=(root, args.metadata_url, args.batch, stop))
            proc.start()
        entered = engine.run_entries(platform=platform, rt=rt, members=members, now=T0)
        in_outbox = time.perf_counter() - started
        entering.clear()
        if thread is not None:
            thread.join()
        if proc is not None and stop is not None:
            stop.set()
            proc.join()
        while engine.dispatch(platform=platform, rt=rt, now=T0):
            pass
        dispatched, cpu = time.perf_counter() - started, time.process_time() - cpu
        if proc is not None:
            import resource

            child = resource.getrusage(resource.RUSAGE_CHILDREN)
            print(f"  worker process CPU: {child.ru_utime + child.ru_stime:6.2f} s")
        with platform.metadata.session() as s:  # a batch row holds a cohort's commands: count its members'
            rows = list(s.scalars(select(EngineCommand).where(EngineCommand.status == "done")))
            done = sum(size(r.payload) for r in rows)
        print(f"segment entry of {entered:,} customers ({platform.metadata.engine.dialect.name}, "
              f"load {os.getloadavg()[0]:.1f}):")
        print(f"  instances entered and first commands in the outbox: {in_outbox:6.2f} s "
              f"({entered / in_outbox:,.0f}/s)")
        sent = "sends counted in the worker" if args.worker else f"{effects.sent:,} sends"
        print(f"  first action carried out for all (dispatch + result fed back): {dispatched:6.2f} s "
              f"({sent}, {done:,} commands done in {len(rows):,} outbox rows)")
        print(f"  process CPU for all of it: {cpu:6.2f} s ({entered / cpu:,.0f} customers per CPU-second)")
        print(f"  target ≤ 5 s: {'met' if dispatched <= 5 else 'NOT met'}")
    finally:
        bus = platform.extras.pop("bus", None)
        if bus is not None:
            bus.close()
        platform.metadata.dispose()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

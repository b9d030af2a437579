"""Bus benchmark: publish throughput in batches, publish + consume throughput, and delivery latency.

The publisher runs in this process, the consumers (one group, `--members` members) in another process, like
ingestion and an engine worker on a 2-core box. Messages are event-shaped JSON (~230 bytes) on
`events.<name>`. Every message is checked delivered (at least once; duplicates are counted).

    .venv/bin/python bench/bench_bus.py                           # embedded (SQLite queue file)
    .venv/bin/python bench/bench_bus.py --nats nats://127.0.0.1:4222

Loopback only; bounded by the message counts. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mofang.platform.bus import event_subject
from mofang.platform.bus.contracts import Bus, BusMessage
from mofang.platform.bus.embedded import EmbeddedBus
from mofang.platform.bus.jetstream import JetStreamBus

EVENTS = ["App Opened", "Product Viewed", "Fund Purchased", "Transfer Submitted", "Login", "理财.购买"]


def open_bus(target: str) -> Bus:
    if target.startswith("nats://"):
        return JetStreamBus(target, ack_wait=30)
    return EmbeddedBus(Path(target), poll_interval=0.01)


def make_messages(n: int, start: int = 0) -> list[BusMessage]:
    out = []
    for i in range(start, start + n):
        name = EVENTS[i % len(EVENTS)]
        body = {"customer_id": f"C{i % 100_000:07d}", "user_id": f"C{i % 100_000:07d}", "anonymous_id": None,
                "event": name, "ts": "2026-12-07T01:02:03.456789+00:00",
                "properties": {"product_id": "F0012", "amount": i % 5000, "channel": "app"}, "message_id": f"m{i}"}
        out.append(BusMessage(event_subject(name), orjson.dumps(body), f"m{i}"))
    return out


def consumer(target: str, members: int, batch: int, expect: int, ready: Any, result: Any) -> None:
    """A consumer process: `members` subscriptions of one group; reports counts and latencies when done."""
    bus = open_bus(target)
    lock = threading.Lock()
    seen: set[str] = set()
    dup = 0
    lat: list[float] = []
    done = threading.Event()
    first: list[float] = []

    def handle(msgs: Any) -> None:
        nonlocal dup
        now = time.time()
        with lock:
            if not first:
                first.append(time.perf_counter())
            for m in msgs:
                if m.id in seen:
                    dup += 1
                seen.add(m.id)
                sent = m.id.partition("@")[2]
                if sent:
                    lat.append(now - float(sent))
            if len(seen) >= expect:
                done.set()

    subs = [bus.subscribe("events.>", "bench", handle, batch=batch) for _ in range(members)]
    ready.set()
    done.wait(600)
    finished = time.perf_counter()
    for s in subs:
        s.stop()
    bus.close()
    result.put({"received": len(seen), "duplicates": dup, "first": first[0] if first else None,
                "finished": finished, "latencies": lat})


def run(target: str, *, n: int, batch: int, members: int, fetch: int, rate: int, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    msgs = make_messages(n)
    # 1. publish only (nobody consuming)
    pub = open_bus(target)
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        pub.publish_messages(msgs[i:i + batch])
    publish_only = n / (time.perf_counter() - t0)
    # 2. a consumer process drains that backlog while the publisher publishes as many again
    more = make_messages(n, start=n)
    ready, result = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=consumer, args=(target, members, fetch, 2 * n, ready, result))
    proc.start()
    ready.wait(60)
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        pub.publish_messages(more[i:i + batch])
    publish_while_consuming = n / (time.perf_counter() - t0)
    r = result.get(timeout=900)
    proc.join(60)
    both = r["received"] / (r["finished"] - t0)
    # 3. latency at a steady rate: small batches every 10 ms, publish time in the id
    n_lat = int(rate * seconds)
    ready, result = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=consumer, args=(target, members, fetch, n_lat, ready, result))
    proc.start()
    ready.wait(60)
    per_tick = max(1, rate // 100)
    sent = 0
    start = time.perf_counter()
    while sent < n_lat:
        due = start + sent / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        k = min(per_tick, n_lat - sent)
        now = time.time()
        pub.publish_messages([BusMessage(m.subject, m.data, f"{m.id}@{now}")
                              for m in make_messages(k, start=2 * n + sent)])
        sent += k
    r2 = result.get(timeout=900)
    proc.join(60)
    pub.close()
    lat = sorted(r2["latencies"])
    return {
        "publish_only_per_s": round(publish_only),
        "publish_while_consuming_per_s": round(publish_while_consuming),
        "consume_with_publish_per_s": round(both),
        "delivered": r["received"], "expected": 2 * n, "duplicates": r["duplicates"] + r2["duplicates"],
        "latency_rate_per_s": rate,
        "latency_p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "latency_p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1) if lat else None,
    }


def flush_cost(flushes: int, per_flush: int) -> dict[str, Any]:
    """What publishing adds to ingestion: the flusher's DuckDB transaction with and without the outbox, and the
    publisher thread's time, on `flushes` batches of `per_flush` events (what a 500 ms flush holds at 20k/s)."""
    from mofang.platform.context import open_platform
    from mofang.platform.settings import Settings
    from mofang.tracking.outbox import EventPublisher
    from mofang.tracking.service import Ingestor

    out: dict[str, Any] = {}
    for mode in ("without_bus", "with_bus"):
        root = Path(tempfile.mkdtemp(prefix="mofang-bench-flush-"))
        plat = open_platform(Settings(data_dir=root / "data", start_background=False, scheduler=False))
        try:
            ing = Ingestor(plat)
            if mode == "with_bus":
                ing.publisher = EventPublisher(plat, background=True)
                ing.publisher.start()
            took = []
            for f in range(flushes):
                lines = [orjson.dumps({
                    "message_id": f"f{f}-{i}", "type": "track", "event": EVENTS[i % len(EVENTS)],
                    "user_id": f"C{i % 50_000:07d}", "anonymous_id": None, "ts_us": 1_765_000_000_000_000 + i,
                    "received_us": 1_765_000_000_000_000 + i, "channel": "app",
                    "properties": '{"product_id":"F0012","amount":12}', "context": "{}", "link_from": None})
                    for i in range(per_flush)]
                t0 = time.perf_counter()
                ing._store([b"\n".join(lines)], None)
                took.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            if ing.publisher is not None:
                assert ing.publisher.wait_idle(300)
                ing.publisher.stop()
            drain = time.perf_counter() - t0
            out[mode] = {"flush_ms_median": round(statistics.median(took) * 1000, 1),
                         "flush_ms_max": round(max(took) * 1000, 1),
                         "publisher_behind_at_end_s": round(drain, 2)}
        finally:
            plat.close()
            shutil.rmtree(root, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nats", help="a NATS JetStream URL (default: the embedded SQLite queue)")
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=2_000, help="messages per publish (ingestion publishes a flush)")
    ap.add_argument("--members", type=int, default=2, help="subscriptions of the group in the consumer process")
    ap.add_argument("--fetch", type=int, default=256, help="messages per handler call")
    ap.add_argument("--rate", type=int, default=1_000, help="messages/s for the latency run")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    ap.add_argument("--flush-cost", action="store_true",
                    help="instead: what the outbox and publisher add to ingestion's flushes (embedded bus)")
    args = ap.parse_args()
    if args.flush_cost:
        print(orjson.dumps(flush_cost(20, 10_000), option=orjson.OPT_INDENT_2).decode())
        return
    tmp = Path(tempfile.mkdtemp(prefix="mofang-bench-bus-"))
    if args.nats:
        sep = "&" if "?" in args.nats else "?"
        target = f"{args.nats}{sep}namespace=bench{uuid.uuid4().hex[:8]}"
    else:
        target = str(tmp / "bus.sqlite")
    try:
        out = run(target, n=args.messages, batch=args.batch, members=args.members, fetch=args.fetch,
                  rate=args.rate, seconds=args.seconds)
    finally:
        if args.nats:
            cleaner = JetStreamBus(target)
            cleaner._streams.add(cleaner._stream_for("events.x"))
            cleaner.delete_streams()
            cleaner.close()
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"backend": "nats" if args.nats else "embedded", "cores": os.cpu_count(),
           "load_before": os.getloadavg()[0], **out}
    print(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()

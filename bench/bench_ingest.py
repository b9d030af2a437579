"""Ingestion benchmark: sustained events/s through /v1/batch and response latency, all events verified.

Starts `mofang serve` on a free loopback port over a fresh data dir, creates a write key, then drives
load from several client processes with pre-built gzip'd Segment batches (100-500 events each,
unique messageIds) on an open-loop schedule at a target rate. Latency is measured from each
request's scheduled send time (so a server that falls behind is charged for the queueing, no
coordinated omission). After the run the server is stopped (SIGTERM: it flushes), and the events in
DuckDB are counted against what the server acknowledged.

    .venv/bin/python bench/bench_ingest.py --rate 20000 --duration 30
    .venv/bin/python bench/bench_ingest.py --rate 0 --duration 15   # closed loop: the ceiling

Loopback only; bounded by --duration (plus setup). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

EVENTS = ["App Opened", "Product Viewed", "Fund Purchased", "Transfer Submitted", "Loan Applied",
          "Coupon Claimed", "Login", "Card Activated"]


# `mofang serve` less the access log (same app, settings and uvicorn options otherwise).
SERVE_WITHOUT_ACCESS_LOG = """
import sys, uvicorn
from pathlib import Path
from mofang.app import create_app
from mofang.platform.logging import uvicorn_log_config
from mofang.platform.settings import Settings
settings = Settings(data_dir=Path(sys.argv[1]), port=int(sys.argv[2]))
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[2]), log_config=uvicorn_log_config(),
            timeout_graceful_shutdown=5, access_log=False)
"""


def wait_for_daily_jobs(data_dir: Path, timeout: float = 300.0) -> int:
    """Wait until the daily jobs due now have run (a fresh server catches up on them at start).

    They run at night in production (tags 02:00, churn 02:30, alerts 07:00 bank time); measuring while a
    started server catches up on them would measure the catch-up, not steady ingestion.
    """
    from mofang.app import daily_jobs
    from mofang.platform.scheduler import due_jobs

    # A job name may carry a suffix of the server's own configuration (`integration.sources@<hash>`).
    due = {j.name.split("@")[0] for j in due_jobs(daily_jobs(), done=set(), now=datetime.now(UTC))}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(data_dir / "mofang.sqlite") as db:
                rows = db.execute("SELECT job, status FROM job_runs").fetchall()
        except sqlite3.Error:
            rows = []
        if due <= {job.split("@")[0] for job, status in rows if status != "running"}:
            return len(due)
        time.sleep(0.2)
    raise SystemExit(f"the server's daily jobs {sorted(due)} did not finish in {timeout:.0f} s")


def prefill_dedupe(data_dir: Path, n: int) -> None:
    """Put n random messageIds received over the last six days into the dedupe table (the server is not running)."""
    from mofang.platform.storage.eventstore import EventStore

    started = time.perf_counter()
    store = EventStore(data_dir / "events.duckdb")
    try:
        store.ensure_schema()
        with store.write() as cur:
            cur.execute(f"""INSERT INTO ingest_dedupe
                            SELECT hash(m), m, now()::TIMESTAMP - to_seconds(i % 518400)
                            FROM (SELECT uuid()::VARCHAR AS m, i FROM range({int(n)}) t(i))""")
    finally:
        store.close()
    print(f"dedupe table prefilled with {n:,} messageIds in {time.perf_counter() - started:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_bodies(n_requests: int, batch_min: int, batch_max: int, seed: int) -> list[tuple[bytes, int]]:
    """Gzip'd /v1/batch bodies shaped like analytics-python's, each event with a unique messageId."""
    rnd = random.Random(seed)
    bodies = []
    for _ in range(n_requests):
        size = rnd.randint(batch_min, batch_max)
        batch = []
        for _ in range(size):
            cust = rnd.randint(1, 200_000)
            roll = rnd.random()
            msg: dict[str, Any] = {
                "messageId": str(uuid.uuid4()),
                "timestamp": f"2026-05-01T10:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}"
                             f".{rnd.randint(0, 999):03d}+08:00",
                "context": {"library": {"name": "analytics-python", "version": "2.4.0"},
                            "ip": f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"},
                "integrations": {},
            }
            if roll < 0.03:  # a login: the device's earlier anonymous events get attributed
                msg.update(type="identify", userId=f"C{cust:07d}", anonymousId=f"dev-{cust}",
                           traits={"tier": rnd.choice(["大众", "潜力", "财富"])})
            elif roll < 0.15:
                msg.update(type="track", event=rnd.choice(EVENTS), anonymousId=f"dev-{cust}",
                           properties={"screen": "home", "version": "5.2.1"})
            else:
                msg.update(type="track", event=rnd.choice(EVENTS), userId=f"C{cust:07d}",
                           properties={"amount": rnd.randint(1, 500_000), "product": "稳健理财30天",
                                       "channel_detail": rnd.choice(["banner", "push", "search"])})
            batch.append(msg)
        body = {"batch": batch, "sentAt": "2026-05-01T10:59:59.999+08:00"}
        bodies.append((gzip.compress(orjson.dumps(body), compresslevel=6), size))
    return bodies


def worker(idx: int, port: int, key: str, n_requests: int, rate_rps: float, args: dict[str, Any],
           start_at: mp.Value, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """One client process: build its bodies, wait for the common start, send on schedule."""
    bodies = build_bodies(n_requests, args["batch_min"], args["batch_max"], seed=idx)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
               "Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
               "User-Agent": "mofang-bench"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out.put(("ready", idx))
    while start_at.value == 0:
        time.sleep(0.001)
    t0 = start_at.value
    deadline = t0 + args["duration"]
    latencies, service, statuses, accepted, sent_events = [], [], {}, 0, 0
    first = last = None
    for i, (body, size) in enumerate(bodies):
        scheduled = t0 + i / rate_rps if rate_rps > 0 else time.time()
        if scheduled >= deadline:
            break
        delay = scheduled - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        first = first or sent
        try:
            conn.request("POST", "/v1/batch", body=body, headers=headers)
            res = conn.getresponse()
            payload = res.read()
            status = res.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, payload = 0, b""
        done = time.time()
        last = done
        statuses[status] = statuses.get(status, 0) + 1
        sent_events += size
        if status == 200:
            accepted += orjson.loads(payload)["accepted"]
        latencies.append(done - scheduled)
        service.append(done - sent)
    conn.close()
    out.put(("done", idx, {"latencies": latencies, "service": service, "statuses": statuses,
                           "accepted": accepted, "sent_events": sent_events, "first": first, "last": last}))


def _stat(path: Path) -> list[str]:
    """The fields of a /proc stat file after the command name (field 0 is the state)."""
    return path.read_text().rsplit(")", 1)[1].split()


def _cpu(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU time of a process (or one of its threads) so far."""
    return _cpu(_stat(Path(f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat")))


def children_cpu_seconds(pid: int) -> float:
    """CPU time so far of a process's live children (the server's parse workers)."""
    total = 0.0
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = _stat(path)
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += _cpu(fields)
    return total


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=20_000, help="target events/s (0: as fast as possible)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    ap.add_argument("--clients", type=int, default=4, help="client processes (each one keep-alive connection)")
    ap.add_argument("--batch-min", type=int, default=100)
    ap.add_argument("--batch-max", type=int, default=500)
    ap.add_argument("--flush-ms", type=int, default=500, help="ingest_flush_interval_ms of the server")
    ap.add_argument("--data-dir", type=Path, default=None, help="default: a temporary dir, deleted after")
    ap.add_argument("--prefill-dedupe", type=int, default=0, metavar="N",
                    help="start with N messageIds in the dedupe table (a store that has ingested for days)")
    ap.add_argument("--no-access-log", action="store_true",
                    help="run the app like `mofang serve` but without uvicorn's per-request access log")
    args = ap.parse_args()
    if not 0 < args.duration <= 600:
        ap.error("--duration must be in (0, 600]")

    load_before = os.getloadavg()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="mofang-bench-")) / "data"
    py = [sys.executable, "-m", "mofang.cli"]
    out = subprocess.run([*py, "key", "add", "--data-dir", str(data_dir), "--name", "bench"],
                         capture_output=True, text=True, check=True).stdout
    key = out.split()[-1]
    if args.prefill_dedupe:
        prefill_dedupe(data_dir, args.prefill_dedupe)
    port = free_port()
    env = {**os.environ, "MOFANG_INGEST_FLUSH_INTERVAL_MS": str(args.flush_ms)}
    if args.no_access_log:
        cmd = [sys.executable, "-c", SERVE_WITHOUT_ACCESS_LOG, str(data_dir), str(port)]
    else:
        cmd = [*py, "serve", "--data-dir", str(data_dir), "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/api/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")

        jobs = wait_for_daily_jobs(data_dir)
        print(f"server up; the {jobs} daily jobs a fresh server catches up on at start have finished", flush=True)
        avg_batch = (args.batch_min + args.batch_max) / 2
        if args.rate > 0:
            total_requests = int(args.rate * args.duration / avg_batch) + args.clients
            rate_rps = args.rate / avg_batch / args.clients
        else:
            total_requests = int(60_000 * args.duration / avg_batch)  # more than a 2-core box can take
            rate_rps = 0.0
        per_worker = total_requests // args.clients + 1
        start_at = mp.Value("d", 0.0)
        q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        procs = [mp.Process(target=worker, args=(i, port, key, per_worker, rate_rps, vars(args), start_at, q))
                 for i in range(args.clients)]
        print(f"building {per_worker * args.clients} gzip'd batches in {args.clients} client processes ...",
              flush=True)
        for p in procs:
            p.start()
        for _ in procs:
            assert q.get(timeout=600)[0] == "ready"
        cpu0, main0 = cpu_seconds(server.pid), cpu_seconds(server.pid, server.pid)
        kids0 = children_cpu_seconds(server.pid)
        start_at.value = time.time() + 0.2
        results = [q.get(timeout=args.duration + 120)[2] for _ in procs]
        cpu1, main1 = cpu_seconds(server.pid), cpu_seconds(server.pid, server.pid)
        kids1 = children_cpu_seconds(server.pid)
        for p in procs:
            p.join()
        # Let the flusher catch up, then stop: SIGTERM makes the server flush everything accepted.
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()

    lat = [x for r in results for x in r["latencies"]]
    svc = [x for r in results for x in r["service"]]
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    accepted = sum(r["accepted"] for r in results)
    first = min(r["first"] for r in results if r["first"])
    last = max(r["last"] for r in results if r["last"])
    elapsed = last - first

    import duckdb

    con = duckdb.connect(str(data_dir / "events.duckdb"), read_only=True)
    stored, distinct, attributed = con.execute(
        "SELECT count(*), count(DISTINCT message_id), count(customer_id) FROM events").fetchone()
    con.close()
    wal_left = sorted(p.name for p in (data_dir / "ingest-wal").glob("*.wal"))

    print(f"machine: {os.cpu_count()} cores; load generator: {args.clients} Python processes on the same cores; "
          f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"target: {args.rate:,.0f} events/s for {args.duration:.0f} s, batches {args.batch_min}-{args.batch_max}")
    print(f"requests: {len(lat)}  statuses: {statuses}")
    print(f"sustained: {accepted / elapsed:,.0f} events/s acknowledged ({accepted:,} events in {elapsed:.1f} s)")
    print(f"latency from schedule  p50 {pct(lat, 50) * 1000:.1f} ms  p95 {pct(lat, 95) * 1000:.1f} ms  "
          f"p99 {pct(lat, 99) * 1000:.1f} ms  max {max(lat) * 1000:.1f} ms")
    print(f"service time           p50 {pct(svc, 50) * 1000:.1f} ms  p95 {pct(svc, 95) * 1000:.1f} ms  "
          f"p99 {pct(svc, 99) * 1000:.1f} ms  mean {statistics.fmean(svc) * 1000:.1f} ms")
    server_cpu = cpu1 - cpu0 + kids1 - kids0
    print(f"server CPU during load: {server_cpu / elapsed * 100:.0f}% of one core "
          f"({(main1 - main0) / elapsed * 100:.0f}% event loop, {(kids1 - kids0) / elapsed * 100:.0f}% parse "
          f"workers, the rest WAL writer, flusher and DuckDB); {server_cpu / max(accepted, 1) * 1e6:.0f} us "
          f"of CPU per event")
    ok = stored == accepted == distinct
    print(f"verified: {stored:,} events in DuckDB, {distinct:,} distinct messageIds, {attributed:,} with a "
          f"customer_id; acknowledged {accepted:,} -> {'OK' if ok else 'MISMATCH'}; WAL segments left: {wal_left}")
    if args.data_dir is None:
        shutil.rmtree(data_dir.parent, ignore_errors=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

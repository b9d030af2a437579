"""资源位 decision benchmark: `GET /v1/placements/{slot}?customer_id=` against `mofang serve`, open loop.

Set-up: 10,000 customer profiles (a third in segment 1, a third in segment 2), 3 slots × 8 placements from active
placement templates (priorities, segment eligibility, daily caps, schedules), a write key. The server runs like
`mofang serve` (no access log) in its own process; one asyncio client (raw HTTP/1.1 over keep-alive connections,
so that the client takes little of the box's CPU) sends at a fixed schedule (default 1,000 requests/s for 30 s,
random customers and slots), and each latency is measured from the request's *scheduled* time, so a server that
falls behind is charged for the queueing too (a request finding no idle connection waits, on the server's account).
CPU seconds of the server (with its parse workers) and of the client are printed; after the server stops, the
placement_impression events in the store are counted.

    .venv/bin/python bench/bench_placement.py [--rate 1000] [--duration 30] [--connections 32]

Target (2 cores): decision p99 ≤ 20 ms at 1,000 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bench_ingest import SERVE_WITHOUT_ACCESS_LOG, children_cpu_seconds, cpu_seconds, free_port, wait_for_daily_jobs

from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of
from mofang.platform.settings import Settings
from mofang.reach.content import service as content
from mofang.reach.content.contracts import StatusChange, TemplateContent, TemplateCreate
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate

TARGET_P99_MS = 20.0
SLOTS = ("home_banner", "wealth_top", "card_popup")
CUSTOMERS = 10_000


def setup(data_dir: Path) -> str:
    """Profiles, templates, the placement channel and a write key in a fresh data dir; the key."""
    who = Principal(user_id=1, username="bench", display_name="bench", role="admin", org_code="HQ", rm_id=None,
                    permissions=permissions_of("admin"), scope=Scope(kind="all"))
    platform = open_platform(Settings(data_dir=data_dir))
    try:
        with platform.metadata.session() as session:
            gov.ensure_head_office(session=session)
            key = gov.create_key(session=session, name="bench-app", actor="bench").key
            session.add_all([CustomerProfile(customer_id=f"C{i:06d}", org_code="HQ", attributes={}, tags={},
                                             segments=[i % 3] if i % 3 else [], consents={}, row_hash="x")
                             for i in range(CUSTOMERS)])
            rows = []
            for s, slot in enumerate(SLOTS):
                for p in range(8):
                    made = content.create(platform=platform, session=session, who=who, data=TemplateCreate(
                        name=f"{slot}-{p}", channel="placement", purpose="service",
                        content=TemplateContent(title=f"活动{s}-{p}", body=f"理财专享活动 {s}-{p}")))
                    content.set_status(platform=platform, session=session, who=who, template_id=made.id,
                                       data=StatusChange(status="active"))
                    rows.append({"id": f"{slot}-{p}", "slot": slot, "template_id": made.id, "priority": p * 10,
                                 "segment_ids": [1 + p % 2] if p < 4 else [], "cap_per_day": 3 if p < 6 else None,
                                 "starts_at": "2020-01-01T00:00:00", "ends_at": "2099-01-01T00:00:00"})
            channels_service.create(platform=platform, session=session, who=who, data=ChannelCreate(
                channel="placement", name="资源位", provider="placement", config={"placements": rows}))
    finally:
        platform.close()
    return key


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: one request at a time, the answer's status and whether it had content."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bool]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buf[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15:].split(b"\r\n", 1)[0]) if at >= 0 else 0
        if len(self.buf) < end + 4 + length:
            return
        body = bytes(self.buf[end + 4:end + 4 + length])
        del self.buf[:end + 4 + length]
        waiter, self.waiter = self.waiter, None
        if not waiter.done():
            waiter.set_result((int(head[9:12]), b'"placement":null' not in body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))

    def ask(self, request: bytes) -> asyncio.Future[tuple[int, bool]]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter


async def drive(port: int, auth: str, rate: float, duration: float, connections: int) -> dict[str, Any]:
    """Open loop: request i is due at start + i/rate whatever came back; latency from its due time."""
    # The client keeps every request's task until the end (30,000 at the default): its own full collections then
    # pause it for ~200 ms, twice a run, and those pauses were charged to the server as p99 latency (the
    # server's loop was seen idle through them). The client makes no reference cycles worth collecting.
    gc.disable()
    loop = asyncio.get_running_loop()
    idle: asyncio.Queue[_Conn] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait((await loop.create_connection(_Conn, "127.0.0.1", port))[1])
    rnd = random.Random(1)
    lat: list[float] = []
    out = {"errors": 0, "shown": 0}

    async def one(due: float, path: str) -> None:
        conn = await idle.get()  # none idle: the request waits, and that wait is charged to the server
        try:
            status, shown = await conn.ask(f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: {auth}\r\n\r\n"
                                           .encode())
            out["errors"] += status != 200
            out["shown"] += shown and status == 200
        except ConnectionError:
            out["errors"] += 1
            conn = (await loop.create_connection(_Conn, "127.0.0.1", port))[1]
        lat.append((time.perf_counter() - due) * 1000)
        idle.put_nowait(conn)

    n = int(rate * duration)
    start = time.perf_counter() + 0.2  # not loop.time(): uvloop's clock counts whole milliseconds
    tasks = []
    for i in range(n):
        due = start + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        path = f"/v1/placements/{rnd.choice(SLOTS)}?customer_id=C{rnd.randrange(CUSTOMERS):06d}"
        tasks.append(asyncio.ensure_future(one(due, path)))
    await asyncio.gather(*tasks)
    gc.enable()
    out["elapsed"] = time.perf_counter() - start
    out["latencies"] = lat
    while not idle.empty():
        idle.get_nowait().transport.close()  # type: ignore[union-attr]
    return out


def run_loop(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run the client on uvloop when it is installed (the server's loop too: less client CPU per request)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def in_process(data_dir: Path, rate: float, duration: float) -> None:
    """The decision service called directly on a fixed schedule (one thread; latency from the scheduled time)."""
    from mofang.reach.placement import service

    platform = open_platform(Settings(data_dir=data_dir))
    rnd = random.Random(1)
    try:
        for slot in SLOTS:
            service.decide(platform=platform, slot=slot, customer_id="C000001")
        n, lat = int(rate * duration), []
        cpu0 = time.process_time()
        start = time.perf_counter() + 0.1
        for i in range(n):
            due = start + i / rate
            if (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            service.decide(platform=platform, slot=rnd.choice(SLOTS), customer_id=f"C{rnd.randrange(CUSTOMERS):06d}")
            lat.append((time.perf_counter() - due) * 1000)
        q = statistics.quantiles(sorted(lat), n=1000)
        print(f"in-process: {n} decisions at {rate:.0f}/s; load average {os.getloadavg()[0]:.1f}")
        print(f"latency ms: p50 {q[499]:.2f}  p95 {q[949]:.2f}  p99 {q[989]:.2f}  max {max(lat):.2f}; "
              f"CPU {time.process_time() - cpu0:.2f} s (all threads)")
    finally:
        platform.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--connections", type=int, default=32, help="keep-alive connections of the asyncio client")
    ap.add_argument("--in-process", action="store_true",
                    help="time the decision service itself (no HTTP, no server) at the same open-loop schedule")
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="mofang-placement-")) / "data"
    key = setup(data_dir)
    if args.in_process:
        in_process(data_dir, args.rate, args.duration)
        return
    print(f"set up {CUSTOMERS} profiles, {len(SLOTS) * 8} placements in {data_dir}", flush=True)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE_WITHOUT_ACCESS_LOG, str(data_dir), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        try:
            jobs = wait_for_daily_jobs(data_dir, timeout=420)
            print(f"server up; {jobs} daily jobs it caught up on at start have finished", flush=True)
        except SystemExit as exc:  # measured anyway, and said so
            print(f"server up; {exc}", flush=True)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for slot in SLOTS:  # the first decision loads the placements
            warm.request("GET", f"/v1/placements/{slot}?customer_id=C000001", headers={"Authorization": auth})
            warm.getresponse().read()
        load = os.getloadavg()
        cpu0 = cpu_seconds(server.pid) + children_cpu_seconds(server.pid)
        client0 = time.process_time()
        got = run_loop(drive(port, auth, args.rate, args.duration, args.connections))
        server_cpu = cpu_seconds(server.pid) + children_cpu_seconds(server.pid) - cpu0
        client_cpu = time.process_time() - client0
        lat = sorted(got["latencies"])
        q = statistics.quantiles(lat, n=1000)
        p99 = q[989]
        print(f"requests {len(lat)} in {got['elapsed']:.1f} s ({len(lat) / got['elapsed']:.0f}/s, target "
              f"{args.rate:.0f}/s), errors {got['errors']}, {got['shown']} with content; load average before "
              f"{load[0]:.1f}, after {os.getloadavg()[0]:.1f}")
        print(f"latency ms: p50 {q[499]:.2f}  p95 {q[949]:.2f}  p99 {p99:.2f}  p99.9 {q[998]:.2f}  "
              f"max {lat[-1]:.2f}")
        print(f"CPU: server (with its parse workers) {server_cpu:.2f} s = {server_cpu / len(lat) * 1e6:.0f} µs per "
              f"request; client {client_cpu:.2f} s")
        print(f"verdict: p99 {'≤' if p99 <= TARGET_P99_MS else '>'} {TARGET_P99_MS:.0f} ms "
              f"({'met' if p99 <= TARGET_P99_MS and not got['errors'] else 'NOT met'})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = impressions_stored(data_dir)
    print(f"impression events stored: {stored} (decisions with content: {got['shown']} + warm-up)")


def impressions_stored(data_dir: Path) -> int:
    """placement_impression events in the store once the server has stopped (it flushes on SIGTERM)."""
    platform = open_platform(Settings(data_dir=data_dir))
    try:
        return int(platform.store.query("SELECT count(*) AS n FROM events WHERE event = 'placement_impression'",
                                        [])[0]["n"])
    finally:
        platform.close()


if __name__ == "__main__":
    main()

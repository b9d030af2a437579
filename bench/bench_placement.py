"""资源位 decision benchmark: `GET /v1/placements/{slot}?customer_id=` against `mofang serve`, open loop.

Set-up: 10,000 customer profiles (a third in segment 1, a third in segment 2), 3 slots × 8 placements from active
placement templates (priorities, segment eligibility, daily caps, schedules), a write key. The server runs like
`mofang serve` (no access log) in its own process; client threads send at a fixed schedule (default 1,000
requests/s for 30 s, random customers and slots) over keep-alive connections, and each latency is measured from
the request's *scheduled* time, so a server that falls behind is charged for the queueing too.

    .venv/bin/python bench/bench_placement.py [--rate 1000] [--duration 30] [--threads 16]

Target (2 cores): decision p99 ≤ 20 ms at 1,000 requests/s.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_ingest import SERVE_WITHOUT_ACCESS_LOG, free_port, wait_for_daily_jobs

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


def client(port: int, auth: str, start: float, interval: float, count: int, out: list[float],
           errors: list[int], seed: int) -> None:
    """Send `count` requests at `interval`, each timed from its scheduled moment."""
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for n in range(count):
        due = start + n * interval
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        path = f"/v1/placements/{rnd.choice(SLOTS)}?customer_id=C{rnd.randrange(CUSTOMERS):06d}"
        try:
            conn.request("GET", path, headers={"Authorization": auth})
            res = conn.getresponse()
            res.read()
            if res.status != 200:
                errors.append(res.status)
        except (OSError, http.client.HTTPException):
            errors.append(0)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        out.append((time.perf_counter() - due) * 1000)


def in_process(data_dir: Path, rate: float, duration: float) -> None:
    """The decision service called directly on a fixed schedule (one thread; latency from the scheduled time)."""
    from mofang.reach.placement import service

    platform = open_platform(Settings(data_dir=data_dir))
    rnd = random.Random(1)
    try:
        for slot in SLOTS:
            service.decide(platform=platform, slot=slot, customer_id="C000001")
        n, lat = int(rate * duration), []
        start = time.perf_counter() + 0.1
        for i in range(n):
            due = start + i / rate
            if (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            service.decide(platform=platform, slot=rnd.choice(SLOTS), customer_id=f"C{rnd.randrange(CUSTOMERS):06d}")
            lat.append((time.perf_counter() - due) * 1000)
        q = statistics.quantiles(sorted(lat), n=1000)
        print(f"in-process: {n} decisions at {rate:.0f}/s; load average {os.getloadavg()[0]:.1f}")
        print(f"latency ms: p50 {q[499]:.2f}  p95 {q[949]:.2f}  p99 {q[989]:.2f}  max {max(lat):.2f}")
    finally:
        platform.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--threads", type=int, default=16)
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
        per_thread = int(args.rate * args.duration / args.threads)
        interval = args.threads / args.rate
        start = time.perf_counter() + 0.5
        results: list[list[float]] = [[] for _ in range(args.threads)]
        errors: list[int] = []
        threads = [threading.Thread(target=client, args=(port, auth, start + i * interval / args.threads, interval,
                                                         per_thread, results[i], errors, i))
                   for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        lat = sorted(x for r in results for x in r)
        q = statistics.quantiles(lat, n=1000)
        p99 = q[989]
        print(f"requests {len(lat)} in {elapsed:.1f} s ({len(lat) / elapsed:.0f}/s, target {args.rate:.0f}/s), "
              f"errors {len(errors)}; load average before {load[0]:.1f}")
        print(f"latency ms: p50 {q[499]:.2f}  p95 {q[949]:.2f}  p99 {p99:.2f}  p99.9 {q[998]:.2f}  "
              f"max {lat[-1]:.2f}")
        print(f"verdict: p99 {'≤' if p99 <= TARGET_P99_MS else '>'} {TARGET_P99_MS:.0f} ms "
              f"({'met' if p99 <= TARGET_P99_MS and not errors else 'NOT met'})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

"""Reach delivery benchmark: SMS through the configurable HTTP gateway to a local receiver, then their receipts.

Every message goes the whole way of `mofang.reach.send`: idempotency-key row committed before the call, a contact
policy check (an in-memory counting policy standing in for the policy centre), consent and the address from the
customer's profile (decrypted per message), the gateway mapping, the HTTP call to a vendor-shaped receiver in another
process, the answer saved with its event queued. Then the receiver's status reports come back as signed callbacks
(100 reports each) and every delivery gets its receipt and event.

    .venv/bin/python bench/bench_reach.py [--messages 20000] [--threads 16] [--data-dir /tmp/reachbench]
        [--policy memory|centre]

Target (2 cores): ≥ 2,000 messages/s sustained, with the send latency p99 printed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mofang.platform.context import Platform, open_platform
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of
from mofang.platform.pii import mask_phone
from mofang.platform.settings import Settings
from mofang.reach.contracts import Channel, SendRequest
from mofang.reach.delivery import channels_service, receipts, service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.delivery.events import flush_events
from mofang.reach.delivery.logic import signature
from mofang.reach.delivery.routing import Deps
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision
from mofang.tracking.service import start_ingestion, stop_ingestion

TARGET_PER_S = 2000
# The vendor: answers every POST with a JSON message id, in a process of its own (as a real gateway would be).
RECEIVER = r"""
import asyncio, itertools, sys
count = itertools.count()
async def handle(reader, writer):
    try:
        while True:  # keep-alive, as vendors' gateways answer
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            body = b'{"code":0,"data":{"msgid":"v%d"}}' % next(count)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


class CountingPolicy:
    """A frequency cap kept in memory (10 a day per customer and channel), counted once per key."""

    def __init__(self) -> None:
        self._seen: dict[str, PolicyDecision] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def check(self, *, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
        with self._lock:
            if request.key in self._seen:
                return self._seen[request.key]
            n = self._counts.get((request.customer_id, request.channel), 0)
            decision = PolicyDecision(verdict="allow") if n < 10 else PolicyDecision("suppress", "cap_day_channel")
            self._counts[(request.customer_id, request.channel)] = n + 1
            self._seen[request.key] = decision
            return decision

    def record_opt_out(self, *, platform: Platform, customer_id: str, channel: Channel, now: datetime,
                       source: str) -> None:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_customers(platform: Platform, n: int) -> None:
    """n customers with phones (encrypted) and SMS consent."""
    enc = platform.cipher.encrypt
    rows = []
    for i in range(n):
        phone = f"138{i:08d}"
        rows.append([f"b{i:06d}", "客户", "GD-SZ-001", True, enc(phone), mask_phone(phone), phone[-4:]])
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO customers (customer_id, name, org_code, consent_sms, phone_enc, phone_masked, "
                        "phone_last4) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    # As a customer load does: a send reads the profiles (metadata DB), which every engine worker can read too.
    from mofang.insight.profiles import refresh_profiles

    refresh_profiles(platform=platform)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=16, help="calls in flight at once")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--policy", choices=("memory", "centre"), default="memory",
                        help="memory: a counting cap in memory (the floor's run); centre: the contact policy centre "
                             "itself (its embedded store, default rules, sends at noon Asia/Shanghai)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="reachbench-")) / "data"
    port = free_port()
    vendor = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)], stdout=subprocess.PIPE, text=True)
    assert vendor.stdout is not None and vendor.stdout.readline().strip() == "ready"
    settings = Settings(data_dir=data_dir, start_background=False, scheduler=False, outbound_allow_hosts="127.0.0.1")
    platform = open_platform(settings)
    start_ingestion(platform)  # events go through the normal ingestion path (inline: no background threads)
    try:
        return run(platform, port, args, vendor.pid)
    finally:
        vendor.terminate()
        stop_ingestion(platform)
        platform.close()


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(platform: Platform, port: int, args: argparse.Namespace, vendor_pid: int = 0) -> int:
    load_customers(platform, args.customers)
    platform.extras["reach_deps"] = Deps(policy=CountingPolicy()) if args.policy == "memory" else Deps()
    # The centre's quiet hours would defer a night run's marketing sends: those sends go at noon in Shanghai.
    now = datetime(2026, 12, 7, 4, 0, tzinfo=UTC) if args.policy == "centre" else None
    admin = Principal(user_id=0, username="bench", display_name="bench", role="admin", org_code="HQ", rm_id=None,
                      permissions=permissions_of("admin"), scope=Scope(kind="all"))
    with platform.metadata.session() as session:
        channel_id = channels_service.create(platform=platform, session=session, who=admin, data=ChannelCreate(
            channel="sms", name="bench", provider="http_gateway", unit_cost_fen=4, rate_per_second=100_000,
            burst=100_000, secrets={"key": "k", "callback_secret": "cb"},
            config={"url": f"http://127.0.0.1:{port}/sms", "body": {"to": "{{address}}", "text": "{{content}}",
                                                                     "key": "{{key}}", "id": "{{idempotency_key}}"},
                    "success_path": "code", "success_value": "0", "vendor_id_path": "data.msgid",
                    "sign": "【魔方银行】"})).id
    requests = [SendRequest(customer_id=f"b{i % args.customers:06d}", channel="sms", idempotency_key=f"bench-{i}",
                            strategy_id=1, node_id="n1", variables={"content": "您的理财产品将于本周到期，回T退订"})
                for i in range(args.messages)]
    latencies: list[float] = []
    statuses: dict[str, int] = {}

    cpu, wall, vendor_cpu = time.process_time(), time.perf_counter(), process_cpu(vendor_pid)
    # The engine's executor hands over batches of due sends; a message's latency is its batch's (it is answered
    # when the batch's answers are saved).
    for i in range(0, len(requests), args.batch):
        t = time.perf_counter()
        outs = service.send_many(platform=platform, requests=requests[i:i + args.batch], workers=args.threads,
                                 now=now)
        latencies.extend([time.perf_counter() - t] * len(outs))
        if i % (10 * args.batch) == 0:
            flush_events(platform)  # the pump's work: message_sent events into the event store
        for out in outs:
            statuses[out.status] = statuses.get(out.status, 0) + 1
    flush_events(platform)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    vendor_cpu = process_cpu(vendor_pid) - vendor_cpu
    rate = len(requests) / wall
    print(f"sent {len(requests):,} in {wall:.2f} s = {rate:,.0f} msg/s ({args.threads} in flight; "
          f"process CPU {cpu:.1f} s = {cpu / len(requests) * 1000:.2f} ms/msg; the vendor's process "
          f"{vendor_cpu:.1f} s; load {os.getloadavg()[0]:.2f}); outcomes {statuses}")
    print(f"send latency p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms,"
          f" mean {statistics.fmean(latencies) * 1000:.1f} ms")
    receipts_rate = run_receipts(platform, channel_id)
    events = platform.store.scalar("SELECT count(*) FROM events")
    print(f"receipts: {receipts_rate:,.0f} status reports/s applied (signed callbacks of 100); "
          f"{events:,} events ingested")
    ok = rate >= TARGET_PER_S
    print(f"target ≥ {TARGET_PER_S:,} msg/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


def run_receipts(platform: Platform, channel_id: int) -> float:
    """Every accepted delivery's DELIVRD report, posted back in signed callbacks of 100."""
    from sqlalchemy import select

    from mofang.reach.models import Delivery

    with platform.metadata.session() as session:
        vendor_ids = list(session.scalars(select(Delivery.vendor_id).where(Delivery.vendor_id.is_not(None))))
    t = time.perf_counter()
    for i in range(0, len(vendor_ids), 100):
        body = json.dumps({"reports": [{"msgid": v, "status": "DELIVRD", "time": datetime.now(UTC).isoformat()}
                                       for v in vendor_ids[i:i + 100]]}).encode()
        ts = str(int(time.time()))
        headers: Mapping[str, Any] = {"x-mofang-timestamp": ts, "x-mofang-signature": signature("cb", ts, body)}
        receipts.handle_callback(platform=platform, channel="sms", channel_id=channel_id, body=body,
                                 headers=headers)
    return len(vendor_ids) / (time.perf_counter() - t)


if __name__ == "__main__":
    raise SystemExit(main())

"""`make bench`: every benchmark in turn, on one shared 1M-customer / 100M-event bank.

The large bank is generated once into bench/out/bank1m (about 12 minutes, ~15 GB) and reused by the
insight and analytics benchmarks; set MOFANG_BENCH_BANK to use another directory, or MOFANG_BENCH_QUICK=1
to run only the demo-size, ingestion and 1/100-scale data-integration benchmarks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def run(title: str, *args: str) -> bool:
    """Run one benchmark script, streaming its output; True when it succeeded."""
    print(f"\n=== {title} ===", flush=True)
    started = time.perf_counter()
    code = subprocess.call([PY, *args], cwd=HERE.parent)
    print(f"=== {title}: {'ok' if code == 0 else f'exit {code}'} in {time.perf_counter() - started:.0f} s ===",
          flush=True)
    return code == 0


def redis_args(flag: str) -> list[str]:
    """The Redis flag and URL when the test Redis is configured, else nothing."""
    url = os.environ.get("MOFANG_TEST_REDIS_URL")
    return [flag, url] if url else []


def main() -> int:
    """Run the benchmarks; the exit code is non-zero when any failed."""
    bank = Path(os.environ.get("MOFANG_BENCH_BANK", HERE / "out" / "bank1m"))
    quick = os.environ.get("MOFANG_BENCH_QUICK") == "1"
    results = [
        run("demo bank, 20k customers x 90 days", "bench/bench_seed.py", "--customers", "20000", "--quiet"),
        run("ingestion through /v1/batch", "bench/bench_ingest.py"),
        run("event bus, embedded SQLite queue", "bench/bench_bus.py"),
        run("flash-sale claims, embedded (and Redis when MOFANG_TEST_REDIS_URL is set)", "bench/bench_benefits.py",
            "--claims", "30000", "--threads", "64", "--redis-threads", "64"),
    ]
    results += [
        run("journey engine: segment entry of 100,000 customers", "bench/bench_engine.py"),
        run("journey engine: behaviour events into 50 strategies", "bench/bench_engine.py", "--events", "20000"),
        run("contact-policy check, embedded (and Redis when MOFANG_TEST_REDIS_URL is set)",
            "bench/bench_contact_policy.py", *redis_args("--redis")),
        run("reach: SMS through the HTTP gateway, then receipts", "bench/bench_reach.py"),
        run("资源位 placement decisions against mofang serve", "bench/bench_placement.py"),
        run("effect evaluation, 1M-customer strategy", "bench/bench_effects.py"),
    ]
    nats_url = os.environ.get("MOFANG_TEST_NATS_URL")
    if nats_url:
        results.append(run("event bus, NATS JetStream", "bench/bench_bus.py", "--nats", nats_url))
    if quick:
        results.append(run("data integration at 1/100 scale (10k customers, 500k transactions)",
                           "bench/bench_integration.py", "--scale", "0.01"))
    if not quick:
        if not (bank / "events.duckdb").exists():
            results.append(run("large bank, 1M customers x 90 days", "bench/bench_seed.py",
                               "--customers", "1000000", "--keep", str(bank), "--quiet"))
        results.append(run("tags and segment estimates at 1M/100M", "bench/bench_insight.py",
                           "--data-dir", str(bank)))
        results.append(run("funnel and retention at 1M/100M (with chdb)", "bench/bench_analytics.py",
                           "--data-dir", str(bank)))
        results.append(run("data integration: 1M customers, 2.5M holdings, 50M transactions, then a daily delta",
                           "bench/bench_integration.py", "--scale", "1",
                           "--keep-files", str(HERE / "out" / "integration1m")))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

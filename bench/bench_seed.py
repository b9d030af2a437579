"""Demo bank generator benchmark: rows/s per table, total seconds, CPU seconds and peak memory.

Generates a bank into a fresh temporary data dir (removed afterwards unless --keep) with the same
code path as `mofang seed`:

    .venv/bin/python bench/bench_seed.py --customers 20000 --days 90
    .venv/bin/python bench/bench_seed.py --customers 1000000 --days 90     # ~100M events

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from mofang.demo.service import generate_bank
from mofang.platform.context import open_platform
from mofang.platform.settings import Settings


def _du(path: Path) -> int:
    """Bytes under a directory."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    """Run one generation and print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 3, 31),
                        help="last day of the window (fixed by default so runs are comparable)")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this dir and keep it")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="mofang-bench-seed-"))
    started, cpu0 = time.perf_counter(), time.process_time()
    platform = open_platform(Settings(data_dir=root, start_background=False))
    try:
        report = generate_bank(platform=platform, customers=args.customers, days=args.days, seed=args.seed,
                               progress=not args.quiet, end_date=args.end_date)
    finally:
        platform.close()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = _du(root) / 2**20
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")

    print(f"\nmachine: {os.cpu_count()} cores, {host.machine()}, Python {host.python_version()}; "
          f"1-min load average at the end {load:.1f}")
    print(f"bank: {args.customers:,} customers x {args.days} days, seed {args.seed}, ending {args.end_date}")
    print(f"{'table':<24}{'rows':>14}{'seconds':>10}{'rows/s':>14}")
    for table, rows in report.counts.items():
        secs = report.table_seconds.get(table, 0.0)
        rate = f"{rows / secs:>14,.0f}" if secs > 0 else f"{'-':>14}"
        print(f"{table:<24}{rows:>14,}{secs:>10.1f}{rate}")
    print(f"{'total':<24}{report.total_rows:>14,}{wall:>10.1f}{report.total_rows / wall:>14,.0f}")
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s (all threads), peak RSS {peak_mb:,.0f} MB, data dir {size_mb:,.0f} MB")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

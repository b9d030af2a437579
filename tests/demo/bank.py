"""The small demo bank the tests read: its parameters and how it is made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mofang.demo.contracts import SeedReport
from mofang.demo.service import generate_bank
from mofang.platform.context import Platform, open_platform
from mofang.platform.settings import Settings

SEED = 7
CUSTOMERS = 600
DAYS = 30
END = date(2026, 3, 31)


@dataclass
class Bank:
    """An open platform holding a generated bank, and the report of generating it."""

    platform: Platform
    report: SeedReport

    def rows(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        """Rows of a read query on the event store."""
        with self.platform.store.read() as cur:
            return cur.execute(sql, params or []).fetchall()


def make_bank(root: Path) -> Bank:
    """Generate the test bank into a fresh data dir."""
    platform = open_platform(Settings(data_dir=root / "d", start_background=False))
    report = generate_bank(platform=platform, customers=CUSTOMERS, days=DAYS, seed=SEED, end_date=END)
    return Bank(platform, report)

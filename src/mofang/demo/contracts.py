"""Public types of the demo generator."""

from __future__ import annotations

from dataclasses import dataclass, field

TABLE_ORDER = ("customers", "relationship_managers", "products", "holdings", "aum_daily", "transactions",
               "events", "identities")


@dataclass(frozen=True)
class SeedReport:
    """What `generate_bank` did: rows per table, time spent, or that the bank already existed."""

    counts: dict[str, int]
    seconds: float
    existed: bool = False
    seed: int | None = None
    end_date: str | None = None
    table_seconds: dict[str, float] = field(default_factory=dict)  # generation + writing, per table

    @property
    def total_rows(self) -> int:
        """Rows written across all tables."""
        return sum(self.counts.values())

    def summary(self) -> str:
        """A short table for the terminal."""
        if self.existed:
            return (f"demo bank already exists ({self.counts.get('customers', 0):,} customers); nothing generated. "
                    "Use a new --data-dir for a fresh bank.")
        lines = [f"demo bank generated (seed {self.seed}, ending {self.end_date}) in {self.seconds:.1f} s"]
        for table in TABLE_ORDER:
            if table in self.counts:
                secs = self.table_seconds.get(table)
                rate = f"{self.counts[table] / secs:>12,.0f} rows/s" if secs else ""
                lines.append(f"  {table:<22}{self.counts[table]:>14,}  {rate}")
        rate = self.total_rows / self.seconds if self.seconds else 0.0
        lines.append(f"  {'total':<22}{self.total_rows:>14,}  {rate:>12,.0f} rows/s")
        return "\n".join(lines)

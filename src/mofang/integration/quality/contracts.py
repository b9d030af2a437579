"""Public types of the data-quality view: per table, rows, freshness, null rates of key fields, orphans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel

from mofang.integration.identities.contracts import CoverageRead

# Customer-scoped tables are counted over the viewer's customers (join on customer_id); staff over the RMs of the
# viewer's orgs; products are the bank's catalogue, the same for everyone; orgs are the viewer's subtree.
SCOPED_BY_CUSTOMER = ("holdings", "transactions", "aum_daily")


@dataclass(frozen=True)
class TableCheck:
    """One table of the view: its store table, the key fields (field → column) and its business-date column."""

    name: str
    table: str
    key_fields: tuple[tuple[str, str], ...]
    business_date: str | None = None  # SQL over the table (alias t)
    entity: str | None = None  # the load entity whose history gives freshness


class NullRate(BaseModel):
    """How many rows leave a key field empty."""

    field: str
    nulls: int
    share: float  # nulls / rows (0 when the table is empty)


class Orphans(BaseModel):
    """Rows naming something that does not exist (e.g. a holding of a product no longer loaded)."""

    check: str  # product_missing | customer_missing | org_missing | rm_missing
    rows: int


class TableQuality(BaseModel):
    """One table as the viewer may see it."""

    table: str  # customers holdings transactions aum_daily identities products staff orgs
    rows: int
    last_load_at: datetime | None  # the latest successful load of the entity (any source)
    latest_business_date: date | None  # the latest business date present (None where the table has none)
    null_rates: list[NullRate]
    orphans: list[Orphans]


class QualityRead(BaseModel):
    """The data-quality view: every table, and identity coverage per channel."""

    tables: list[TableQuality]
    identity_coverage: CoverageRead

"""Public types of data integration: the declared schema of each entity, mappings, load reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, Field

FieldType = Literal["string", "date", "timestamp", "number", "integer", "boolean"]
Mode = Literal["full", "delta"]
LoadStatus = Literal["running", "ok", "failed"]


@dataclass(frozen=True)
class FieldSpec:
    """One declared field: how it is typed, named in Chinese, whether required or PII, and its header aliases."""

    key: str
    type: FieldType
    zh: str
    meaning: str
    example: str
    required: bool = False
    pii: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    max_length: int = 128


@dataclass(frozen=True)
class EntitySpec:
    """A loadable entity: its fields, business key and the table the product reads it from."""

    name: str
    zh: str
    table: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    full_allowed: bool = True  # facts (transactions, daily AUM) arrive as deltas; a full file of them is refused
    refs: tuple[tuple[str, str], ...] = field(default=())  # (field, entity it must exist in)

    def field(self, key: str) -> FieldSpec:
        """One field by key."""
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, FieldSpec]:
        # Looked up once per cell of every row: a dict, not a scan of the fields.
        return {f.key: f for f in self.fields}

    @property
    def keys(self) -> tuple[str, ...]:
        """Every field key, in declared order."""
        return tuple(f.key for f in self.fields)


EVENT_NAME = r"^[a-z][a-z0-9_]{0,63}$"
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # rule values end up in SQL text: no control characters


class EventRule(BaseModel):
    """Transactions matching every given condition become event `event` (the first matching rule wins)."""

    event: str = Field(pattern=EVENT_NAME, description="event name, e.g. salary_credit")
    txn_type: str | None = Field(default=None, max_length=64, pattern=_PRINTABLE)
    direction: str | None = Field(default=None, pattern="^(in|out)$")
    category: str | None = Field(default=None, max_length=128, pattern=_PRINTABLE)


# The documented transaction types, each as an event (a source's mapping may replace or empty the list).
DEFAULT_EVENT_RULES: tuple[EventRule, ...] = (
    EventRule(event="salary_credit", txn_type="salary", direction="in"),
    EventRule(event="transfer_in", txn_type="transfer_in"),
    EventRule(event="transfer_out", txn_type="transfer_out"),
    EventRule(event="card_spend", txn_type="card_spend"),
    EventRule(event="loan_repayment", txn_type="loan_repayment"),
    EventRule(event="product_purchase", txn_type="purchase"),
    EventRule(event="product_redemption", txn_type="redemption"),
)


class Mapping(BaseModel):
    """How a source's file maps onto an entity: header → field, value maps per field, date formats."""

    columns: dict[str, str] = Field(default_factory=dict, description='file header -> field key ("" = not loaded)')
    values: dict[str, dict[str, str]] = Field(default_factory=dict, description="field -> {file value: value}")
    date_format: str | None = Field(default=None, max_length=32, description="strptime format, e.g. %Y%m%d")
    events: list[EventRule] | None = Field(default=None, max_length=100, description=(
        "transactions: which become which behaviour event (first match wins); none given: the default rules, "
        "[]: no events"))


class FieldRead(BaseModel):
    """A declared field as the console and docs show it."""

    key: str
    type: FieldType
    zh: str
    meaning: str
    example: str
    required: bool
    pii: bool
    choices: list[str]
    aliases: list[str]


class EntityRead(BaseModel):
    """A declared entity with its fields."""

    name: str
    zh: str
    key: list[str]
    full_allowed: bool
    fields: list[FieldRead]


class LoadRead(BaseModel):
    """One load as recorded in the history."""

    id: int
    source: str
    entity: str
    mode: Mode
    file_name: str | None
    status: LoadStatus
    rows_read: int
    rows_loaded: int
    rows_unchanged: int
    rows_rejected: int
    rows_closed: int
    events_emitted: int = 0
    error: str | None
    error_code: str | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    username: str | None


class CustomerPush(BaseModel):
    """One customer's attributes pushed by a bank system (the customer number is in the path)."""

    fields: dict[str, str | int | float | bool | None] = Field(
        description="field key (or an alias) -> value, as in a file row")


AttributeType = Literal["string", "date", "number", "integer", "boolean"]
ATTR_PREFIX = "attr:"  # field key of a declared attribute in a customers file: attr:<key>


class AttributeDeclare(BaseModel):
    """A customer attribute of the bank's own, declared once before files carry it."""

    type: AttributeType
    zh: str = Field(min_length=1, max_length=64, description="Chinese display name (also accepted as file header)")
    pii: bool = Field(default=False, description="encrypted at rest and masked like the phone number")


class AttributeRead(AttributeDeclare):
    """A declared attribute."""

    key: str


RunMode = Literal["full", "incremental"]


class DatabaseSourceSave(BaseModel):
    """A saved database source: where to connect, what to select, how it maps, when it runs."""

    entity: str = Field(max_length=32)
    url: str = Field(min_length=1, max_length=2000, description="SQLAlchemy URL; the password is stored encrypted; "
                     "a masked URL (***) keeps the saved password")
    query: str = Field(min_length=1, max_length=20_000, description="one read-only SELECT (or WITH … SELECT)")
    mapping: Mapping = Field(default_factory=Mapping)
    watermark_column: str | None = Field(default=None, max_length=64,
                                         description="output column of increasing values for incremental loads")
    schedule: str | None = Field(default=None, max_length=16, description="daily@HH:MM (bank time) or null")
    reject_threshold: float = Field(default=0.01, ge=0, le=1)


class SourceRead(BaseModel):
    """A saved source as shown to people (the database password masked, never returned)."""

    name: str
    kind: str
    entity: str
    mapping: Mapping
    url: str | None = None
    query: str | None = None
    watermark_column: str | None = None
    watermark: str | None = None
    schedule: str | None = None
    reject_threshold: float | None = None
    last_scheduled: date | None = None
    updated_by: str | None = None
    updated_at: datetime


class SourceRun(BaseModel):
    """How to run a saved source: everything its query returns, or only rows past the last watermark."""

    mode: RunMode = "incremental"

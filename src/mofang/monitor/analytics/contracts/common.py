"""Shared query parts: time range, filters on event properties and customer attributes, group-by."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

if TYPE_CHECKING:
    from sqlglot import exp

    from mofang.platform.governance.contracts import Principal
    from mofang.platform.governance.logic import Scope
    from mofang.platform.storage.sql import Params

# Event and property names come from users; property names also become JSON paths, so they are
# held to identifier shape (values are always bound parameters).
PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$")
MAX_RANGE_DAYS = 731

Granularity = Literal["hour", "day", "week", "month"]
# Who an analysis counts: known customers (rows of `customers`, in the user's scope), or also the users
# whose events carry a userId that is no customer of the bank (whole-bank scope only; see filters.population).
Population = Literal["customers", "all_users"]
# Models over the bank's own customer data (accounts, transactions, attributes): customers only.
CustomersOnly = Literal["customers"]
Period = Literal["day", "week", "month"]
Op = Literal["eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "is_set", "is_not_set"]
Scalar = str | int | float | bool
Value = Scalar | list[Scalar] | None

# Customer attributes a user may filter or group by (the catalogue): column name -> how values compare.
ATTRIBUTES: dict[str, Literal["text", "number", "date"]] = {
    "gender": "text", "province": "text", "city": "text", "occupation": "text", "income_band": "text",
    "risk_level": "text", "tier": "text", "acquisition_channel": "text", "org_code": "text", "rm_id": "text",
    "aum": "number", "age": "number", "open_date": "date", "birth_date": "date",
}


class PropertyFilter(BaseModel):
    """A condition on one event property (JSON key of `properties`)."""

    property: str = Field(min_length=1, max_length=128)
    op: Op = "eq"
    value: Value = None

    @field_validator("property")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not PROPERTY_NAME.match(v):
            raise ValueError("a property name is letters, digits and _ (dots for nesting), starting with a letter")
        return v


class AttributeFilter(BaseModel):
    """A condition on one customer attribute from the catalogue."""

    attribute: str
    op: Op = "eq"
    value: Value = None

    @field_validator("attribute")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in ATTRIBUTES:
            raise ValueError(f"unknown customer attribute; choose one of {', '.join(ATTRIBUTES)}")
        return v


class TagFilter(BaseModel):
    """Customers carrying a tag (optionally with one value); resolved by the tags module."""

    tag: str = Field(min_length=1, max_length=128)
    value: str | None = Field(default=None, max_length=256)


class CustomerFilter(BaseModel):
    """Which customers an analysis looks at (always further narrowed by the user's data scope)."""

    attributes: list[AttributeFilter] = Field(default_factory=list, max_length=20)
    tags: list[TagFilter] = Field(default_factory=list, max_length=10)
    # Ids as text (the console keeps them so), but only ever digits: a segment id is a 64-bit integer.
    segment_ids: list[Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]] = Field(default_factory=list, max_length=10)


class EventSpec(BaseModel):
    """An event name with conditions on its properties."""

    event: str = Field(min_length=1, max_length=128)
    filters: list[PropertyFilter] = Field(default_factory=list, max_length=20)


class GroupBy(BaseModel):
    """Split results by an event property or a customer attribute."""

    kind: Literal["property", "attribute"]
    name: str = Field(min_length=1, max_length=128)
    limit: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _valid_name(self) -> GroupBy:
        if self.kind == "attribute" and self.name not in ATTRIBUTES:
            raise ValueError(f"unknown customer attribute '{self.name}'")
        if self.kind == "property" and not PROPERTY_NAME.match(self.name):
            raise ValueError("a property name is letters, digits and _ (dots for nesting)")
        return self


def attribute_only(v: GroupBy | None, what: str) -> GroupBy | None:
    """Models that count customers split by customer attributes, not event properties."""
    if v is not None and v.kind != "attribute":
        raise ValueError(f"{what} is grouped by a customer attribute")
    return v


class AnalysisBase(BaseModel):
    """Time range in bank days (Asia/Shanghai, both ends included) and the customers looked at."""

    date_from: date
    date_to: date
    customers: CustomerFilter = Field(default_factory=CustomerFilter)
    population: Population = "customers"

    @field_validator("date_to")
    @classmethod
    def _range(cls, v: date, info: ValidationInfo) -> date:
        start = info.data.get("date_from")
        if start is not None and v < start:
            raise ValueError("date_to is before date_from")
        if start is not None and (v - start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"the time range is longer than {MAX_RANGE_DAYS} days")
        return v


class CustomerSets(Protocol):
    """What analytics needs from segments and tags (registered as platform.extras["customer_sets"]).

    Queries are built on the caller's Params so their bound parameters join the analysis query.
    """

    def segment_members(self, segment_id: str, *, params: Params, scope: Scope) -> exp.Query:
        """`SELECT customer_id ...` of a segment the scope may see; raises NotFound otherwise."""
        ...

    def tag_members(self, tag: str, value: str | None, *, params: Params) -> exp.Query:
        """`SELECT customer_id ...` of customers carrying a tag (with this value when given)."""
        ...

    def save_static_segment(self, *, name: str, customer_ids: list[str], who: Principal) -> str:
        """Create a static segment of these customers owned by `who`; returns its id."""
        ...

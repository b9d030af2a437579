"""The values a filter can take: the most frequent values of an event property, a transaction column or a customer
attribute among the customers in the user's scope, and whether a typed value occurs there at all."""

from __future__ import annotations

from typing import Literal

import sqlglot
from pydantic import BaseModel
from sqlglot import exp

from mofang.monitor.analytics import repository as repo
from mofang.monitor.analytics.contracts import CustomerFilter
from mofang.monitor.analytics.contracts.common import ATTRIBUTES, PROPERTY_NAME
from mofang.monitor.analytics.filters import customer_set, member_condition, prop, table
from mofang.platform.errors import Invalid
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, col

ValueSource = Literal["events", "transactions", "attribute"]
TRANSACTION_COLUMNS = ("txn_type", "direction", "category", "channel")
# Personal data is never offered as a list of values (a list of phone numbers is a leak, not a hint).
PII_KEYS = {"phone", "mobile", "id_number", "id_card", "name", "email", "card_no", "rm_id", "address", "birth_date"}
TOP = 20


class ValueCount(BaseModel):
    """A value and how many rows carry it."""

    value: str
    count: int


class FieldValues(BaseModel):
    """The most frequent values (and, when a value was checked, how often that one occurs: 0 = never)."""

    values: list[ValueCount]
    checked: ValueCount | None = None
    personal: bool = False  # personal data: no values are listed


def _column(source: ValueSource, key: str) -> tuple[exp.Expression, str, str]:
    """The expression read, its table and alias for a field (names validated: they become SQL identifiers)."""
    if source == "attribute":
        if ATTRIBUTES.get(key) != "text":
            raise Invalid(f"'{key}' is not a text attribute", field="key")
        return col(key, "c"), "customers", "c"
    if source == "transactions":
        if key not in TRANSACTION_COLUMNS:
            raise Invalid(f"'{key}' is not a transaction column ({', '.join(TRANSACTION_COLUMNS)})", field="key")
        return col(key, "t"), "transactions", "t"
    if key == "$channel":
        return col("channel", "t"), "events", "t"
    if not PROPERTY_NAME.match(key):
        raise Invalid(f"'{key}' is not a property name", field="key")
    return prop(key, "t"), "events", "t"


def _rows_in_scope(params: Params, *, scope: Scope, source: ValueSource, expr: exp.Expression, alias: str,
                   event: str | None) -> exp.Expression:
    """Rows with a value, of customers in scope (of the one event, when given)."""
    where: list[exp.Expression] = [exp.Not(this=exp.Is(this=expr.copy(), expression=exp.Null()))]
    if source == "attribute":
        pred = scope.predicate(params, table="c")
        if pred is not None:
            where.append(pred)
    else:
        members = customer_set(params, scope=scope, customers=CustomerFilter(), sets=None)
        where.append(member_condition(col("customer_id", alias), members))
        if source == "events" and event:
            where.append(exp.EQ(this=col("event", alias), expression=params(event)))
    return exp.and_(*where)


def field_values(store: EventStore, *, scope: Scope, source: ValueSource, key: str, event: str | None = None,
                 check: str | None = None) -> FieldValues:
    """Top values of a field among the rows of customers in scope (and the count of `check`, when given)."""
    expr, name, alias = _column(source, key)
    if key.split(".")[-1].lower() in PII_KEYS:
        return FieldValues(values=[], personal=True)
    text = exp.Cast(this=expr.copy(), to=exp.DataType.build("VARCHAR"))
    params = Params()
    top = (sqlglot.select(text.as_("v"), exp.Count(this=exp.Star()).as_("n")).from_(table(name, alias))
           .where(_rows_in_scope(params, scope=scope, source=source, expr=expr, alias=alias, event=event))
           .group_by(text.copy()).order_by(exp.Ordered(this=exp.column("n"), desc=True))
           .order_by(exp.column("v"), append=True).limit(TOP))
    out = FieldValues(values=[ValueCount(value=str(r["v"]), count=int(r["n"])) for r in repo.rows(store, top, params)])
    if check is not None:
        hit = next((v for v in out.values if v.value == check), None)
        if hit is None:
            cp = Params()
            scoped = _rows_in_scope(cp, scope=scope, source=source, expr=expr, alias=alias, event=event)
            q = (sqlglot.select(exp.Count(this=exp.Star()).as_("n")).from_(table(name, alias))
                 .where(exp.and_(scoped, exp.EQ(this=text.copy(), expression=cp(check)))))
            hit = ValueCount(value=check, count=int(repo.rows(store, q, cp)[0]["n"]))
        out.checked = hit
    return out

"""Compile condition trees to sqlglot predicates over `customers c`, validating against the catalogue.

Pure: no database, no HTTP. Identifiers come only from the catalogue; every value is a bound
parameter. Errors are `Invalid` naming the JSON path of the offending field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlglot
from sqlglot import exp

from mofang.insight.catalogue import (
    ATTR_PREFIX,
    LIST_MEMBERS,
    LOCAL_UTC_OFFSET_HOURS,
    OPEN_END,
    OPERATORS,
    SAFE_KEY,
    SEGMENT_MEMBERS,
    TAG_VALUES,
    TRANSACTION_TYPES,
    Catalogue,
    FieldInfo,
)
from mofang.insight.segments.contracts import (
    AttributeCondition,
    BehaviourCondition,
    Condition,
    GroupCondition,
    HoldingCondition,
    ListCondition,
    NotCondition,
    PropertyFilter,
    SegmentCondition,
    SequenceCondition,
    TagCondition,
    Value,
    Window,
)
from mofang.insight.segments.values import compare, count_compare, holds_for_zero, number, values_of
from mofang.platform.errors import Invalid
from mofang.platform.governance.logic import PiiPolicy, Scope
from mofang.platform.storage.sql import Params, and_, col

MAX_DEPTH = 10
MAX_NODES = 200
_EXACT_OPS = frozenset({"eq", "neq", "in", "not_in"})
CUSTOMER = "c"


@dataclass(frozen=True)
class SegmentRef:
    """What the compiler needs of a referenced segment."""

    id: int
    kind: str
    owner_org: str
    definition: Condition | None
    frozen_on: date | None = None


@dataclass(frozen=True)
class Context:
    """Everything a compilation depends on besides the tree: the catalogue, "today", visible refs."""

    catalogue: Catalogue
    today: date
    segments: Mapping[int, SegmentRef] = field(default_factory=dict)
    lists: frozenset[int] = frozenset()
    # Tag runs evaluate conditions for every customer at once: they pass a hook turning a behaviour
    # measure into a column of their single fused scan instead of a subquery per condition.
    measure_hook: Callable[[BehaviourCondition, exp.Expression, list[exp.Expression]], exp.Expression] | None = None
    # True when `today` is a past day being recomputed (tag backfills): balances are then read from
    # their daily history instead of the customer row, which holds the latest value only.
    past: bool = False
    # PII in stored events is masked at ingestion: a value typed in clear is compared in its stored form.
    pii: PiiPolicy | None = None


def table(name: str, alias: str) -> exp.Table:
    """A table reference with an alias (names are module constants)."""
    return exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(alias)))


def customers() -> exp.Table:
    """`customers AS c`."""
    return table("customers", CUSTOMER)


def day_start(d: date) -> datetime:
    """The UTC instant (event timestamps are UTC) at which the bank's local day `d` begins."""
    return datetime(d.year, d.month, d.day) - timedelta(hours=LOCAL_UTC_OFFSET_HOURS)


def years_before(d: date, years: int) -> date:
    """The same calendar day `years` earlier (29 Feb falls back to 28 Feb)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


# ---------------------------------------------------------------------------------------------- attributes


_CUSTOM_CASTS = {"number": "DOUBLE", "date": "DATE", "bool": "BOOLEAN"}
# Attributes kept as effective-dated versions by data integration (customer_versions, SCD type 2): a past day's
# condition reads the version in force at that day's end. PII columns are never conditions and are left out.
VERSIONED = frozenset({"gender", "birth_date", "province", "city", "occupation", "income_band", "risk_level",
                       "open_date", "acquisition_channel", "org_code", "rm_id", "tier", "consent_sms", "consent_push",
                       "consent_inbox", "consent_wechat", "consent_email", "consent_call"})


def _as_of(value: exp.Expression, day: date, params: Params, alias: str, current: exp.Expression) -> exp.Expression:
    """`value` of the customer's version in force at the end of `day`; where the history does not reach back that
    far (a customer loaded later, or written by another path), `current` stands in — as for AUM."""
    end = params(day_start(day + timedelta(days=1)))

    def in_force(what: exp.Expression) -> exp.Select:
        return exp.select(what).from_(table("customer_versions", "v")).where(and_(
            exp.EQ(this=col("customer_id", "v"), expression=col("customer_id", alias)),
            exp.LT(this=col("valid_from", "v"), expression=end.copy()),
            exp.or_(exp.Is(this=col("valid_to", "v"), expression=exp.Null()),
                    exp.GTE(this=col("valid_to", "v"), expression=end.copy()))))

    then = in_force(value).order_by(exp.Ordered(this=col("valid_from", "v"), desc=True)).limit(1)
    return exp.Case(ifs=[exp.If(this=exp.Exists(this=in_force(exp.Literal.number(1))), true=exp.Subquery(this=then))],
                    default=current)


def attribute_expr(key: str, today: date, params: Params, alias: str = CUSTOMER, *, past: bool = False,
                   kind: str = "string") -> exp.Expression:
    """The expression of a catalogue attribute (derived ones computed as of today; AUM too when `past`).

    A declared attribute (attr:<key>, of catalogue type `kind`) is read from customer_attributes, typed.
    """
    if key.startswith(ATTR_PREFIX):
        value: exp.Expression = col("value", "ca")
        if kind in _CUSTOM_CASTS:
            value = exp.TryCast(this=value, to=exp.DataType.build(_CUSTOM_CASTS[kind]))
        name = key.removeprefix(ATTR_PREFIX)
        current: exp.Expression = exp.Subquery(this=exp.select(value).from_(table("customer_attributes", "ca")).where(
            and_(exp.EQ(this=col("customer_id", "ca"), expression=col("customer_id", alias)),
                 exp.EQ(this=col("key", "ca"), expression=params(name)))))
        if not past:
            return current
        then: exp.Expression = exp.Anonymous(this="json_extract_string", expressions=[
            col("custom", "v"), params("$." + name)])
        if kind in _CUSTOM_CASTS:
            then = exp.TryCast(this=then, to=exp.DataType.build(_CUSTOM_CASTS[kind]))
        return _as_of(then, today, params, alias, current)
    if key in VERSIONED and past:
        return _as_of(col(key, "v"), today, params, alias, col(key, alias))
    if key == "aum" and past:
        return aum_as_of(today, params, alias)
    if key == "age":
        return exp.Anonymous(this="date_sub", expressions=[exp.Literal.string("year"), col("birth_date", alias),
                                                           params(today)])
    if key == "birth_month":
        return exp.Anonymous(this="month", expressions=[col("birth_date", alias)])
    if key == "days_to_birthday":
        # Day-of-year arithmetic: exact except around 29 February (±1 day), fine for marketing timing.
        diff = exp.Sub(this=exp.Anonymous(this="dayofyear", expressions=[col("birth_date", alias)]),
                       expression=exp.Anonymous(this="dayofyear", expressions=[params(today)]))
        return exp.Mod(this=exp.Paren(this=exp.Add(this=diff, expression=exp.Literal.number(365))),
                       expression=exp.Literal.number(365))
    if key == "tenure_days":
        return exp.DateDiff(this=params(today), expression=col("open_date", alias), unit=exp.var("DAY"))
    return col(key, alias)


def aum_as_of(day: date, params: Params, alias: str = CUSTOMER) -> exp.Expression:
    """The customer's AUM at the end of `day`: the latest daily snapshot on or before it.

    Where the history does not reach back that far, the customer row's (latest) AUM stands in.
    """
    latest = exp.Anonymous(this="arg_max", expressions=[col("aum", "h"), col("date", "h")])
    snapshot = exp.Subquery(this=exp.select(latest).from_(table("aum_daily", "h")).where(
        and_(exp.EQ(this=col("customer_id", "h"), expression=col("customer_id", alias)),
             exp.LTE(this=col("date", "h"), expression=params(day)))))
    return exp.Coalesce(this=snapshot, expressions=[col("aum", alias)])


def _age(cond: AttributeCondition, today: date, params: Params, path: str) -> exp.Expression:
    """Age conditions become birth-date ranges, so they stay exact and can use zone maps."""
    bd = col("birth_date", CUSTOMER)
    given = cond.value if isinstance(cond.value, list) else [cond.value]
    for i, v in enumerate(given):
        vpath = f"{path}.value" + (f".{i}" if isinstance(cond.value, list) else "")
        if not 0 <= number(v, vpath) <= 150:
            raise Invalid(f"{vpath} must be an age between 0 and 150", field=vpath, code="value.age")

    def at_least(a: float) -> exp.Expression:
        return exp.LTE(this=bd, expression=params(years_before(today, int(-(-a // 1)))))

    def at_most(b: float) -> exp.Expression:
        return exp.GT(this=bd.copy(), expression=params(years_before(today, int(b // 1) + 1)))

    vpath = f"{path}.value"
    match cond.op:
        case "eq":
            a = number(cond.value, vpath)
            return exp.and_(at_least(a), at_most(a)) if a == int(a) else exp.false()
        case "gte":
            return at_least(number(cond.value, vpath))
        case "gt":
            return at_least(int(number(cond.value, vpath) // 1) + 1)
        case "lte":
            return at_most(number(cond.value, vpath))
        case "lt":
            return at_most(-(-number(cond.value, vpath) // 1) - 1)
        case "between":
            lo, hi = values_of(cond.value, "number", vpath, n=2)
            return exp.and_(at_least(lo), at_most(hi))
        case _:
            return compare(attribute_expr("age", today, params), cond.op, cond.value, "number", params, path,
                           today=today, name="age")


def _attribute(cond: AttributeCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    info = ctx.catalogue.attribute(cond.field)
    if info is None:
        raise Invalid(f"unknown attribute '{cond.field}'", field=f"{path}.field", code="attribute.unknown",
                      params={"field": cond.field})
    if cond.field == "age" and cond.op in ("eq", "gte", "gt", "lte", "lt", "between"):
        if cond.op not in OPERATORS["number"]:
            raise Invalid(f"operator '{cond.op}' does not apply to 'age'", field=f"{path}.op", code="op.not_applicable",
                          params={"op": cond.op, "field": "age"})
        return _age(cond, ctx.today, params, path)
    x = attribute_expr(cond.field, ctx.today, params, past=ctx.past, kind=info.type)
    return compare(x, cond.op, cond.value, info.type, params, path, today=ctx.today, name=cond.field)


# ---------------------------------------------------------------------------------------------- tags


def tag_as_of(tag_id: int, day: date | None, params: Params, alias: str = "t") -> exp.Expression:
    """Rows of one tag valid on `day` (None: the current values)."""
    same_tag = exp.EQ(this=col("tag_id", alias), expression=params(tag_id))
    if day is None:
        return exp.and_(same_tag, exp.EQ(this=col("valid_to", alias), expression=params(OPEN_END)))
    return exp.and_(same_tag, exp.LTE(this=col("valid_from", alias), expression=params(day)),
                    exp.GT(this=col("valid_to", alias), expression=params(day)))


def tag_value_expr(value_type: str, alias: str = "t") -> exp.Expression:
    """The typed value column of tag rows."""
    if value_type == "number":
        return col("num", alias)
    if value_type == "date":
        return exp.TryCast(this=col("value", alias), to=exp.DataType.build("DATE"))
    return col("value", alias)


def member_in(query: exp.Select, alias: str = CUSTOMER) -> exp.Expression:
    """`c.customer_id IN (query)`."""
    return exp.In(this=col("customer_id", alias), query=exp.Subquery(this=query))


def _tag(cond: TagCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    info = ctx.catalogue.tag(cond.tag)
    if info is None:
        raise Invalid(f"unknown tag '{cond.tag}'", field=f"{path}.tag", code="tag.unknown", params={"tag": cond.tag})
    if cond.on_date is not None and cond.days_ago is not None:
        raise Invalid("give on_date or days_ago, not both", field=f"{path}.on_date", code="tag.day_twice")
    day = cond.on_date or (ctx.today - timedelta(days=cond.days_ago) if cond.days_ago is not None else None)
    if day is not None and day > ctx.today:
        raise Invalid(f"{path}.on_date is in the future", field=f"{path}.on_date", code="date.future")
    rows = sqlglot.select(col("customer_id", "t")).from_(table(TAG_VALUES, "t"))
    if cond.op in ("is_null", "is_not_null"):
        if cond.op not in info.ops:
            raise Invalid(f"operator '{cond.op}' does not apply to tag '{cond.tag}'", field=f"{path}.op",
                          code="op.not_applicable", params={"op": cond.op, "field": cond.tag})
        having = member_in(rows.where(tag_as_of(info.id, day, params)))
        return having if cond.op == "is_not_null" else exp.Not(this=having)
    test = compare(tag_value_expr(info.value_type), cond.op, cond.value, info.value_type, params, path,
                   today=ctx.today, name=cond.tag)
    return member_in(rows.where(exp.and_(tag_as_of(info.id, day, params), test)))


# ---------------------------------------------------------------------------------------------- behaviour


def window_bounds(w: Window, today: date) -> tuple[datetime, datetime]:
    """[start, end) timestamps of a window; rolling windows end with today."""
    if w.last_days is not None:
        return day_start(today - timedelta(days=w.last_days - 1)), day_start(today + timedelta(days=1))
    assert w.start is not None and w.end is not None
    return day_start(w.start), day_start(w.end + timedelta(days=1))


def window_pred(w: Window, today: date, params: Params, alias: str) -> exp.Expression:
    """`ts` inside the window."""
    lo, hi = window_bounds(w, today)
    return exp.and_(exp.GTE(this=col("ts", alias), expression=params(lo)),
                    exp.LT(this=col("ts", alias), expression=params(hi)))


def property_expr(source: str, info: FieldInfo, params: Params, alias: str) -> exp.Expression:
    """The expression of an event property (JSON, path bound as a value) or a transaction column."""
    if source == "transactions":
        return col(info.key, alias)
    if info.key == "$date":
        return exp.Cast(this=col("ts", alias), to=exp.DataType.build("DATE"))
    if info.key.startswith("$"):
        return col(info.key[1:], alias)
    raw = exp.Anonymous(this="json_extract_string", expressions=[col("properties", alias),
                                                                 params(f'$."{info.key}"')])
    if info.type == "number":
        return exp.TryCast(this=raw, to=exp.DataType.build("DOUBLE"))
    if info.type == "bool":
        return exp.TryCast(this=raw, to=exp.DataType.build("BOOLEAN"))
    return raw


def _property(ctx: Context, source: str, event: str | None, key: str, path: str) -> FieldInfo:
    info = ctx.catalogue.property(source, event, key) if SAFE_KEY.match(key) else None
    if info is None:
        where = f"event '{event}'" if event else source
        raise Invalid(f"unknown property '{key}' of {where}", field=path, code="property.unknown",
                      params={"property": key})
    return info


def check_event(source: str, event: str | None, ctx: Context, path: str) -> str:
    """Validate an event name (or transaction type); returns the column holding it."""
    if source == "events":
        if event is not None and ctx.catalogue.event("events", event) is None:
            raise Invalid(f"unknown event '{event}'", field=f"{path}.event", code="event.unknown",
                          params={"event": event})
        return "event"
    if event is not None and event not in TRANSACTION_TYPES:
        raise Invalid(f"unknown transaction type '{event}' (one of: {', '.join(TRANSACTION_TYPES)})",
                      field=f"{path}.event", code="txn_type.unknown", params={"type": event})
    return "txn_type"


def property_filters(source: str, event: str | None, filters: list[PropertyFilter], ctx: Context, params: Params,
                     path: str, alias: str = "e") -> list[exp.Expression]:
    """Predicates of property filters."""
    out = []
    for i, f in enumerate(filters):
        fpath = f"{path}.filters.{i}"
        info = _property(ctx, source, event, f.property, f"{fpath}.property")
        value = stored_value(ctx, f) if source == "events" else f.value
        out.append(compare(property_expr(source, info, params, alias), f.op, value, info.type, params, fpath,
                           today=ctx.today, name=f.property))
    return out


def stored_value(ctx: Context, f: PropertyFilter) -> Value:
    """An event filter's value in the form ingestion stores it (PII masked); a part of a value ("contains") has none."""
    if ctx.pii is None or f.op not in _EXACT_OPS or f.value is None:
        return f.value
    key = f.property.rsplit(".", 1)[-1]
    if isinstance(f.value, list):
        return [ctx.pii.mask_scalar(key, v) for v in f.value]
    return ctx.pii.mask_scalar(key, f.value)


def event_rows(source: str, event: str | None, filters: list[PropertyFilter], window: Window, ctx: Context,
               params: Params, path: str, alias: str = "e") -> exp.Expression:
    """Predicate selecting the source rows of one event with its filters, inside a window."""
    name_col = check_event(source, event, ctx, path)
    parts: list[exp.Expression | None] = [
        exp.Not(this=exp.Is(this=col("customer_id", alias), expression=exp.Null())),
        exp.EQ(this=col(name_col, alias), expression=params(event)) if event is not None else None,
        window_pred(window, ctx.today, params, alias),
        *property_filters(source, event, filters, ctx, params, path, alias),
    ]
    out = and_(*parts)
    assert out is not None
    return out


def source_table(source: str) -> str:
    """The event-store table of a behaviour source."""
    return "events" if source == "events" else "transactions"


def measure_expr(cond: BehaviourCondition, ctx: Context, params: Params, path: str, alias: str = "e"
                 ) -> exp.Expression:
    """The aggregate a behaviour condition compares."""
    if cond.measure == "count":
        return exp.Count(this=exp.Star())
    if cond.property is None:
        raise Invalid(f"measure '{cond.measure}' needs a property", field=f"{path}.property",
                      code="measure.needs_property")
    info = _property(ctx, cond.source, cond.event, cond.property, f"{path}.property")
    value = property_expr(cond.source, info, params, alias)
    if cond.measure == "distinct":
        return exp.Count(this=exp.Distinct(expressions=[value]))
    if info.type != "number":
        raise Invalid(f"measure '{cond.measure}' needs a number property, '{cond.property}' is {info.type}",
                      field=f"{path}.property", code="measure.needs_number", params={"property": cond.property})
    agg = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[cond.measure](this=value)
    return exp.Coalesce(this=agg, expressions=[exp.Literal.number(0)]) if cond.measure == "sum" else agg


def _behaviour(cond: BehaviourCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    if ctx.measure_hook is not None:
        check_event(cond.source, cond.event, ctx, path)
        preds = property_filters(cond.source, cond.event, cond.filters, ctx, params, path)
        value = ctx.measure_hook(cond, measure_expr(cond, ctx, params, path), preds)  # NULL: never did it
        if cond.measure in ("count", "distinct", "sum"):
            value = exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])
        test = exp.Coalesce(this=count_compare(value, cond.op, cond.value, params, path), expressions=[exp.false()])
        return exp.Paren(this=test) if cond.did else exp.Not(this=exp.Paren(this=test))
    rows = event_rows(cond.source, cond.event, cond.filters, cond.window, ctx, params, path)
    measure = measure_expr(cond, ctx, params, path)
    base = sqlglot.select(col("customer_id", "e")).from_(table(source_table(cond.source), "e")).where(rows)
    if cond.measure == "count" and cond.op == "gte" and cond.value == 1:
        result = member_in(base)  # "did it at least once": a plain semi-join, no grouping needed
    else:
        test = count_compare(measure, cond.op, cond.value, params, path)
        zero_counts = cond.measure in ("count", "distinct", "sum") and holds_for_zero(cond.op, cond.value)
        grouped = base.group_by(col("customer_id", "e"))
        # When zero satisfies the test, customers who never did it match: exclude those who fail instead.
        result = (exp.Not(this=member_in(grouped.having(exp.Not(this=test)))) if zero_counts
                  else member_in(grouped.having(test)))
    return result if cond.did else exp.Not(this=result)


def _sequence(cond: SequenceCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    aliases = [f"s{i}" for i in range(len(cond.steps))]
    query = sqlglot.select(col("customer_id", aliases[0])).distinct()
    conds: list[exp.Expression] = []
    for i, (step, alias) in enumerate(zip(cond.steps, aliases, strict=True)):
        spath = f"{path}.steps.{i}"
        conds.append(event_rows("events", step.event, step.filters, cond.window, ctx, params, spath, alias))
        if i == 0:
            query = query.from_(table("events", alias))
            continue
        prev = aliases[i - 1]
        gap = exp.Anonymous(this="to_hours", expressions=[exp.Cast(this=params(cond.within_hours),
                                                                   to=exp.DataType.build("BIGINT"))])
        on = exp.and_(
            exp.EQ(this=col("customer_id", alias), expression=col("customer_id", prev)),
            exp.GT(this=col("ts", alias), expression=col("ts", prev)),
            exp.LTE(this=col("ts", alias), expression=exp.Add(this=col("ts", prev), expression=gap)),
        )
        query = query.join(table("events", alias), on=on)
    result = member_in(query.where(exp.and_(*conds)))
    return result if cond.did else exp.Not(this=result)


def _holding(cond: HoldingCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    cat = ctx.catalogue
    if cond.product_type is not None and cond.product_type not in cat.product_types:
        raise Invalid(f"unknown product type '{cond.product_type}'", field=f"{path}.product_type",
                      code="product_type.unknown", params={"type": cond.product_type})
    if cond.product_id is not None and all(p.product_id != cond.product_id for p in cat.products):
        raise Invalid(f"unknown product '{cond.product_id}'", field=f"{path}.product_id", code="product.unknown",
                      params={"product": cond.product_id})
    if (cond.op is None) != (cond.value is None):
        raise Invalid("give both op and value for a balance condition", field=f"{path}.op", code="balance.op_value")
    parts: list[exp.Expression | None] = [
        exp.EQ(this=col("product_type", "p"), expression=params(cond.product_type)) if cond.product_type else None,
        exp.EQ(this=col("product_id", "h"), expression=params(cond.product_id)) if cond.product_id else None,
    ]
    if cond.matures_within_days is not None:
        maturity = exp.Add(this=col("opened_at", "h"),
                           expression=exp.Cast(this=col("term_days", "p"), to=exp.DataType.build("INTEGER")))
        parts.append(exp.Between(this=maturity, low=params(ctx.today),
                                 high=params(ctx.today + timedelta(days=cond.matures_within_days))))
    query = (
        sqlglot.select(col("customer_id", "h")).from_(table("holdings", "h"))
        .join(table("products", "p"), on=exp.EQ(this=col("product_id", "p"), expression=col("product_id", "h")))
    )
    where = and_(*parts)
    if where is not None:
        query = query.where(where)
    if cond.op is not None:
        total = exp.Sum(this=col("balance", "h"))
        query = query.group_by(col("customer_id", "h")).having(count_compare(total, cond.op, cond.value, params,
                                                                             path))
    result = member_in(query)
    return result if cond.holds else exp.Not(this=result)


def snapshot_members(segment_id: int, day: date, params: Params) -> exp.Select:
    """Customer ids in a segment's snapshot of one day."""
    return sqlglot.select(col("customer_id", "m")).from_(table(SEGMENT_MEMBERS, "m")).where(exp.and_(
        exp.EQ(this=col("segment_id", "m"), expression=params(segment_id)),
        exp.EQ(this=col("day", "m"), expression=params(day)),
    ))


def _segment(cond: SegmentCondition, ctx: Context, params: Params, path: str, stack: tuple[int, ...]
             ) -> exp.Expression:
    ref = ctx.segments.get(cond.segment_id)
    if ref is None:
        raise Invalid(f"unknown segment {cond.segment_id}", field=f"{path}.segment_id", code="segment.unknown",
                      params={"id": cond.segment_id})
    if cond.segment_id in stack:
        raise Invalid(f"segment {cond.segment_id} refers to itself", field=f"{path}.segment_id",
                      code="segment.self_reference")
    if ref.frozen_on is not None or ref.definition is None:
        if ref.frozen_on is None:
            if ref.kind == "dynamic":
                raise Invalid(f"segment {cond.segment_id} has a stored definition that is not valid",
                              field=f"{path}.segment_id", code="segment.definition_unreadable",
                              params={"id": cond.segment_id})
            raise Invalid(f"segment {cond.segment_id} has no members yet", field=f"{path}.segment_id",
                          code="segment.no_members", params={"id": cond.segment_id})
        result: exp.Expression = member_in(snapshot_members(ref.id, ref.frozen_on, params))
    else:
        inner = _compile(ref.definition, ctx, params, f"{path}(segment {ref.id})", (*stack, ref.id), 0)
        owner = Scope.for_user(role="operator", org_code=ref.owner_org, rm_id=None)
        result = and_(owner.predicate(params, table=CUSTOMER), inner)  # members lie in the owner's subtree
        result = exp.Paren(this=result)
    return result if cond.member else exp.Not(this=result)


def _list(cond: ListCondition, ctx: Context, params: Params, path: str) -> exp.Expression:
    if cond.list_id not in ctx.lists:
        raise Invalid(f"unknown list {cond.list_id}", field=f"{path}.list_id", code="list.unknown",
                      params={"id": cond.list_id})
    query = sqlglot.select(col("customer_id", "l")).from_(table(LIST_MEMBERS, "l")).where(
        exp.EQ(this=col("list_id", "l"), expression=params(cond.list_id)))
    result = member_in(query)
    return result if cond.member else exp.Not(this=result)


# ---------------------------------------------------------------------------------------------- trees


def _size(node: Condition, depth: int = 1) -> tuple[int, int]:
    """(nodes, depth) of a tree."""
    if isinstance(node, GroupCondition):
        sizes = [_size(c, depth + 1) for c in node.conditions]
        return 1 + sum(s[0] for s in sizes), max(s[1] for s in sizes)
    if isinstance(node, NotCondition):
        n, d = _size(node.condition, depth + 1)
        return n + 1, d
    return 1, depth


def _compile(node: Condition, ctx: Context, params: Params, path: str, stack: tuple[int, ...], depth: int
             ) -> exp.Expression:
    match node:
        case GroupCondition():
            parts = [_compile(c, ctx, params, f"{path}.conditions.{i}", stack, depth + 1)
                     for i, c in enumerate(node.conditions)]
            joined = exp.and_(*parts) if node.op == "and" else exp.or_(*parts)
            return exp.Paren(this=joined) if len(parts) > 1 else parts[0]
        case NotCondition():
            return exp.Not(this=exp.Paren(this=_compile(node.condition, ctx, params, f"{path}.condition", stack,
                                                        depth + 1)))
        case AttributeCondition():
            return _attribute(node, ctx, params, path)
        case TagCondition():
            return _tag(node, ctx, params, path)
        case BehaviourCondition():
            return _behaviour(node, ctx, params, path)
        case SequenceCondition():
            return _sequence(node, ctx, params, path)
        case HoldingCondition():
            return _holding(node, ctx, params, path)
        case SegmentCondition():
            return _segment(node, ctx, params, path, stack)
        case ListCondition():
            return _list(node, ctx, params, path)
    raise AssertionError(f"unhandled condition {type(node).__name__}")  # pragma: no cover


def condition(node: Condition, ctx: Context, params: Params, *, path: str = "definition",
              segment_id: int | None = None) -> exp.Expression:
    """The predicate over `customers c` of a condition tree (validated on the way)."""
    nodes, depth = _size(node)
    if nodes > MAX_NODES:
        raise Invalid(f"the definition has {nodes} conditions, more than {MAX_NODES}", field=path,
                      code="definition.too_many", params={"n": nodes, "max": MAX_NODES})
    if depth > MAX_DEPTH:
        raise Invalid(f"the definition nests {depth} deep, more than {MAX_DEPTH}", field=path,
                      code="definition.too_deep", params={"max": MAX_DEPTH})
    return _compile(node, ctx, params, path, (segment_id,) if segment_id is not None else (), 0)


def referenced(node: Condition) -> tuple[set[int], set[int]]:
    """Segment ids and list ids a tree refers to directly."""
    segs: set[int] = set()
    lists: set[int] = set()
    stack: list[Condition] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, GroupCondition):
            stack.extend(n.conditions)
        elif isinstance(n, NotCondition):
            stack.append(n.condition)
        elif isinstance(n, SegmentCondition):
            segs.add(n.segment_id)
        elif isinstance(n, ListCondition):
            lists.add(n.list_id)
    return segs, lists

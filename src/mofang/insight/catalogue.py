"""The field catalogue: every attribute, event, property, product and tag a definition may name.

Tag and segment definitions are validated against it, and the compilers take identifiers only
from it, so no user text ever becomes a column or table name.
"""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, PrivateAttr
from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.insight.models import TagDef
from mofang.integration import ATTR_PREFIX, declared_attributes, ensure_store_tables
from mofang.platform.storage.eventstore import EventStore

FieldType = Literal["string", "number", "date", "bool"]

# Event-store tables owned by insight (created by the tags/segments packages' ensure_*_schema).
TAG_VALUES = "tag_values"
SEGMENT_MEMBERS = "segment_members"
LIST_MEMBERS = "list_members"
# Open-ended validity of the current tag value: a real date keeps range predicates simple and indexable.
OPEN_END = date(9999, 12, 31)

OPERATORS: dict[str, tuple[str, ...]] = {
    "string": ("eq", "neq", "in", "not_in", "contains", "is_null", "is_not_null"),
    "number": ("eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_null", "is_not_null"),
    "date": ("eq", "gt", "gte", "lt", "lte", "between", "within_last_days", "is_null", "is_not_null"),
    "bool": ("eq", "is_null", "is_not_null"),
}


class FieldInfo(BaseModel):
    """An attribute or property: its key, label, type, known values and allowed operators."""

    key: str
    label: str
    type: FieldType
    values: list[str] | None = None
    ops: list[str] = []


class EventInfo(BaseModel):
    """An event (or transaction type) with its properties."""

    name: str
    label: str
    count: int | None = None
    properties: list[FieldInfo] = []


class TagInfo(BaseModel):
    """A tag usable in conditions."""

    id: int
    key: str
    name: str
    family: str
    value_type: FieldType
    values: list[str] | None = None
    ops: list[str] = []


class ProductInfo(BaseModel):
    """A product from the product table."""

    product_id: str
    name: str
    product_type: str


class Catalogue(BaseModel):
    """What definitions may refer to; served by GET /api/insight/catalogue."""

    attributes: list[FieldInfo]
    events: list[EventInfo]
    transactions: list[EventInfo]
    transaction_properties: list[FieldInfo]
    product_types: list[str]
    products: list[ProductInfo]
    tags: list[TagInfo]
    operators: dict[str, list[str]]
    # Looks up what discovery (cached, sampled) has not seen yet: an event stored a moment ago is usable.
    _probe: StoreProbe | None = PrivateAttr(default=None)

    def attribute(self, key: str) -> FieldInfo | None:
        """An attribute by key."""
        return next((a for a in self.attributes if a.key == key), None)

    def event(self, source: str, name: str) -> EventInfo | None:
        """An event of `events`, or a transaction type of `transactions`."""
        pool = self.events if source == "events" else self.transactions
        hit = next((e for e in pool if e.name == name), None)
        if hit is None and source == "events" and self._probe is not None:
            hit = self._probe.event(name)
            if hit is not None:
                self.events.append(hit)
        return hit

    def property(self, source: str, event: str | None, key: str) -> FieldInfo | None:
        """A property of an event (any event's when `event` is None), or a transaction column."""
        if source == "transactions":
            return next((p for p in self.transaction_properties if p.key == key), None)
        if key in EVENT_COLUMNS:
            return EVENT_COLUMNS[key]
        pools = [e for e in self.events if event is None or e.name == event]
        hit = next((p for e in pools for p in e.properties if p.key == key), None)
        if hit is None and self._probe is not None and (event is None or self.event("events", event) is not None):
            hit = self._probe.property(event, key)
            if hit is not None and event is not None:
                next(e for e in self.events if e.name == event).properties.append(hit)
        return hit

    def tag(self, key: str) -> TagInfo | None:
        """A tag by key."""
        return next((t for t in self.tags if t.key == key), None)


def _f(key: str, label: str, type_: FieldType, values: list[str] | None = None) -> FieldInfo:
    return FieldInfo(key=key, label=label, type=type_, values=values, ops=list(OPERATORS[type_]))


# Customer attributes. `derived` ones are computed from a stored column as of "today".
ATTRIBUTES: tuple[FieldInfo, ...] = (
    _f("age", "年龄", "number"),
    _f("gender", "性别", "string", ["M", "F"]),
    _f("birth_date", "出生日期", "date"),
    _f("birth_month", "生日月份", "number"),
    _f("days_to_birthday", "距下次生日天数", "number"),
    _f("province", "省份", "string"),
    _f("city", "城市", "string"),
    _f("occupation", "职业", "string"),
    _f("income_band", "收入区间", "string"),
    _f("risk_level", "风险等级", "string", ["C1", "C2", "C3", "C4", "C5"]),
    _f("open_date", "开户日期", "date"),
    _f("tenure_days", "开户天数", "number"),
    _f("acquisition_channel", "获客渠道", "string"),
    _f("org_code", "管户机构", "string"),
    _f("rm_id", "客户经理", "string"),
    _f("tier", "客户层级", "string", ["大众", "潜力", "财富", "私行"]),
    _f("aum", "资产余额AUM", "number"),
    _f("consent_sms", "短信授权", "bool"),
    _f("consent_push", "推送授权", "bool"),
    _f("consent_inbox", "站内信授权", "bool"),
    _f("consent_wechat", "微信授权", "bool"),
    _f("consent_email", "邮件授权", "bool"),
    _f("consent_call", "外呼授权", "bool"),
)
# Types of the bank's declared attributes (data integration) as the catalogue types them.
CUSTOM_TYPES: dict[str, FieldType] = {"string": "string", "date": "date", "number": "number", "integer": "number",
                                      "boolean": "bool"}


def custom_attributes(session: Session) -> list[FieldInfo]:
    """The bank's declared attributes (not PII: those stay encrypted) as catalogue entries, keyed attr:<key>."""
    return [_f(ATTR_PREFIX + a.key, a.zh, CUSTOM_TYPES[a.type]) for a in declared_attributes(session) if not a.pii]


# Attributes that are computed, not stored: the column each is computed from.
DERIVED = {"age": "birth_date", "birth_month": "birth_date", "days_to_birthday": "birth_date",
           "tenure_days": "open_date"}

# Columns of the events table usable as properties (prefixed so they cannot clash with JSON keys).
EVENT_COLUMNS: dict[str, FieldInfo] = {
    "$channel": _f("$channel", "渠道", "string", ["app", "h5", "wechat", "branch"]),
    "$date": _f("$date", "发生日期", "date"),
}

TRANSACTION_PROPERTIES: tuple[FieldInfo, ...] = (
    _f("amount", "金额", "number"),
    _f("direction", "方向", "string", ["in", "out"]),
    _f("category", "类别", "string"),
    _f("channel", "渠道", "string"),
)
TRANSACTION_TYPES = {
    "salary": "代发工资", "transfer_in": "转入", "transfer_out": "转出", "card_spend": "刷卡消费",
    "loan_repayment": "贷款还款", "purchase": "产品购买", "redemption": "产品赎回",
}
PRODUCT_TYPES = ("活期", "定期", "大额存单", "理财", "基金", "保险", "贵金属", "消费贷", "经营贷", "房贷", "信用卡")

# The tracking plan: events known before any has arrived (more are discovered from the store).
TRACKING_PLAN: dict[str, tuple[str, dict[str, FieldType]]] = {
    "app_start": ("启动App", {"launch": "string"}),
    "login": ("登录", {"method": "string"}),
    "page_view": ("浏览页面", {"page": "string"}),
    "search": ("搜索", {"keyword": "string"}),
    "product_view": ("浏览产品", {"product_id": "string", "product_type": "string", "product_name": "string",
                                "risk_level": "string"}),
    "fund_purchase": ("购买基金", {"product_id": "string", "product_type": "string", "amount": "number"}),
    "wealth_purchase": ("购买理财", {"product_id": "string", "product_type": "string", "amount": "number"}),
    "loan_quota_test": ("贷款测额", {}),
    "loan_apply": ("贷款申请", {}),
    "loan_disburse": ("贷款放款", {"amount": "number"}),
    "coupon_claim": ("领券", {"coupon_id": "string", "campaign_id": "string"}),
    "push_click": ("点击推送", {"campaign_id": "string"}),
    "share": ("分享", {"target": "string"}),
    "sign_in": ("签到", {"points": "number"}),
}

# Display names of common event properties (a discovered key without one shows as itself).
PROPERTY_LABELS: dict[str, str] = {
    "launch": "启动方式", "method": "方式", "page": "页面", "keyword": "关键词", "product_id": "产品编号",
    "product_type": "产品类型", "product_name": "产品名称", "risk_level": "风险等级", "amount": "金额",
    "coupon_id": "券编号", "campaign_id": "活动编号", "target": "分享对象", "points": "积分",
    "channel": "渠道", "category": "类别", "direction": "方向",
}

_JSON_TYPES: dict[str, FieldType] = {
    "VARCHAR": "string", "BIGINT": "number", "UBIGINT": "number", "DOUBLE": "number", "BOOLEAN": "bool",
}
_CACHE_KEY = "insight.catalogue.discovered"
# Property keys usable in definitions: others (spaces, quotes, dots) are left out of the catalogue.
SAFE_KEY = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _discover(store: EventStore) -> dict[str, Any]:
    """Event names with counts, property keys and types (from a sample), products in the store."""
    events = store.query("SELECT event, count(*) AS n FROM events WHERE customer_id IS NOT NULL GROUP BY event")
    props = store.query(
        """SELECT e.event, k.key, json_type(k.value) AS t, count(*) AS n
           FROM (SELECT event, properties FROM events USING SAMPLE 100000 ROWS) e, json_each(e.properties) k
           GROUP BY ALL"""
    )
    products = store.query("SELECT product_id, name, product_type FROM products ORDER BY product_id")
    return {"events": events, "props": props, "products": products}


def discovered(store: EventStore, cache: dict[str, Any], *, ttl_s: float = 300.0) -> dict[str, Any]:
    """Discovery results, cached for `ttl_s` seconds in `cache` (the platform's extras)."""
    hit = cache.get(_CACHE_KEY)
    if hit and time.monotonic() - hit[0] < ttl_s:
        return hit[1]
    found = _discover(store)
    cache[_CACHE_KEY] = (time.monotonic(), found)
    return found


def forget(cache: dict[str, Any]) -> None:
    """Drop the cached discovery (after a bulk load)."""
    cache.pop(_CACHE_KEY, None)


class StoreProbe:
    """Asks the event store about a name the cached discovery lacks (new since, or missed by its sample).

    A hit also drops the cached discovery, so the next catalogue lists it with its count and properties.
    """

    def __init__(self, store: EventStore, cache: dict[str, Any]) -> None:
        self.store, self.cache = store, cache

    def event(self, name: str) -> EventInfo | None:
        """The event if any identified user's event of that name is stored."""
        found = self.store.query("SELECT 1 AS x FROM events WHERE event = ? AND customer_id IS NOT NULL LIMIT 1",
                                 [name])
        if not found:
            return None
        forget(self.cache)
        return EventInfo(name=name, label=TRACKING_PLAN.get(name, (name, {}))[0])

    def property(self, event: str | None, key: str) -> FieldInfo | None:
        """The property (typed by a stored value) if an event (of that name) carries it."""
        if not SAFE_KEY.match(key):
            return None
        path = '$."' + key + '"'  # SAFE_KEY leaves no quote or backslash to escape
        found = self.store.query(
            "SELECT json_type(json_extract(properties, ?)) AS t FROM events "
            "WHERE (CAST(? AS VARCHAR) IS NULL OR event = ?) AND json_extract(properties, ?) IS NOT NULL LIMIT 1",
            [path, event, event, path])
        type_ = _JSON_TYPES.get(found[0]["t"]) if found else None
        if type_ is None:
            return None
        forget(self.cache)
        return _f(key, key, type_)


def tag_infos(session: Session) -> list[TagInfo]:
    """Enabled tags as catalogue entries."""
    rows = session.scalars(select(TagDef).where(TagDef.enabled.is_(True)).order_by(TagDef.id)).all()
    return [
        TagInfo(id=t.id, key=t.key, name=t.name, family=t.family, value_type=t.value_type,  # type: ignore[arg-type]
                values=tag_values_of(t.rule), ops=list(OPERATORS[t.value_type]))
        for t in rows
    ]


def tag_values_of(rule: dict[str, Any]) -> list[str] | None:
    """The labels a tag rule can produce, when they are known from the rule itself."""
    kind = rule.get("kind")
    if kind == "rfm":
        return list(RFM_CLASSES.values())
    if rule.get("bands"):
        return [b["label"] for b in rule["bands"]]
    if rule.get("mapping"):
        return list(dict.fromkeys(rule["mapping"].values()))
    if kind in ("rule", "lifecycle"):
        vals = [c["value"] for c in rule.get("cases", [])]
        if rule.get("default"):
            vals.append(rule["default"])
        return list(dict.fromkeys(vals))
    if kind == "timing" and rule.get("measure") == "active_weekday":
        return list(WEEKDAYS)
    return None


# RFM classes by (R high, F high, M high).
RFM_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户",
    (False, False, False): "一般挽留客户",
}
# Event timestamps are UTC; the hour, weekday and day of month a customer lives by are the bank's local
# ones (China Standard Time has no daylight saving, so a fixed offset is exact).
LOCAL_UTC_OFFSET_HOURS = 8
LIFECYCLE_STAGES = ("潜客", "新客", "成长", "成熟", "沉睡", "流失")
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def build(*, store: EventStore, session: Session, cache: dict[str, Any]) -> Catalogue:
    """The catalogue: static attributes, the tracking plan merged with discovered events, products, tags."""
    found = discovered(store, cache)
    counts = {r["event"]: r["n"] for r in found["events"]}
    props: dict[str, dict[str, FieldType]] = {}
    for name, (_label, plan) in TRACKING_PLAN.items():
        props.setdefault(name, {}).update(plan)
    for r in found["props"]:
        type_ = _JSON_TYPES.get(r["t"])
        if type_ is not None and SAFE_KEY.match(r["key"]):
            props.setdefault(r["event"], {}).setdefault(r["key"], type_)
    names = sorted(set(TRACKING_PLAN) | set(counts) | set(props))
    events = [
        EventInfo(name=n, label=TRACKING_PLAN.get(n, (n, {}))[0], count=counts.get(n, 0),
                  properties=[_f(k, PROPERTY_LABELS.get(k, k), t) for k, t in sorted(props.get(n, {}).items())])
        for n in names
    ]
    products = [ProductInfo(**p) for p in found["products"]]
    product_types = list(dict.fromkeys([*PRODUCT_TYPES, *(p.product_type for p in products)]))
    catalogue = Catalogue(
        attributes=[*ATTRIBUTES, *custom_attributes(session)],
        events=events,
        transactions=[EventInfo(name=k, label=v) for k, v in TRANSACTION_TYPES.items()],
        transaction_properties=list(TRANSACTION_PROPERTIES),
        product_types=product_types,
        products=products,
        tags=tag_infos(session),
        operators={k: list(v) for k, v in OPERATORS.items()},
    )
    catalogue._probe = StoreProbe(store, cache)
    return catalogue


# Event-store tables of insight. Tag history keeps one row per value *interval* (valid_from inclusive,
# valid_to exclusive, OPEN_END while current): a daily run writes only the values that changed, so a
# year of daily history costs about (customers x tags) + changes rather than 365 full copies.
INSIGHT_DDL: tuple[str, ...] = (
    f"""CREATE TABLE IF NOT EXISTS {TAG_VALUES} (
        tag_id INTEGER NOT NULL, customer_id VARCHAR NOT NULL, value VARCHAR, num DOUBLE,
        valid_from DATE NOT NULL, valid_to DATE NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SEGMENT_MEMBERS} (
        segment_id INTEGER NOT NULL, day DATE NOT NULL, customer_id VARCHAR NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {LIST_MEMBERS} (list_id INTEGER NOT NULL, customer_id VARCHAR NOT NULL)""",
)
_SCHEMA_KEY = "insight.schema.ready"


def ensure_insight_schema(store: EventStore, extras: dict[str, Any]) -> None:
    """Create insight's event-store tables once per process."""
    if extras.get(_SCHEMA_KEY) is store:
        return
    with store.write() as cur:
        for stmt in INSIGHT_DDL:
            cur.execute(stmt)
        ensure_store_tables(cur)  # declared attributes are read from integration's customer_attributes
    extras[_SCHEMA_KEY] = store

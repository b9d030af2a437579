"""The feature matrix as of a cutoff date, built in DuckDB from the event store (no look-ahead), and labels.

Every value is computed from data on or before the cutoff: attributes (age, tenure, AUM and tier from the
daily AUM of that day), behaviour counts in the 7/30 days up to it, AUM change over 30 days, days since the
last login, and holdings by product type. Labels come only from the days after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from mofang.insight import segments
from mofang.insight.ml.contracts import FeatureInfo
from mofang.insight.segments.contracts import Window
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params

MISSING = -1.0  # numbers unknown as of the cutoff (e.g. no birth date); trees send them to the "≤" side
NEVER = 999.0  # days since last login for customers who never logged in (in the data)
TIER_FLOORS = ((6_000_000.0, "私行"), (500_000.0, "财富"), (50_000.0, "潜力"))  # as the demo and tiers define them

ATTRIBUTES: dict[str, tuple[str, str]] = {  # key -> (label, kind)
    "age": ("年龄", "number"),
    "gender": ("性别", "category"),
    "tier": ("客户层级", "category"),
    "risk_level": ("风险等级", "category"),
    "income_band": ("收入区间", "category"),
    "acquisition_channel": ("获客渠道", "category"),
    "aum": ("资产余额AUM", "number"),
    "tenure_days": ("开户天数", "number"),
    "aum_change_30d": ("近30天AUM变化率", "number"),
    "aum_change_7d": ("近7天AUM变化率", "number"),
    "days_since_login": ("距上次登录天数", "number"),
}
NOT_SEGMENTABLE = frozenset({"aum_change_30d", "aum_change_7d"})  # the segment language has no AUM-change condition
EVENT_LABELS = {
    "login": "登录", "app_start": "启动App", "app_open": "打开App", "page_view": "浏览页面", "product_view": "浏览产品",
    "search": "搜索", "sign_in": "签到", "coupon_claim": "领券", "share": "分享", "wealth_purchase": "购买理财",
    "fund_purchase": "购买基金", "loan_quota_test": "贷款额度测算", "loan_apply": "贷款申请",
    "loan_disburse": "贷款放款",
    "push_click": "点击推送", "purchase": "购买产品", "redeem": "赎回产品", "click_banner": "点击广告位",
}
TXN_LABELS = {"salary": "代发工资", "transfer_in": "转入", "transfer_out": "转出", "card_spend": "刷卡消费",
              "loan_repayment": "贷款还款", "purchase": "产品购买", "redemption": "产品赎回"}
GENDERS = {"M": "男", "F": "女"}
SKIP_EVENTS = frozenset({"identify"})  # identity bookkeeping, not behaviour


@dataclass(frozen=True)
class Feature:
    """A parsed feature key: attribute, event count over a window, or holding balance of a product type."""

    key: str
    kind: str  # number | category
    source: str  # attribute | event | holding | txn
    arg: str = ""  # event name or product type
    days: int = 30


@dataclass
class Frame:
    """Raw feature values of the customers in scope as of a cutoff, one array per feature key."""

    cutoff: date
    ids: np.ndarray
    org_codes: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)


def day_start(d: date) -> datetime:
    """The UTC instant the bank's local day `d` begins: the same day boundaries segment conditions use."""
    return segments.window_bounds(Window(last_days=1), d)[0]


def local_offset() -> timedelta:
    """Bank-local time minus UTC (event times are stored as naive UTC)."""
    d = date(2000, 1, 1)
    return datetime.combine(d, time()) - day_start(d)


def parse(key: str) -> Feature | None:
    """A feature key as a Feature, or None when it is not a feature key at all."""
    if key in ATTRIBUTES:
        return Feature(key=key, kind=ATTRIBUTES[key][1], source="attribute")
    for prefix, days in (("event:", 30), ("event7:", 7)):
        if key.startswith(prefix) and len(key) > len(prefix):
            return Feature(key=key, kind="number", source="event", arg=key[len(prefix):], days=days)
    if key.startswith("txn:") and len(key) > len("txn:"):
        return Feature(key=key, kind="number", source="txn", arg=key[len("txn:"):])
    if key.startswith("holding:") and len(key) > len("holding:"):
        return Feature(key=key, kind="number", source="holding", arg=key[len("holding:"):])
    return None


def label(f: Feature) -> str:
    """The feature's Chinese label."""
    if f.source == "attribute":
        return ATTRIBUTES[f.key][0]
    if f.source == "event":
        return f"近{f.days}天{EVENT_LABELS.get(f.arg, f.arg)}次数"
    if f.source == "txn":
        return f"近30天{TXN_LABELS.get(f.arg, f.arg)}金额"
    return f"持有{f.arg}余额"


def catalogue(store: EventStore) -> list[FeatureInfo]:
    """Every feature available on this store: attributes, 7/30-day counts per event, holdings by product type."""
    events = [r["event"] for r in store.query(
        "SELECT DISTINCT event FROM events WHERE customer_id IS NOT NULL AND type = 'track' ORDER BY event")
        if r["event"] not in SKIP_EVENTS]
    types = [r["product_type"] for r in store.query("SELECT DISTINCT product_type FROM products ORDER BY 1")]
    txns = [r["txn_type"] for r in store.query("SELECT DISTINCT txn_type FROM transactions ORDER BY 1")]
    keys = [*ATTRIBUTES, *(f"event:{e}" for e in events), *(f"event7:{e}" for e in events),
            *(f"txn:{t}" for t in txns), *(f"holding:{t}" for t in types)]
    out = []
    for key in keys:
        f = parse(key)
        assert f is not None
        out.append(FeatureInfo(key=key, label=label(f), kind=f.kind,  # type: ignore[arg-type]
                               segmentable=key not in NOT_SEGMENTABLE))
    return out


def event_names(store: EventStore) -> set[str]:
    """Event names present in the store (targets and event features must be among them)."""
    return {r["event"] for r in store.query("SELECT DISTINCT event FROM events WHERE customer_id IS NOT NULL")}


def _tier_sql(aum: str) -> str:
    cases = " ".join(f"WHEN {aum} >= {floor:.0f} THEN '{name}'" for floor, name in TIER_FLOORS)
    return f"CASE WHEN {aum} IS NULL THEN NULL {cases} ELSE '大众' END"


def frame(store: EventStore, *, cutoff: date, features: list[Feature], scope: Scope) -> Frame:
    """Raw features of every customer in scope who had opened an account by the cutoff."""
    params = Params()

    def ph(value: Any) -> str:
        return params(value).sql(dialect="duckdb")

    cut, hi = ph(cutoff), ph(day_start(cutoff + timedelta(days=1)))
    lo30, lo7 = ph(day_start(cutoff - timedelta(days=29))), ph(day_start(cutoff - timedelta(days=6)))
    scope_pred = scope.predicate(params, table="c")
    where = f"(c.open_date IS NULL OR c.open_date <= {cut})"
    if scope_pred is not None:
        where += f" AND ({scope_pred.sql(dialect='duckdb')})"
    exprs: list[str] = []
    ev_cols: list[str] = []
    ho_cols: list[str] = []
    tx_cols: list[str] = []
    for i, f in enumerate(features):
        name = f"f{i}"  # aliases are generated: no user text becomes an identifier
        if f.source == "event":
            lo = lo30 if f.days == 30 else lo7
            ev_cols.append(f"count(*) FILTER (WHERE event = {ph(f.arg)} AND ts >= {lo}) AS {name}")
            exprs.append(f"coalesce(ev.{name}, 0) AS {name}")
        elif f.source == "txn":
            tx_cols.append(f"sum(amount) FILTER (WHERE txn_type = {ph(f.arg)}) AS {name}")
            exprs.append(f"coalesce(tx.{name}, 0) AS {name}")
        elif f.source == "holding":
            ho_cols.append(f"sum(h.balance) FILTER (WHERE p.product_type = {ph(f.arg)}) AS {name}")
            exprs.append(f"coalesce(ho.{name}, 0) AS {name}")
        else:
            exprs.append(f"{_attribute_sql(f.key, cut)} AS {name}")
    ctes = [
        f"""base AS (SELECT c.customer_id, c.org_code, c.gender, c.birth_date, c.risk_level, c.income_band,
                           c.acquisition_channel, c.open_date FROM customers c WHERE {where})""",
        f"""a_now AS (SELECT customer_id, arg_max(aum, date) AS aum FROM aum_daily
                      WHERE date <= {cut} GROUP BY customer_id)""",
        # 30 days back, or the earliest day on record when the customer (or the data) is younger than that.
        f"""a_then AS (SELECT customer_id, arg_min(aum, abs(date_diff('day', date, {ph(cutoff - timedelta(days=30))})))
                       AS aum FROM aum_daily WHERE date <= {cut} GROUP BY customer_id)""",
        f"""a_week AS (SELECT customer_id, arg_min(aum, abs(date_diff('day', date, {ph(cutoff - timedelta(days=7))})))
                       AS aum FROM aum_daily WHERE date <= {cut} GROUP BY customer_id)""",
        f"""ll AS (SELECT customer_id, max(ts) AS last_login FROM events
                   WHERE event = 'login' AND ts < {hi} AND customer_id IS NOT NULL GROUP BY customer_id)""",
    ]
    joins = ["LEFT JOIN a_now USING (customer_id)", "LEFT JOIN a_then USING (customer_id)",
             "LEFT JOIN a_week USING (customer_id)", "LEFT JOIN ll USING (customer_id)"]
    if ev_cols:
        ctes.append(f"""ev AS (SELECT customer_id, {', '.join(ev_cols)} FROM events
                        WHERE ts >= {lo30} AND ts < {hi} AND customer_id IS NOT NULL GROUP BY customer_id)""")
        joins.append("LEFT JOIN ev USING (customer_id)")
    if tx_cols:
        ctes.append(f"""tx AS (SELECT customer_id, {', '.join(tx_cols)} FROM transactions
                        WHERE ts >= {lo30} AND ts < {hi} GROUP BY customer_id)""")
        joins.append("LEFT JOIN tx USING (customer_id)")
    if ho_cols:
        ctes.append(f"""ho AS (SELECT h.customer_id, {', '.join(ho_cols)} FROM holdings h
                        JOIN products p ON p.product_id = h.product_id
                        WHERE h.opened_at IS NULL OR h.opened_at <= {cut} GROUP BY h.customer_id)""")
        joins.append("LEFT JOIN ho USING (customer_id)")
    select = ", ".join(["base.customer_id", "base.org_code", *exprs])
    sql = f"WITH {', '.join(ctes)} SELECT {select} FROM base {' '.join(joins)} ORDER BY base.customer_id"
    with store.read() as cur:
        data = cur.execute(sql, used(sql, params)).fetchnumpy()
    out = Frame(cutoff=cutoff, ids=np.asarray(data["customer_id"], dtype=object),
                org_codes=np.asarray(data["org_code"], dtype=object))
    for i, f in enumerate(features):
        raw = data[f"f{i}"]
        if f.kind == "number":
            out.columns[f.key] = _floats(raw)
        else:
            out.columns[f.key] = np.asarray([None if v is None else str(v) for v in _objects(raw)], dtype=object)
    return out


def matrix(store: EventStore, *, cutoff: date, keys: list[str], scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    """(customer ids, numeric feature matrix) as of a cutoff for feature keys of numbers only (churn, propensity)."""
    feats = [parse(k) for k in keys]
    fr = frame(store, cutoff=cutoff, features=feats, scope=scope)  # type: ignore[arg-type]
    x, _, _ = encode(fr, feats)  # type: ignore[arg-type]
    return fr.ids, x


def used(sql: str, params: Params) -> dict[str, Any]:
    """The bound values the statement refers to (DuckDB rejects extra ones)."""
    names = set(re.findall(r"\$(p\d+)\b", sql))
    return {k: v for k, v in params.values.items() if k in names}


def _attribute_sql(key: str, cut: str) -> str:
    match key:
        case "age":
            return f"date_sub('year', base.birth_date, {cut})"  # whole years, as segment conditions count them
        case "tenure_days":
            return f"date_diff('day', base.open_date, {cut})"
        case "aum":
            return "a_now.aum"
        case "tier":
            return _tier_sql("a_now.aum")
        case "aum_change_30d":
            return "CASE WHEN a_then.aum > 0 THEN (a_now.aum - a_then.aum) / a_then.aum ELSE 0 END"
        case "aum_change_7d":
            return "CASE WHEN a_week.aum > 0 THEN (a_now.aum - a_week.aum) / a_week.aum ELSE 0 END"
        case "days_since_login":
            hours = int(local_offset().total_seconds() // 3600)  # a module constant, not user input
            local = f"CAST(ll.last_login + INTERVAL {hours} HOUR AS DATE)"
            return f"coalesce(date_diff('day', {local}, {cut}), {NEVER})"
        case _:
            return f"base.{key}"  # gender risk_level income_band acquisition_channel: keys from ATTRIBUTES only


def _floats(raw: Any) -> np.ndarray:
    if np.ma.isMaskedArray(raw):
        return np.ma.filled(raw.astype(float), MISSING)
    arr = np.asarray(raw, dtype=float)
    return np.where(np.isnan(arr), MISSING, arr)


def _objects(raw: Any) -> list[Any]:
    if np.ma.isMaskedArray(raw):
        return [None if m else v for v, m in zip(raw.data, np.ma.getmaskarray(raw), strict=True)]
    return list(raw)


def event_label(store: EventStore, *, event: str, start: date, days: int, ids: np.ndarray) -> np.ndarray:
    """1 for customers who did `event` in the `days` days after `start`, else 0 (aligned with `ids`)."""
    rows = store.query(
        """SELECT DISTINCT customer_id FROM events WHERE event = $event AND ts >= $lo AND ts < $hi
           AND customer_id IS NOT NULL""",
        {"event": event, "lo": day_start(start + timedelta(days=1)),
         "hi": day_start(start + timedelta(days=days + 1))},
    )
    positive = {r["customer_id"] for r in rows}
    return np.fromiter((1 if c in positive else 0 for c in ids), dtype=np.int8, count=len(ids))


def tag_label(store: EventStore, *, tag_id: int, value: str, day: date, ids: np.ndarray) -> np.ndarray:
    """1 for customers whose tag had `value` on `day` (from the tag's value history), else 0."""
    rows = store.query(
        """SELECT customer_id FROM tag_values
           WHERE tag_id = $tag AND value = $value AND valid_from <= $day AND valid_to > $day""",
        {"tag": tag_id, "value": value, "day": day},
    )
    positive = {r["customer_id"] for r in rows}
    return np.fromiter((1 if c in positive else 0 for c in ids), dtype=np.int8, count=len(ids))


def data_end(store: EventStore) -> date | None:
    """The last day the store has data for (daily AUM, else events)."""
    last = store.scalar("SELECT max(date) FROM aum_daily")
    if last is None:
        ts = store.scalar("SELECT max(ts) FROM events")
        last = ts.date() if ts is not None else None
    return last


def data_start(store: EventStore) -> date | None:
    """The first day the store has data for."""
    first = store.scalar("SELECT min(date) FROM aum_daily")
    if first is None:
        ts = store.scalar("SELECT min(ts) FROM events")
        first = ts.date() if ts is not None else None
    return first


# ---------------------------------------------------------------------------------------------- encoding


def encode(fr: Frame, features: list[Feature], categories: dict[str, list[str]] | None = None
           ) -> tuple[np.ndarray, list[tuple[str, str | None]], dict[str, list[str]]]:
    """(matrix, columns as (feature key, category value or None), categories) — one-hot for categories.

    Categories are learnt from the frame unless given (scoring reuses those of training).
    """
    cats = dict(categories or {})
    cols: list[np.ndarray] = []
    names: list[tuple[str, str | None]] = []
    for f in features:
        values = fr.columns[f.key]
        if f.kind == "number":
            cols.append(values.astype(float))
            names.append((f.key, None))
            continue
        if f.key not in cats:
            cats[f.key] = sorted({v for v in values if v is not None})
        for v in cats[f.key]:
            cols.append((values == v).astype(float))
            names.append((f.key, v))
    matrix = np.column_stack(cols) if cols else np.zeros((len(fr.ids), 0))
    return matrix, names, cats

"""What the demo bank shows on first visit: segments, a shared set, metrics, alert rules and a dashboard.

Plain data, validated by each module's own contract when the showcase creates it. Field names and values are
the demo catalogue's: product types from `products.py`, events from `catalogue.py`, tags from the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SegmentSpec:
    """A dynamic segment created by a demo user (its owner org is the user's)."""

    owner: str
    name: str
    description: str
    definition: dict[str, Any]


def _did(event: str, days: int, *, did: bool = True, source: str = "events", **extra: Any) -> dict[str, Any]:
    return {"type": "behaviour", "source": source, "event": event, "did": did, "window": {"last_days": days},
            **extra}


def _attr(name: str, op: str, value: Any) -> dict[str, Any]:
    return {"type": "attribute", "field": name, "op": op, "value": value}


def _all(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "op": "and", "conditions": list(conditions)}


def _tag(key: str, op: str, value: Any) -> dict[str, Any]:
    """A tag's value on the day the segment is evaluated (`days_ago` 0): today for the live count, and the
    tag history's value when the daily job snapshots a past day, so past snapshots are not today's values."""
    return {"type": "tag", "tag": key, "op": op, "value": value, "days_ago": 0}


FUND_INTENT = "25–40岁基金意向客户"
DORMANT_RICH = "高价值沉睡客户"

SEGMENTS: tuple[SegmentSpec, ...] = (
    # AUM bands through the aum_tier tag (潜力客户 = 5万–50万, 财富/私行客户 = 50万 and more): the tag keeps
    # history, the customer row only the latest AUM.
    SegmentSpec("hq_ops", FUND_INTENT,
                "近30天浏览基金产品≥3次但未申购、AUM 5万–50万（潜力客户）的25–40岁客户：基金转化的重点人群。",
                _all(_attr("age", "between", [25, 40]),
                     _did("product_view", 30, op="gte", value=3,
                          filters=[{"property": "product_type", "op": "eq", "value": "基金"}]),
                     _did("fund_purchase", 30, did=False),
                     _tag("aum_tier", "eq", "潜力客户"))),
    SegmentSpec("hq_ops", DORMANT_RICH,
                "生命周期为「沉睡」（近30天无登录、无交易）且AUM≥50万（财富、私行客户）：资产流失风险最高，需专人唤醒。",
                _all(_tag("lifecycle_stage", "eq", "沉睡"), _tag("aum_tier", "in", ["财富客户", "私行客户"]))),
    SegmentSpec("hq_ops", "新客首月未激活",
                "开户30天内、至今未登录过的新客：首月是激活窗口，宜短信与客户经理双线触达。",
                # From 0: on a past day, customers who had not opened an account yet have a negative tenure.
                _all(_attr("tenure_days", "between", [0, 30]), _did("login", 30, did=False))),
    SegmentSpec("hq_ops", "理财30天内到期客户",
                "持有的理财产品将在30天内到期：到期资金的续投与转化窗口。",
                {"type": "holding", "product_type": "理财", "matures_within_days": 30}),
    SegmentSpec("gd_ops", "广东代发工资未购理财客户",
                "广东分行辖内近两个月有代发工资入账、但未持有理财的客户：工资理财的转化对象。",
                _all(_did("salary", 62, source="transactions"),
                     {"type": "holding", "product_type": "理财", "holds": False})),
)

SET_OWNER = "hq_ops"
SET_NAME = "财富客户经营：基金转化与沉睡唤醒"
SET_SEGMENTS = (FUND_INTENT, DORMANT_RICH)
SET_SHARED_WITH = ("GD",)
SET_REFERENCED_BY = "gd_ops"
SET_STRATEGY = (
    "1. 基金意向客户：7日内由客户经理一对一回访，结合其浏览的基金推荐低门槛定投（如沪深300指数增强，百元起投），"
    "首次申购提供申购费1折优惠；App首页与基金频道投放「定投入门」内容，次周复盘浏览→申购转化率。\n"
    "2. 高价值沉睡客户：由专属客户经理电话关怀，核实联系方式与资金去向；对持有到期理财的客户提前提供续投方案，"
    "配合理财节加息券唤醒；30天内仍未登录的，升级为网点面访。\n"
    "3. 分行执行：广东分行引用本客群集后按辖内客户经理分派名单，触达结果回填，总行每周汇总效果。"
)

METRICS_OWNER = "analyst"


@dataclass(frozen=True)
class MetricSpec:
    """A metric of the library (a daily event aggregate)."""

    key: str
    name: str
    definition: dict[str, Any]


METRICS: tuple[MetricSpec, ...] = (
    # The metric contract holds one event: `login` stands for activity, since every App launch by a known
    # customer is followed by a login, and H5, WeChat and branch visits log in without an App launch.
    MetricSpec("daily_active_customers", "日活跃客户数",
               {"event": {"event": "login"}, "measure": "uniques", "days": 1}),
    MetricSpec("fund_purchase_count", "基金申购笔数", {"event": {"event": "fund_purchase"}, "measure": "total",
                                                    "days": 1}),
    MetricSpec("fund_purchase_amount", "基金申购金额",
               {"event": {"event": "fund_purchase"}, "measure": "sum", "property": "amount", "days": 1}),
)


@dataclass(frozen=True)
class RuleSpec:
    """An alert rule on a metric; no e-mail or webhook: alerts are read in the console."""

    metric_key: str
    name: str
    op: str
    severity: str
    threshold: float | None = None
    anomaly: dict[str, Any] | None = None


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("fund_purchase_count", "基金申购笔数环比下降超30%", "change_lt", "warning", threshold=-30),
    RuleSpec("daily_active_customers", "日活跃客户数异常波动", "anomaly", "critical",
             anomaly={"k": 3, "direction": "both", "min_change_pct": 10}),
)
ALERT_HISTORY_DAYS = 14  # business days evaluated at seeding, so the alert list starts with real history

DASHBOARD_OWNER = "analyst"
DASHBOARD_NAME = "经营概览"
DASHBOARD_DESCRIPTION = ("总行经营日常关注：登录活跃、基金转化、留存、客户价值与活跃深度，"
                         "每次打开按查看人的数据范围重算。")


@dataclass(frozen=True)
class AnalysisSpec:
    """A saved analysis pinned to the dashboard, over the last `days` bank days."""

    name: str
    description: str
    model: str
    query: dict[str, Any]
    days: int = 30
    size: str = "half"


_FUND = [{"property": "product_type", "op": "eq", "value": "基金"}]
ANALYSES: tuple[AnalysisSpec, ...] = (
    AnalysisSpec("近30天登录趋势", "每日登录次数与登录客户数。", "trends",
                 {"series": [{"event": "login", "measure": "total"}, {"event": "login", "measure": "uniques"}],
                  "granularity": "day"}, size="full"),
    AnalysisSpec("基金购买转化漏斗", "启动App → 登录 → 浏览基金 → 申购基金，1天内完成。", "funnel",
                 {"steps": [{"event": "app_start"}, {"event": "login"},
                            {"event": "product_view", "filters": _FUND}, {"event": "fund_purchase"}],
                  "window": 1, "window_unit": "day"}),
    AnalysisSpec("登录7日留存", "按首次登录日分组，之后7天内每天再次登录的比例。", "retention",
                 {"initial": {"event": "login"}, "returning": {"event": "login"}, "period": "day", "periods": 7}),
    AnalysisSpec("RFM客户价值概览", "近90天交易的最近一次、频次与金额，八类客户的规模。", "rfm", {}, days=90),
    AnalysisSpec("近30天登录次数分布", "每位客户近30天登录次数的分布。", "distribution",
                 {"event": {"event": "login"}, "measure": "count", "edges": [1, 2, 4, 8, 16, 31]}),
    AnalysisSpec("近30天基金申购", "每日基金申购笔数与金额。", "trends",
                 {"series": [{"event": "fund_purchase", "measure": "total"},
                             {"event": "fund_purchase", "measure": "sum", "property": "amount"}],
                  "granularity": "day"}),
)
SNAPSHOT_WEEKS = 4  # weekly segment snapshots back from the seed day, so 客群流向 has dates to compare

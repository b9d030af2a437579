"""The default tag catalogue shipped with every installation: four families, editable like any tag."""

from __future__ import annotations

from typing import Any

from mofang.insight.tags.contracts import TagCreate


def _w(days: int) -> dict[str, int]:
    return {"last_days": days}


def _pv(product_type: str) -> list[dict[str, Any]]:
    return [{"property": "product_type", "op": "eq", "value": product_type}]


def _holds(*types: str) -> dict[str, Any]:
    conds = [{"type": "holding", "product_type": t} for t in types]
    return conds[0] if len(conds) == 1 else {"type": "group", "op": "or", "conditions": conds}


def _flag(cond: dict[str, Any]) -> dict[str, Any]:
    """A yes/no rule: 是 when the condition holds, else 否."""
    return {"kind": "rule", "cases": [{"value": "是", "when": cond}], "default": "否"}


def _did(event: str, days: int, source: str = "events", **extra: Any) -> dict[str, Any]:
    return {"type": "behaviour", "source": source, "event": event, "window": _w(days), **extra}


_ACTIVE_30 = {"type": "group", "op": "or", "conditions": [_did("login", 30), _did("app_start", 30),
                                                           {"type": "behaviour", "source": "transactions",
                                                            "window": _w(30)}]}
_ACTIVE_90 = {"type": "group", "op": "or", "conditions": [_did("login", 90), _did("app_start", 90),
                                                           {"type": "behaviour", "source": "transactions",
                                                            "window": _w(90)}]}

LIFECYCLE_RULE: dict[str, Any] = {
    "kind": "lifecycle",
    "cases": [
        {"value": "潜客", "when": {"type": "group", "op": "and", "conditions": [
            {"type": "attribute", "field": "aum", "op": "lt", "value": 100},
            {"type": "not", "condition": _did("purchase", 365, source="transactions")}]}},
        {"value": "新客", "when": {"type": "attribute", "field": "tenure_days", "op": "lte", "value": 90}},
        {"value": "流失", "when": {"type": "group", "op": "and", "conditions": [
            {"type": "not", "condition": _ACTIVE_90},
            {"type": "attribute", "field": "aum", "op": "lt", "value": 1000}]}},
        {"value": "沉睡", "when": {"type": "not", "condition": _ACTIVE_30}},
        {"value": "成熟", "when": {"type": "attribute", "field": "aum", "op": "gte", "value": 500_000}},
    ],
    "default": "成长",
}

_SPECS: list[dict[str, Any]] = [
    # 商业价值 business value
    {"key": "aum_tier", "name": "AUM层级", "family": "business_value", "description": "按资产余额分层",
     "rule": {"kind": "attribute", "field": "aum", "bands": [
         {"label": "大众客户", "lt": 50_000}, {"label": "潜力客户", "lt": 500_000},
         {"label": "财富客户", "lt": 6_000_000}, {"label": "私行客户"}]}},
    {"key": "rfm_class", "name": "RFM价值分类", "family": "business_value",
     "description": "近90天交易的最近一次(R)、频次(F)、金额(M)与中位数比较",
     "rule": {"kind": "rfm", "source": "transactions", "window": _w(90)}},
    {"key": "txn_amount_90d", "name": "近90天交易金额", "family": "business_value",
     "rule": {"kind": "aggregate", "source": "transactions", "agg": "sum", "property": "amount", "window": _w(90)}},
    {"key": "txn_count_90d", "name": "近90天交易笔数", "family": "business_value",
     "rule": {"kind": "aggregate", "source": "transactions", "agg": "count", "window": _w(90)}},
    {"key": "inflow_30d", "name": "近30天资金流入", "family": "business_value",
     "rule": {"kind": "aggregate", "source": "transactions", "agg": "sum", "property": "amount", "window": _w(30),
              "filters": [{"property": "direction", "op": "eq", "value": "in"}]}},
    {"key": "outflow_30d", "name": "近30天资金流出", "family": "business_value",
     "rule": {"kind": "aggregate", "source": "transactions", "agg": "sum", "property": "amount", "window": _w(30),
              "filters": [{"property": "direction", "op": "eq", "value": "out"}]}},
    {"key": "purchase_amount_90d", "name": "近90天购买金额", "family": "business_value",
     "rule": {"kind": "aggregate", "source": "transactions", "event": "purchase", "agg": "sum", "property": "amount",
              "window": _w(90), "bands": [{"label": "无购买", "lt": 0.01}, {"label": "1万以下", "lt": 10_000},
                                          {"label": "1-10万", "lt": 100_000}, {"label": "10万以上"}]}},
    {"key": "salary_customer", "name": "代发工资客户", "family": "business_value",
     "rule": _flag(_did("salary", 62, source="transactions"))},
    {"key": "fund_holder", "name": "基金持有客户", "family": "business_value", "rule": _flag(_holds("基金"))},
    {"key": "wealth_holder", "name": "理财持有客户", "family": "business_value", "rule": _flag(_holds("理财"))},
    {"key": "loan_customer", "name": "贷款客户", "family": "business_value",
     "rule": _flag(_holds("消费贷", "经营贷", "房贷"))},
    {"key": "card_customer", "name": "信用卡客户", "family": "business_value", "rule": _flag(_holds("信用卡"))},
    # 用户偏好 preference
    {"key": "fund_views_30d", "name": "近30天浏览基金次数", "family": "preference",
     "rule": {"kind": "aggregate", "event": "product_view", "filters": _pv("基金"), "window": _w(30)}},
    {"key": "wealth_views_30d", "name": "近30天浏览理财次数", "family": "preference",
     "rule": {"kind": "aggregate", "event": "product_view", "filters": _pv("理财"), "window": _w(30)}},
    {"key": "insurance_views_30d", "name": "近30天浏览保险次数", "family": "preference",
     "rule": {"kind": "aggregate", "event": "product_view", "filters": _pv("保险"), "window": _w(30)}},
    {"key": "preferred_product_type", "name": "近30天偏好产品类型", "family": "preference",
     "rule": {"kind": "aggregate", "event": "product_view", "agg": "mode", "property": "product_type",
              "window": _w(30)}},
    {"key": "preferred_channel", "name": "偏好渠道", "family": "preference",
     "rule": {"kind": "aggregate", "event": "login", "agg": "mode", "property": "$channel", "window": _w(90)}},
    {"key": "spend_category", "name": "消费偏好类别", "family": "preference",
     "rule": {"kind": "aggregate", "source": "transactions", "event": "card_spend", "agg": "mode",
              "property": "category", "window": _w(90)}},
    {"key": "risk_appetite", "name": "风险偏好", "family": "preference",
     "rule": {"kind": "attribute", "field": "risk_level", "mapping": {
         "C1": "保守型", "C2": "稳健型", "C3": "平衡型", "C4": "成长型", "C5": "进取型"}}},
    {"key": "login_days_30d", "name": "近30天登录天数", "family": "preference",
     "rule": {"kind": "aggregate", "event": "login", "agg": "distinct", "property": "$date", "window": _w(30)}},
    {"key": "searches_30d", "name": "近30天搜索次数", "family": "preference",
     "rule": {"kind": "aggregate", "event": "search", "window": _w(30)}},
    {"key": "activity_level", "name": "活跃度", "family": "preference",
     "rule": {"kind": "aggregate", "event": "login", "window": _w(30), "bands": [
         {"label": "不活跃", "lt": 1}, {"label": "低活跃", "lt": 4}, {"label": "中活跃", "lt": 12},
         {"label": "高活跃"}]}},
    # 生命周期 lifecycle
    {"key": "lifecycle_stage", "name": "生命周期阶段", "family": "lifecycle",
     "description": "潜客/新客/成长/成熟/沉睡/流失,按顺序匹配的可编辑规则", "rule": LIFECYCLE_RULE},
    {"key": "tenure_band", "name": "开户时长", "family": "lifecycle",
     "rule": {"kind": "attribute", "field": "tenure_days", "bands": [
         {"label": "1年以内", "lt": 365}, {"label": "1-3年", "lt": 1095}, {"label": "3-5年", "lt": 1825},
         {"label": "5年以上"}]}},
    {"key": "age_band", "name": "年龄段", "family": "lifecycle",
     "rule": {"kind": "attribute", "field": "age", "bands": [
         {"label": "25岁以下", "lt": 25}, {"label": "25-34岁", "lt": 35}, {"label": "35-44岁", "lt": 45},
         {"label": "45-54岁", "lt": 55}, {"label": "55-64岁", "lt": 65}, {"label": "65岁及以上"}]}},
    {"key": "last_login_date", "name": "最近登录日期", "family": "lifecycle",
     "rule": {"kind": "aggregate", "event": "login", "agg": "last", "window": _w(365)}},
    {"key": "last_txn_date", "name": "最近交易日期", "family": "lifecycle",
     "rule": {"kind": "aggregate", "source": "transactions", "agg": "last", "window": _w(365)}},
    {"key": "new_customer", "name": "新客", "family": "lifecycle",
     "rule": _flag({"type": "attribute", "field": "tenure_days", "op": "lte", "value": 90})},
    {"key": "dormant_risk", "name": "沉睡预警", "family": "lifecycle",
     "description": "近30天未登录但30-90天前登录过",
     "rule": _flag({"type": "group", "op": "and", "conditions": [
         {"type": "not", "condition": _did("login", 30)}, _did("login", 90)]})},
    # 营销时机 marketing timing
    {"key": "payday", "name": "发薪日", "family": "timing", "rule": {"kind": "timing", "measure": "payday"}},
    {"key": "active_hour", "name": "最活跃时段", "family": "timing",
     "rule": {"kind": "timing", "measure": "active_hour", "event": "login"}},
    {"key": "active_weekday", "name": "最活跃星期", "family": "timing",
     "rule": {"kind": "timing", "measure": "active_weekday", "event": "login"}},
    {"key": "deposit_maturing_30d", "name": "定期30天内到期", "family": "timing",
     "rule": _flag({"type": "group", "op": "or", "conditions": [
         {"type": "holding", "product_type": t, "matures_within_days": 30} for t in ("定期", "大额存单", "理财")]})},
    {"key": "large_inflow_7d", "name": "近7天大额入账", "family": "timing",
     "rule": _flag({"type": "behaviour", "source": "transactions", "measure": "sum", "property": "amount",
                    "op": "gte", "value": 50_000, "window": _w(7),
                    "filters": [{"property": "direction", "op": "eq", "value": "in"}]})},
    {"key": "fund_intent_7d", "name": "近期基金意向", "family": "timing",
     "description": "近7天浏览基金≥3次且未购买",
     "rule": _flag({"type": "group", "op": "and", "conditions": [
         _did("product_view", 7, filters=_pv("基金"), op="gte", value=3),
         _did("fund_purchase", 7, did=False)]})},
    {"key": "birthday_soon", "name": "30天内生日", "family": "timing",
     "rule": _flag({"type": "attribute", "field": "days_to_birthday", "op": "lte", "value": 30})},
]


def default_tags() -> list[TagCreate]:
    """The default catalogue."""
    return [TagCreate.model_validate(s) for s in _SPECS]

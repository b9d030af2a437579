"""Column names of analysis exports in the reader's language (zh by default): the tables speak English keys."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mofang.platform.csvfile import Lang

ZH: dict[str, str] = {
    "series": "序列", "event": "事件", "measure": "度量", "group": "分组", "bucket": "区间", "value": "数值",
    "line_total": "合计", "previous_bucket": "对比区间", "previous_value": "对比数值",
    "previous_line_total": "对比合计",
    "level": "层级", "step": "步骤", "customers": "客户数", "conversion_from_first": "总转化率",
    "conversion_from_previous": "步骤转化率", "dropped": "流失客户数",
    "median_seconds_from_previous": "距上一步中位时长(秒)",
    "cohort": "同期群", "size": "人数", "rank": "排名", "sessions": "会话数", "share": "占比", "steps": "步数",
    "touch": "触点", "touched_conversions": "触达转化数", "first": "首次触点归因", "last": "末次触点归因",
    "linear": "线性归因", "position": "位置归因", "time_decay": "时间衰减归因", "lower": "下限", "upper": "上限",
    "total_customers": "总客户数", "customers_without": "未发生客户数", "mean": "平均值", "median": "中位数",
    "p90": "90分位", "lower_seconds": "下限(秒)", "upper_seconds": "上限(秒)", "pairs": "间隔次数",
    "total_pairs": "总间隔次数", "mean_seconds": "平均间隔(秒)", "median_seconds": "中位间隔(秒)",
    "p90_seconds": "90分位间隔(秒)", "aum": "AUM(元)", "month": "月份", "org_code": "机构代码", "org_name": "机构名称",
    "mau": "MAU", "active_rate": "活跃率", "net_inflow": "净流入(元)", "first_day_with_data": "首个有数据日",
    "last_day_with_data": "最后有数据日", "partial_month": "部分月份", "segment": "分群", "label": "名称",
    "avg_recency_days": "平均最近消费天数", "avg_frequency": "平均消费频次", "avg_monetary": "平均消费金额",
}
# A column whose meaning depends on the model (a trend's bucket is a date; LTV's month counts from acquisition).
ZH_BY_MODEL: dict[str, dict[str, str]] = {
    "trends": {"bucket": "时间", "previous_bucket": "对比时间"},
    "ltv": {"month": "第几月", "value": "人均价值(元)"},
}
_NUMBERED = (
    (re.compile(r"^period_(\d+)_retained$"), "第{}期留存人数"),
    (re.compile(r"^period_(\d+)_rate$"), "第{}期留存率"),
    (re.compile(r"^step_(\d+)$"), "第{}步"),
    (re.compile(r"^value_(\d+)$"), "取值{}"),
)


def column_name(model: str, key: str, lang: Lang) -> str:
    """One column's name: the key itself in English, its Chinese name in zh (the key when none is known)."""
    if lang == "en":
        return key
    special = ZH_BY_MODEL.get(model, {}).get(key) or ZH.get(key)
    if special:
        return special
    for pattern, template in _NUMBERED:
        m = pattern.match(key)
        if m:
            return template.format(m.group(1))
    return key


def header(model: str, keys: Sequence[str], lang: Lang) -> list[str]:
    """The header line of a model's export."""
    return [column_name(model, k, lang) for k in keys]

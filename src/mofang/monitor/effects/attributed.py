"""Attribution across overlapping campaigns and the campaigns' part of MAU/AUM movement (both scoped).

Attribution feeds the reach centre's `message_delivered` / `message_clicked` events to the analytics attribution
model (归因分析) with the touch split by the events' `strategy_id` (or `campaign_id`) property: each conversion's
credit is shared among the strategies that touched it under the chosen rule, and sums to one per attributed
conversion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mofang.monitor.analytics import attribution as model
from mofang.monitor.analytics import repository as analytics_repo
from mofang.monitor.analytics.contracts import AttributionQuery, AttributionResult, CustomerFilter, EventSpec
from mofang.monitor.analytics.filters import customer_set
from mofang.monitor.effects import repository as repo
from mofang.monitor.effects import service
from mofang.monitor.effects.contracts import AttributedEffect, AttributionRule, IncrementalPart, TouchCredit
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, NotFound
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.sql import Params

TOUCH_EVENTS = ("message_delivered", "message_clicked")
Z95 = 1.959963984540054


def conversion_spec(graphs: dict[int, dict[str, Any]]) -> EventSpec | None:
    """The conversion the strategies count: the first goal node's event and filters (by strategy id)."""
    for sid in sorted(graphs):
        for node in graphs[sid].get("nodes", []):
            if node.get("type") == "goal" and node.get("event"):
                return EventSpec.model_validate({"event": node["event"], "filters": node.get("filters") or []})
    return None


def attribution_query(conversion: EventSpec, *, by: str, date_from: date, date_to: date,
                      window_days: int) -> AttributionQuery:
    """The analytics attribution query over reach's delivery and click touches, split by `by`."""
    return AttributionQuery(date_from=date_from, date_to=date_to, conversion=conversion,
                            touches=[EventSpec(event=e) for e in TOUCH_EVENTS], touch_property=by,
                            window_days=window_days)


def run_model(platform: Platform, scope: Scope, query: AttributionQuery) -> AttributionResult:
    """The analytics attribution model run for the customers in `scope`."""
    params = Params()
    members = customer_set(params, scope=scope, customers=CustomerFilter(),
                           sets=platform.extras.get("customer_sets"))
    built = model.build(query, members=members, params=params)
    return model.shape(query, analytics_repo.rows(platform.store, built, params))


def attributed_effect(*, platform: Platform, scope: Scope, strategy_ids: Sequence[int], campaign_id: int | None,
                      rule: AttributionRule = "last", date_from: date | None = None, date_to: date | None = None,
                      window_days: int = 7, value_per_conversion: float = 0.0, now: datetime) -> AttributedEffect:
    """Conversions credited to these strategies (or the campaign) among every campaign that touched them."""
    ids = sorted(set(strategy_ids))
    d1 = date_to or now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    d0 = date_from or d1 - timedelta(days=29)
    if d0 > d1 or (d1 - d0).days > 365 or not 1990 <= d0.year <= 2200 or not 1990 <= d1.year <= 2200:
        raise BadRequest("the period must be one day to a year, between 1990 and 2200", field="date_to",
                         code="effects.bad_period")
    with platform.metadata.session() as s:
        graphs = repo.latest_graphs(s, ids)
    if not graphs:
        raise NotFound("none of these strategies was ever published", field="strategy_ids",
                       code="effects.not_published")
    by = "campaign_id" if campaign_id is not None else "strategy_id"
    mine = {str(campaign_id)} if campaign_id is not None else {str(i) for i in ids}
    conversion = conversion_spec(graphs)
    empty = AttributedEffect(rule=rule, by=by, conversion_event=None, date_from=d0, date_to=d1,  # type: ignore[arg-type]
                             window_days=window_days, conversions=0, attributed=0, credited=0.0,
                             value_per_conversion=value_per_conversion, credited_value=0.0, others=[])
    if conversion is None:
        return empty
    result = run_model(platform, scope, attribution_query(conversion, by=by, date_from=d0, date_to=d1,
                                                          window_days=window_days))
    credit: dict[str, float] = {}
    for row in result.rows:
        key = _key(row.value)
        if key is not None:
            credit[key] = credit.get(key, 0.0) + float(getattr(row, rule))
    credited = sum(v for k, v in credit.items() if k in mine)
    others = [TouchCredit(key=k, credit=round(v, 6)) for k, v in sorted(credit.items(), key=lambda kv: -kv[1])]
    return empty.model_copy(update={"conversion_event": conversion.event, "conversions": result.conversions,
                                    "attributed": result.attributed, "credited": round(credited, 6),
                                    "credited_value": round(credited * value_per_conversion, 2),
                                    "others": others})


def _key(value: str | None) -> str | None:
    """Touch property values as ids ("42", "42.0" alike); touches without one are credited to no campaign."""
    if value is None or value == "":
        return None
    try:
        return str(int(float(value)))
    except ValueError:
        return value


def incremental_part(*, platform: Platform, scope: Scope, date_from: date, date_to: date, window_days: int = 30,
                     now: datetime) -> IncrementalPart:
    """Sum over strategies with customers entering in the period of their holdout estimates (scoped)."""
    if date_from > date_to or (date_to - date_from).days > 366 or not 1990 <= date_from.year <= 2200 \
            or not 1990 <= date_to.year <= 2200:
        raise BadRequest("the period must be one day to a year, between 1990 and 2200", field="date_to",
                         code="effects.bad_period")
    since, until = service.bounds_of(date_from, date_to)
    with platform.metadata.session() as s:
        ids = repo.strategies_entered(s, scope=scope, since=since, until=until)
        graphs = repo.latest_graphs(s, ids)
    conv: list[tuple[float, float]] = []
    aum: list[tuple[float, float]] = []
    without = 0
    for sid in sorted(i for i in ids if i in graphs):
        eff = service.strategy_effect(platform=platform, scope=scope, strategy_ids=[sid], date_from=date_from,
                                      date_to=date_to, window_days=window_days, n_resamples=100, now=now)
        if eff.lift.control == "none":
            without += 1
            continue
        _add(conv, eff.lift.incremental_conversions, eff.lift.incremental_lower, eff.lift.incremental_upper)
        _add(aum, eff.aum.incremental_aum, eff.aum.incremental_lower, eff.aum.incremental_upper)
    c, cl, cu = _sum(conv)
    a, al, au = _sum(aum)
    return IncrementalPart(date_from=date_from, date_to=date_to, strategies=len(conv), without_control=without,
                           incremental_customers=c, customers_lower=cl, customers_upper=cu, incremental_aum=a,
                           aum_lower=al, aum_upper=au)


def _add(acc: list[tuple[float, float]], v: float | None, lo: float | None, hi: float | None) -> None:
    """An estimate and its standard error (from its 95% interval; 0 when it has none)."""
    if v is None or not math.isfinite(v):
        return
    se = (hi - lo) / (2 * Z95) if lo is not None and hi is not None and math.isfinite(hi - lo) else 0.0
    acc.append((v, se))


def _sum(acc: list[tuple[float, float]]) -> tuple[float | None, float | None, float | None]:
    """Sum of independent estimates with the 95% interval of the sum (standard errors in quadrature)."""
    if not acc:
        return None, None, None
    total = sum(v for v, _ in acc)
    half = Z95 * math.sqrt(sum(se * se for _, se in acc))
    return total, total - half, total + half

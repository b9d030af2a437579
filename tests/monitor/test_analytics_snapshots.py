"""The SQL each model builds, compared with reviewed snapshots (MOFANG_UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from mofang.monitor.analytics import (
    attribution,
    distribution,
    events,
    funnel,
    interval,
    ltv,
    mau_aum,
    paths,
    properties,
    retention,
    rfm,
)
from mofang.monitor.analytics.contracts import (
    AttributionQuery,
    CustomerFilter,
    DistributionQuery,
    FunnelQuery,
    IntervalQuery,
    LtvQuery,
    MauAumQuery,
    PathsQuery,
    PropertiesQuery,
    RetentionQuery,
    RfmQuery,
    TrendsQuery,
)
from mofang.monitor.analytics.filters import customer_conditions, customer_set
from mofang.monitor.analytics.sqltemplate import inline, render
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.sql import Params

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCOPE = Scope(kind="org", org_code="GD")
BASE = {"date_from": "2026-03-01", "date_to": "2026-03-07",
        "customers": {"attributes": [{"attribute": "tier", "op": "in", "value": ["财富", "私行"]}]}}
STEPS = [{"event": "app_open"}, {"event": "product_view", "filters": [{"property": "product", "value": "P1"}]},
         {"event": "purchase", "filters": [{"property": "amount", "op": "gte", "value": 1000}]}]


def _members(params: Params, customers: CustomerFilter):
    return customer_set(params, scope=SCOPE, customers=customers, sets=None)


def _where(params: Params, customers: CustomerFilter):
    return customer_conditions(params, scope=SCOPE, customers=customers, sets=None)


def _built(name: str, params: Params):
    if name == "trends":
        q = TrendsQuery(**BASE, series=[{"event": "purchase", "measure": "sum", "property": "amount"}],
                        granularity="week", group_by={"kind": "property", "name": "channel"})
        return events.build_series(q, 0, members=_members(params, q.customers), params=params)
    if name == "funnel":
        q = FunnelQuery(**BASE, steps=STEPS, window=3, exclusions=[{"event": "logout", "from_step": 2}])
        return funnel.build(q, where=_where(params, q.customers), params=params)
    if name == "funnel_start_values":
        q = FunnelQuery(**BASE, steps=STEPS, window=3, group_by={"kind": "property", "name": "channel"})
        return funnel.build_start_values(q, params=params)
    if name == "funnel_clickhouse":
        q = FunnelQuery(date_from="2026-03-01", date_to="2026-03-07", steps=STEPS[:2], window=7)
        return funnel.build_clickhouse(q, params=params)
    if name == "retention":
        q = RetentionQuery(**BASE, initial={"event": "register"}, returning={"event": "app_open"}, periods=7)
        return retention.build(q, members=_members(params, q.customers), params=params)
    if name == "retention_first_time":
        q = RetentionQuery(**BASE, initial={"event": "register"}, returning={"event": "app_open"}, period="week",
                           periods=4, first_time=True, group_by={"kind": "attribute", "name": "tier"})
        return retention.build(q, members=_members(params, q.customers), params=params)
    if name == "paths":
        q = PathsQuery(**BASE, anchor={"event": "app_open"}, depth=4)
        return paths.build(q, members=_members(params, q.customers), params=params)
    if name == "attribution":
        q = AttributionQuery(**BASE, conversion={"event": "purchase"},
                             touches=[{"event": "push_click"}, {"event": "sms_click"}], touch_property="campaign")
        return attribution.build(q, members=_members(params, q.customers), params=params)
    if name == "distribution":
        q = DistributionQuery(**BASE, event={"event": "login"})
        return distribution.build(q, members=_members(params, q.customers), where=_where(params, q.customers),
                                  params=params)
    if name == "interval":
        q = IntervalQuery(**BASE, first={"event": "register"}, then={"event": "purchase"})
        return interval.build(q, members=_members(params, q.customers), params=params)
    if name == "properties":
        q = PropertiesQuery(dimensions=[{"attribute": "tier"}, {"attribute": "age", "edges": [30, 45, 60]}])
        return properties.build(q, where=_where(params, q.customers), params=params, sets=None)
    if name == "ltv":
        q = LtvQuery(**BASE, months=6)
        return ltv.build(q, where=_where(params, q.customers), params=params)
    if name == "rfm":
        q = RfmQuery(**BASE)
        return rfm.build(q, members=_members(params, q.customers), where=_where(params, q.customers), params=params)
    if name == "mau_aum":
        q = MauAumQuery(month_from=date(2026, 1, 1), month_to=date(2026, 3, 1), parent_org="GD")
        return mau_aum.build(q, parent="GD", kids=["GD-GZ", "GD-SZ"], where=_where(params, CustomerFilter()),
                             params=params)
    raise AssertionError(name)


NAMES = ["trends", "funnel", "funnel_start_values", "funnel_clickhouse", "retention", "retention_first_time",
         "paths", "attribution", "distribution", "interval", "properties", "ltv", "rfm", "mau_aum"]


@pytest.mark.parametrize("name", NAMES)
def test_built_sql_matches_snapshot(name):
    params = Params()
    query = _built(name, params)
    text = (query.sql(dialect="clickhouse", pretty=True) if name.endswith("clickhouse") else render(query))
    text += "\n-- params: " + json.dumps(params.values, default=str, ensure_ascii=False) + "\n"
    path = SNAPSHOTS / f"{name}.sql"
    if os.environ.get("MOFANG_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [n for n in NAMES if not n.endswith("clickhouse")])
def test_user_values_are_bound_never_spliced(name):
    params = Params()
    text = render(_built(name, params))
    for value in ("财富", "P1", "product_view", "purchase", "app_open"):
        assert value not in text
    assert "$p0" in text


def test_inline_renders_values_for_engines_without_parameters():
    params = Params()
    q = FunnelQuery(date_from="2026-03-01", date_to="2026-03-07", steps=STEPS[:2], window=7)
    text = inline(funnel.build_clickhouse(q, params=params), params.values).sql("clickhouse")
    assert "windowFunnel(604800, 'strict_once')" in text and "'product_view'" in text

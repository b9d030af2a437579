"""HTTP routes of behaviour analytics: one POST per model with its query as the JSON body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mofang.monitor.analytics import extent, service, values
from mofang.monitor.analytics.contracts import (
    AttributionQuery,
    AttributionResult,
    DistributionQuery,
    DistributionResult,
    DropoffSave,
    DropoffSaved,
    FunnelQuery,
    FunnelResult,
    IntervalQuery,
    IntervalResult,
    LtvQuery,
    LtvResult,
    MauAumQuery,
    MauAumResult,
    PathsQuery,
    PathsResult,
    PropertiesQuery,
    PropertiesResult,
    RetentionQuery,
    RetentionResult,
    RfmQuery,
    RfmResult,
    TrendsQuery,
    TrendsResult,
)
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS

router = APIRouter(prefix="/api/analytics", tags=["analytics"])
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]


@router.get("/extent", response_model=extent.DataExtent)
def data_extent(_who: Analyst, platform: PlatformDep) -> extent.DataExtent:
    """The first and last days with events and with AUM snapshots (what analysis pages open on)."""
    return extent.extent(platform.store)


@router.get("/values", response_model=values.FieldValues)
def field_values(
    who: Analyst, platform: PlatformDep,
    source: values.ValueSource,
    key: Annotated[str, Query(min_length=1, max_length=128)],
    event: Annotated[str | None, Query(max_length=128)] = None,
    check: Annotated[str | None, Query(max_length=256)] = None,
) -> values.FieldValues:
    """The most frequent values of an event property, transaction column or customer attribute among the
    customers in the user's scope; with `check`, also how often that value occurs (0: never)."""
    return values.field_values(platform.store, scope=who.scope, source=source, key=key, event=event, check=check)


@router.post("/trends", response_model=TrendsResult)
def trends(query: TrendsQuery, who: Analyst, platform: PlatformDep) -> TrendsResult:
    """事件分析: event trends by hour/day/week/month."""
    return service.trends(platform=platform, who=who, query=query)


@router.post("/funnel", response_model=FunnelResult)
def funnel(query: FunnelQuery, who: Analyst, platform: PlatformDep) -> FunnelResult:
    """漏斗分析: customers reaching each step within the window."""
    return service.funnel_analysis(platform=platform, who=who, query=query)


@router.post("/funnel/dropoffs", response_model=DropoffSaved, status_code=201)
def funnel_dropoffs(data: DropoffSave, who: Analyst, platform: PlatformDep) -> DropoffSaved:
    """Save the customers who dropped before a step as a segment."""
    return service.save_dropoffs(platform=platform, who=who, data=data)


@router.post("/retention", response_model=RetentionResult)
def retention(query: RetentionQuery, who: Analyst, platform: PlatformDep) -> RetentionResult:
    """留存分析: cohort retention table."""
    return service.retention_analysis(platform=platform, who=who, query=query)


@router.post("/paths", response_model=PathsResult)
def paths(query: PathsQuery, who: Analyst, platform: PlatformDep) -> PathsResult:
    """路径分析: top paths and Sankey from or to an event."""
    return service.paths_analysis(platform=platform, who=who, query=query)


@router.post("/attribution", response_model=AttributionResult)
def attribution(query: AttributionQuery, who: Analyst, platform: PlatformDep) -> AttributionResult:
    """归因分析: credit of touches before conversions."""
    return service.attribution_analysis(platform=platform, who=who, query=query)


@router.post("/distribution", response_model=DistributionResult)
def distribution(query: DistributionQuery, who: Analyst, platform: PlatformDep) -> DistributionResult:
    """分布分析: customers bucketed by count or sum."""
    return service.distribution_analysis(platform=platform, who=who, query=query)


@router.post("/interval", response_model=IntervalResult)
def interval(query: IntervalQuery, who: Analyst, platform: PlatformDep) -> IntervalResult:
    """间隔分析: time from event A to the next B."""
    return service.interval_analysis(platform=platform, who=who, query=query)


@router.post("/properties", response_model=PropertiesResult)
def properties(query: PropertiesQuery, who: Analyst, platform: PlatformDep) -> PropertiesResult:
    """属性分析: distribution and cross-tab of customer attributes."""
    return service.properties_analysis(platform=platform, who=who, query=query)


@router.post("/ltv", response_model=LtvResult)
def ltv(query: LtvQuery, who: Analyst, platform: PlatformDep) -> LtvResult:
    """LTV curves by opening-month cohort."""
    return service.ltv_analysis(platform=platform, who=who, query=query)


@router.post("/rfm", response_model=RfmResult)
def rfm(query: RfmQuery, who: Analyst, platform: PlatformDep) -> RfmResult:
    """RFM overview."""
    return service.rfm_analysis(platform=platform, who=who, query=query)


@router.post("/mau-aum", response_model=MauAumResult)
def mau_aum(query: MauAumQuery, who: Analyst, platform: PlatformDep) -> MauAumResult:
    """MAU/AUM dual-track dashboard by org."""
    return service.mau_aum_dashboard(platform=platform, who=who, query=query)

"""HTTP routes of the metric library and alerts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mofang.monitor.alerts import service
from mofang.monitor.alerts.contracts import (
    AlertRead,
    AlertStatus,
    MetricCreate,
    MetricRead,
    MetricValue,
    Outcome,
    RuleCreate,
    RuleRead,
    Severity,
)
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS

router = APIRouter(prefix="/api/monitor", tags=["monitor"])
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]


@router.post("/metrics", response_model=MetricRead, status_code=201)
def create_metric(data: MetricCreate, who: Analyst, platform: PlatformDep) -> MetricRead:
    """Add a metric to the library."""
    return service.create_metric(platform=platform, who=who, data=data)


@router.get("/metrics", response_model=list[MetricRead])
def list_metrics(who: Analyst, platform: PlatformDep) -> list[MetricRead]:
    """The metric library."""
    return service.list_metrics(platform=platform, who=who)


@router.get("/metrics/{metric_id}/value", response_model=MetricValue)
def metric_value(metric_id: int, day: date, who: Analyst, platform: PlatformDep,
                 dimension: Annotated[int | None, Query(ge=0, le=20)] = None) -> MetricValue:
    """A metric's value for a business day, with the previous window (and its top groups by a dimension)."""
    return service.metric_value(platform=platform, who=who, metric_id=metric_id, day=day, dimension=dimension)


@router.post("/alert-rules", response_model=RuleRead, status_code=201)
def create_rule(data: RuleCreate, who: Analyst, platform: PlatformDep) -> RuleRead:
    """Add an alert rule."""
    return service.create_rule(platform=platform, who=who, data=data)


@router.get("/alert-rules", response_model=list[RuleRead])
def list_rules(who: Analyst, platform: PlatformDep) -> list[RuleRead]:
    """Alert rules."""
    return service.list_rules(platform=platform, who=who)


@router.get("/alerts", response_model=list[AlertRead])
def list_alerts(
    who: Analyst, platform: PlatformDep,
    status: Annotated[AlertStatus | None, Query()] = None,
    severity: Annotated[Severity | None, Query()] = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AlertRead]:
    """Alert history, newest first (filter by status, severity and outcome)."""
    return service.list_alerts(platform=platform, who=who, status=status, severity=severity, outcome=outcome,
                               limit=limit)


@router.post("/alerts/{alert_id}/ack", response_model=AlertRead)
def acknowledge(alert_id: int, who: Analyst, platform: PlatformDep) -> AlertRead:
    """Acknowledge an alert."""
    return service.acknowledge(platform=platform, who=who, alert_id=alert_id)

"""HTTP routes of the metric library and alerts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from mofang.monitor.alerts import edit, inbox, service
from mofang.monitor.alerts.contracts import (
    AlertRead,
    AlertStatus,
    Inbox,
    MetricCreate,
    MetricRead,
    MetricTrend,
    MetricUpdate,
    MetricValue,
    Outcome,
    RuleCreate,
    RuleRead,
    RuleUpdate,
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


Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.patch("/metrics/{metric_id}", response_model=MetricRead)
def update_metric(metric_id: Id, data: MetricUpdate, who: Analyst, platform: PlatformDep) -> MetricRead:
    """Rename, redefine, disable or enable a metric."""
    return edit.update_metric(platform=platform, who=who, metric_id=metric_id, data=data)


@router.delete("/metrics/{metric_id}", status_code=204)
def delete_metric(metric_id: Id, who: Analyst, platform: PlatformDep) -> Response:
    """Delete a metric no alert rule uses (409 naming the rules otherwise)."""
    edit.delete_metric(platform=platform, who=who, metric_id=metric_id)
    return Response(status_code=204)


@router.get("/metrics/{metric_id}/value", response_model=MetricValue)
def metric_value(metric_id: int, day: date, who: Analyst, platform: PlatformDep,
                 dimension: Annotated[int | None, Query(ge=0, le=20)] = None) -> MetricValue:
    """A metric's value for a business day, with the previous window (and its top groups by a dimension)."""
    return service.metric_value(platform=platform, who=who, metric_id=metric_id, day=day, dimension=dimension)


@router.get("/metrics/{metric_id}/trend", response_model=MetricTrend)
def metric_trend(metric_id: Id, day: date, who: Analyst, platform: PlatformDep,
                 days: Annotated[int, Query(ge=2, le=90)] = 30) -> MetricTrend:
    """The metric for each of the `days` business days ending `day`."""
    return service.metric_trend(platform=platform, who=who, metric_id=metric_id, day=day, days=days)


@router.post("/alert-rules", response_model=RuleRead, status_code=201)
def create_rule(data: RuleCreate, who: Analyst, platform: PlatformDep) -> RuleRead:
    """Add an alert rule."""
    return service.create_rule(platform=platform, who=who, data=data)


@router.get("/alert-rules", response_model=list[RuleRead])
def list_rules(who: Analyst, platform: PlatformDep) -> list[RuleRead]:
    """Alert rules."""
    return service.list_rules(platform=platform, who=who)


@router.patch("/alert-rules/{rule_id}", response_model=RuleRead)
def update_rule(rule_id: Id, data: RuleUpdate, who: Analyst, platform: PlatformDep) -> RuleRead:
    """Change, disable or enable an alert rule."""
    return edit.update_rule(platform=platform, who=who, rule_id=rule_id, data=data)


@router.delete("/alert-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: Id, who: Analyst, platform: PlatformDep) -> Response:
    """Delete an alert rule with its alert history."""
    edit.delete_rule(platform=platform, who=who, rule_id=rule_id)
    return Response(status_code=204)


@router.get("/alerts/inbox", response_model=Inbox)
def alert_inbox(who: Analyst, platform: PlatformDep,
                limit: Annotated[int, Query(ge=1, le=50)] = 8) -> Inbox:
    """The header bell: the number of fired alerts this user has not read, and the newest ones."""
    return inbox.inbox(platform=platform, who=who, limit=limit)


@router.post("/alerts/read-all", status_code=204)
def alerts_read_all(who: Analyst, platform: PlatformDep) -> Response:
    """Mark every fired alert the user can see as read."""
    inbox.mark_all_read(platform=platform, who=who)
    return Response(status_code=204)


@router.post("/alerts/{alert_id}/read", status_code=204)
def alert_read(alert_id: Id, who: Analyst, platform: PlatformDep) -> Response:
    """Mark one alert read for this user."""
    inbox.mark_read(platform=platform, who=who, alert_id=alert_id)
    return Response(status_code=204)


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

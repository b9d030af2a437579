"""Metric, rule and alert rows in the metadata database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.monitor.alerts.models import Alert, AlertRule, Metric
from mofang.platform.governance.logic import Scope, in_subtree


def visible(scope: Scope, owner_org: str) -> bool:
    """Whether a definition owned by an org is visible in a scope (its subtree, or HQ's for everyone)."""
    return scope.kind == "all" or owner_org == "HQ" or in_subtree(owner_org, scope.org_code)


def sees_results(scope: Scope, owner_org: str) -> bool:
    """Whether a scope holds every customer a rule of `owner_org` is evaluated over (so its alerts' values may be
    shown): head office's bank-wide alerts are not a branch's to read."""
    return scope.kind == "all" or (scope.kind == "org" and in_subtree(owner_org, scope.org_code))


def metrics(session: Session) -> Sequence[Metric]:
    """Every metric."""
    return session.scalars(select(Metric).order_by(Metric.key)).all()


def rules(session: Session, *, enabled_only: bool = False) -> Sequence[AlertRule]:
    """Every rule (or the enabled ones)."""
    query = select(AlertRule).order_by(AlertRule.id)
    if enabled_only:
        query = query.where(AlertRule.enabled.is_(True))
    return session.scalars(query).all()


def alert_of(session: Session, *, rule_id: int, day: date) -> Alert | None:
    """The stored evaluation of a rule for a day, if any."""
    return session.scalars(select(Alert).where(Alert.rule_id == rule_id, Alert.day == day)).first()


def alerts(session: Session, *, status: str | None, limit: int, severity: str | None = None,
           outcome: str | None = None) -> Sequence[tuple[Alert, AlertRule, Metric]]:
    """Alerts newest first, with their rule and metric."""
    query = (select(Alert, AlertRule, Metric).join(AlertRule, AlertRule.id == Alert.rule_id)
             .join(Metric, Metric.id == AlertRule.metric_id).order_by(Alert.day.desc(), Alert.id.desc()))
    if status is not None:
        query = query.where(Alert.status == status)
    if severity is not None:
        query = query.where(Alert.severity == severity)
    if outcome is not None:
        query = query.where(Alert.outcome == outcome)
    return [(a, r, m) for a, r, m in session.execute(query.limit(limit)).all()]

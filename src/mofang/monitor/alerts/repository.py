"""Metric, rule and alert rows in the metadata database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mofang.monitor.alerts.models import Alert, AlertReadMark, AlertRule, Metric
from mofang.platform.governance.logic import Scope, in_subtree


def visible(scope: Scope, owner_org: str) -> bool:
    """Whether a definition owned by an org is visible in a scope (its subtree, or HQ's for everyone)."""
    return scope.kind == "all" or owner_org == "HQ" or in_subtree(owner_org, scope.org_code)


def sees_results(scope: Scope, owner_org: str) -> bool:
    """Whether a scope holds every customer a rule of `owner_org` is evaluated over (so its alerts' values may be
    shown): head office's bank-wide alerts are not a branch's to read."""
    return scope.kind == "all" or (scope.kind == "org" and in_subtree(owner_org, scope.org_code))


def editable(scope: Scope, owner_org: str) -> bool:
    """Whether a user may change a definition: their org owns it or lies above the owner (HQ edits everything)."""
    return scope.kind != "rm" and scope.allows_org(owner_org)


def metrics(session: Session) -> Sequence[Metric]:
    """Every metric."""
    return session.scalars(select(Metric).order_by(Metric.key)).all()


def rules(session: Session, *, enabled_only: bool = False) -> Sequence[AlertRule]:
    """Every rule (or the enabled ones on enabled metrics)."""
    query = select(AlertRule).order_by(AlertRule.id)
    if enabled_only:
        query = (query.join(Metric, Metric.id == AlertRule.metric_id)
                 .where(AlertRule.enabled.is_(True), Metric.enabled.is_not(False)))
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


def rules_of_metric(session: Session, metric_id: int) -> Sequence[AlertRule]:
    """The rules that watch a metric."""
    return session.scalars(select(AlertRule).where(AlertRule.metric_id == metric_id).order_by(AlertRule.id)).all()


def delete_rule(session: Session, rule: AlertRule) -> int:
    """Remove a rule with its alert history and read marks; returns how many alerts went with it."""
    ids = list(session.scalars(select(Alert.id).where(Alert.rule_id == rule.id)))
    if ids:
        session.execute(delete(AlertReadMark).where(AlertReadMark.alert_id.in_(ids)))
        session.execute(delete(Alert).where(Alert.id.in_(ids)))
    session.delete(rule)
    return len(ids)


def fired(session: Session, *, limit: int) -> Sequence[tuple[Alert, AlertRule, Metric]]:
    """Fired alerts newest first, with their rule and metric (what the console's bell lists)."""
    return alerts(session, status=None, limit=limit, outcome="fired")


def read_ids(session: Session, *, username: str, alert_ids: list[int]) -> set[int]:
    """Which of these alerts the user has marked read."""
    if not alert_ids:
        return set()
    return set(session.scalars(select(AlertReadMark.alert_id).where(
        AlertReadMark.username == username, AlertReadMark.alert_id.in_(alert_ids))))

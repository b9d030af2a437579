"""Metric library and alerts: define metrics and rules, evaluate them for a business day, notify, acknowledge."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from mofang.monitor.alerts import logic, notify
from mofang.monitor.alerts import repository as repo
from mofang.monitor.alerts.contracts import (
    AlertRead,
    EvaluationReport,
    MetricCreate,
    MetricDefinition,
    MetricRead,
    MetricValue,
    RuleCreate,
    RuleRead,
)
from mofang.monitor.alerts.models import Alert, AlertRule, Metric
from mofang.monitor.analytics import events
from mofang.monitor.analytics import repository as analytics_repo
from mofang.monitor.analytics.contracts import TrendsQuery
from mofang.monitor.analytics.filters import customer_set
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, NotFound
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.models import utcnow
from mofang.platform.storage.sql import Params

SMTP_KEY = "monitor.smtp"


def _metric_read(m: Metric) -> MetricRead:
    return MetricRead(id=m.id, key=m.key, name=m.name, definition=MetricDefinition(**m.definition),
                      owner_org=m.owner_org, created_by=m.created_by, created_at=m.created_at)


def _rule_read(r: AlertRule) -> RuleRead:
    return RuleRead(id=r.id, metric_id=r.metric_id, name=r.name, op=r.op, threshold=r.threshold,  # type: ignore[arg-type]
                    emails=list(r.emails or []), webhook_url=r.webhook_url, enabled=r.enabled,
                    owner_org=r.owner_org, created_by=r.created_by, created_at=r.created_at)


def _alert_read(a: Alert, r: AlertRule, m: Metric) -> AlertRead:
    return AlertRead(id=a.id, rule_id=r.id, rule_name=r.name, metric_key=m.key, day=a.day, value=a.value,
                     previous=a.previous, message=a.message, status=a.status,  # type: ignore[arg-type]
                     notifications=dict(a.notifications or {}), created_at=a.created_at,
                     acknowledged_by=a.acknowledged_by, acknowledged_at=a.acknowledged_at)


def _owner_scope(owner_org: str) -> Scope:
    """Scheduled evaluation sees what the owning org sees."""
    return Scope(kind="all") if owner_org == "HQ" else Scope(kind="org", org_code=owner_org)


def create_metric(*, platform: Platform, who: Principal, data: MetricCreate) -> MetricRead:
    """Add a metric owned by the user's org."""
    with platform.metadata.session() as s:
        m = Metric(key=data.key, name=data.name, definition=data.definition.model_dump(mode="json"),
                   owner_org=who.org_code, created_by=who.username)
        s.add(m)
        try:
            s.flush()
        except IntegrityError:
            raise Conflict(f"a metric with key '{data.key}' exists", field="key") from None
        return _metric_read(m)


def list_metrics(*, platform: Platform, who: Principal) -> list[MetricRead]:
    """Metrics the user may see."""
    with platform.metadata.session() as s:
        return [_metric_read(m) for m in repo.metrics(s) if repo.visible(who.scope, m.owner_org)]


def _value(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date, d1: date) -> float:
    """The metric's value over bank days d0..d1, within a scope."""
    q = TrendsQuery(date_from=d0, date_to=d1, customers=definition.customers, granularity="day",
                    series=[{"event": definition.event.event, "filters": definition.event.filters,
                             "measure": definition.measure, "property": definition.property}])
    params = Params()
    members = customer_set(params, scope=scope, customers=q.customers, sets=platform.extras.get("customer_sets"))
    rows = analytics_repo.rows(platform.store, events.build_series(q, 0, members=members, params=params), params)
    return float(next((r["value"] for r in rows if r["bucket"] is None and r["value"] is not None), 0.0))


def metric_value(*, platform: Platform, who: Principal, metric_id: int, day: date) -> MetricValue:
    """A metric's value for a business day (the window before it) and the window before that."""
    with platform.metadata.session() as s:
        m = s.get(Metric, metric_id)
        if m is None or not repo.visible(who.scope, m.owner_org):
            raise NotFound(f"metric {metric_id} not found")
        definition = MetricDefinition(**m.definition)
    cur, prev = logic.windows(day, definition.days)
    return MetricValue(metric_id=metric_id, day=day, value=_value(platform, definition, who.scope, *cur),
                       previous=_value(platform, definition, who.scope, *prev))


def create_rule(*, platform: Platform, who: Principal, data: RuleCreate) -> RuleRead:
    """Add an alert rule on a visible metric."""
    with platform.metadata.session() as s:
        m = s.get(Metric, data.metric_id)
        if m is None or not repo.visible(who.scope, m.owner_org):
            raise NotFound(f"metric {data.metric_id} not found", field="metric_id")
        r = AlertRule(**data.model_dump(), owner_org=who.org_code, created_by=who.username)
        s.add(r)
        s.flush()
        return _rule_read(r)


def list_rules(*, platform: Platform, who: Principal) -> list[RuleRead]:
    """Rules the user may see."""
    with platform.metadata.session() as s:
        return [_rule_read(r) for r in repo.rules(s) if repo.visible(who.scope, r.owner_org)]


def _smtp(platform: Platform) -> tuple[str, int, str]:
    """SMTP server and sender: platform.extras["monitor.smtp"] over settings (a local server by default)."""
    given: dict[str, Any] = platform.extras.get(SMTP_KEY, {})
    s = platform.settings
    host = given.get("host", s.smtp_host)
    port = int(given.get("port", s.smtp_port))
    return host, port, given.get("sender", s.smtp_from)


def _notify(platform: Platform, rule: AlertRule, alert: Alert, metric: Metric) -> dict[str, Any]:
    """Tell the rule's recipients; returns what happened per channel."""
    out: dict[str, Any] = {}
    if rule.emails:
        host, port, sender = _smtp(platform)
        err = notify.send_email(host=host, port=port, sender=sender, to=list(rule.emails), subject=alert.message,
                                body=f"{alert.message}\n\nmetric: {metric.name} ({metric.key})\nrule: {rule.name}\n")
        out["email"] = err or "sent"
    if rule.webhook_url:
        payload = {"alert_id": alert.id, "rule": rule.name, "metric": metric.key, "day": alert.day.isoformat(),
                   "value": alert.value, "previous": alert.previous, "message": alert.message}
        err = notify.post_webhook(url=rule.webhook_url, payload=payload)
        out["webhook"] = err or "sent"
    return out


def evaluate(*, platform: Platform, day: date) -> EvaluationReport:
    """Check every enabled rule for a business day; fire (once per rule and day) and notify."""
    with platform.metadata.session() as s:
        pending = [(r.id, r.metric_id, r.owner_org) for r in repo.rules(s, enabled_only=True)]
    fired: list[AlertRead] = []
    for rule_id, metric_id, owner in pending:
        with platform.metadata.session() as s:
            m = s.get(Metric, metric_id)
            assert m is not None
            definition = MetricDefinition(**m.definition)
        cur, prev = logic.windows(day, definition.days)
        scope = _owner_scope(owner)
        value, previous = (_value(platform, definition, scope, *cur), _value(platform, definition, scope, *prev))
        with platform.metadata.session() as s:
            r, m = s.get(AlertRule, rule_id), s.get(Metric, metric_id)
            assert r is not None and m is not None
            if not logic.fires(r.op, r.threshold, value, previous):
                continue
            text = logic.message(rule=r.name, metric=m.name, op=r.op, threshold=r.threshold, value=value,
                                 previous=previous, day=day)
            alert = Alert(rule_id=r.id, day=day, value=value, previous=previous, message=text, status="open",
                          notifications={})
            s.add(alert)
            try:
                s.flush()  # the unique (rule, day) makes a second evaluation of the same day a no-op
            except IntegrityError:
                s.rollback()
                continue
            alert_id = alert.id
        # Notify after the alert is committed: a crash here loses a notice, never duplicates an alert.
        with platform.metadata.session() as s:
            a, r, m = s.get(Alert, alert_id), s.get(AlertRule, rule_id), s.get(Metric, metric_id)
            assert a is not None and r is not None and m is not None
            a.notifications = _notify(platform, r, a, m)
            s.flush()
            fired.append(_alert_read(a, r, m))
    return EvaluationReport(day=day, evaluated=len(pending), fired=fired)


def list_alerts(*, platform: Platform, who: Principal, status: str | None, limit: int) -> list[AlertRead]:
    """Alert history the user may see, newest first."""
    with platform.metadata.session() as s:
        return [_alert_read(a, r, m) for a, r, m in repo.alerts(s, status=status, limit=limit)
                if repo.visible(who.scope, r.owner_org)]


def acknowledge(*, platform: Platform, who: Principal, alert_id: int) -> AlertRead:
    """Mark an alert acknowledged by the user (a second acknowledgement changes nothing)."""
    with platform.metadata.session() as s:
        a = s.get(Alert, alert_id)
        r = s.get(AlertRule, a.rule_id) if a is not None else None
        if a is None or r is None or not repo.visible(who.scope, r.owner_org):
            raise NotFound(f"alert {alert_id} not found")
        if a.status != "acknowledged":
            a.status, a.acknowledged_by, a.acknowledged_at = "acknowledged", who.username, utcnow()
            s.flush()
        m = s.get(Metric, r.metric_id)
        assert m is not None
        return _alert_read(a, r, m)

"""Changing the metric library: edit, disable and delete metrics and alert rules, each audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mofang.monitor.alerts import repository as repo
from mofang.monitor.alerts.contracts import (
    MetricRead,
    MetricUpdate,
    RuleCreate,
    RuleRead,
    RuleUpdate,
)
from mofang.monitor.alerts.models import AlertRule, Metric
from mofang.monitor.alerts.service import check_metric, check_webhook, metric_read, rule_condition, rule_read
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal


def _own_metric(s: Session, who: Principal, metric_id: int) -> Metric:
    """A metric the user may change (404 when not visible, 403 when only visible)."""
    m = s.get(Metric, metric_id)
    if m is None or not repo.visible(who.scope, m.owner_org):
        raise NotFound(f"metric {metric_id} not found", code="monitor.metric_not_found", params={"id": metric_id})
    if not repo.editable(who.scope, m.owner_org):
        raise Forbidden(f"metric '{m.name}' belongs to {m.owner_org}; only that org (or above) may change it",
                        code="monitor.not_owner", params={"name": m.name, "org": m.owner_org})
    return m


def _own_rule(s: Session, who: Principal, rule_id: int) -> AlertRule:
    """A rule the user may change (404 when not visible, 403 when only visible)."""
    r = s.get(AlertRule, rule_id)
    if r is None or not repo.visible(who.scope, r.owner_org):
        raise NotFound(f"alert rule {rule_id} not found", code="monitor.rule_not_found", params={"id": rule_id})
    if not repo.editable(who.scope, r.owner_org):
        raise Forbidden(f"rule '{r.name}' belongs to {r.owner_org}; only that org (or above) may change it",
                        code="monitor.not_owner", params={"name": r.name, "org": r.owner_org})
    return r


def update_metric(*, platform: Platform, who: Principal, metric_id: int, data: MetricUpdate) -> MetricRead:
    """Rename, redefine, disable or enable a metric (disabled: its rules are not evaluated)."""
    if data.definition is not None:
        check_metric(platform=platform, who=who, definition=data.definition)
    with platform.metadata.session() as s:
        m = _own_metric(s, who, metric_id)
        changed: dict[str, Any] = {}
        if data.name is not None and data.name != m.name:
            changed["name"] = [m.name, data.name]
            m.name = data.name
        if data.definition is not None:
            new = data.definition.model_dump(mode="json")
            if new != m.definition:
                changed["definition"] = "changed"
                m.definition = new
        if data.enabled is not None and data.enabled != (m.enabled is not False):
            changed["enabled"] = data.enabled
            m.enabled = data.enabled
        if changed:
            action = ("monitor.metric.disable" if changed == {"enabled": False}
                      else "monitor.metric.enable" if changed == {"enabled": True} else "monitor.metric.update")
            gov.record(session=s, username=who.username, action=action, target_type="metric",
                       target_id=str(m.id), detail={"name": m.name, "key": m.key, **changed})
        s.flush()
        return metric_read(m, who.scope)


def delete_metric(*, platform: Platform, who: Principal, metric_id: int) -> None:
    """Delete a metric no rule watches; while rules use it the answer is 409 naming them (delete or move them
    first: a rule silently losing its metric would stop alerting without anyone noticing)."""
    with platform.metadata.session() as s:
        m = _own_metric(s, who, metric_id)
        users = repo.rules_of_metric(s, m.id)
        if users:
            names = "、".join(r.name for r in users)
            raise Conflict(f"metric '{m.name}' is used by alert rule(s): {names}; delete or change them first",
                           code="monitor.metric_in_use", params={"name": m.name, "rules": names, "n": len(users)})
        gov.record(session=s, username=who.username, action="monitor.metric.delete", target_type="metric",
                   target_id=str(m.id), detail={"name": m.name, "key": m.key})
        s.delete(m)


def update_rule(*, platform: Platform, who: Principal, rule_id: int, data: RuleUpdate) -> RuleRead:
    """Change a rule's condition, severity, recipients or enabled state (its alert history stays)."""
    with platform.metadata.session() as s:
        r = _own_rule(s, who, rule_id)
        before = rule_read(r)
        given = data.model_dump(exclude_unset=True)
        if "op" in given and given["op"] != "anomaly" and "threshold" not in given and before.op == "anomaly":
            given["threshold"] = None  # the old k is no threshold: a new threshold op must say its own
        merged = RuleCreate(**{**before.model_dump(include=set(RuleCreate.model_fields)), **given})
        params, threshold = rule_condition(merged)
        if merged.webhook_url != r.webhook_url:
            check_webhook(platform=platform, session=s, url=merged.webhook_url)
        after = {"name": merged.name, "op": merged.op, "threshold": threshold, "params": params,
                 "severity": merged.severity, "emails": list(merged.emails), "webhook_url": merged.webhook_url,
                 "enabled": merged.enabled}
        changed = {k: v for k, v in after.items() if getattr(r, k) != v}
        for k, v in changed.items():
            setattr(r, k, v)
        if changed:
            action = ("monitor.rule.disable" if changed == {"enabled": False}
                      else "monitor.rule.enable" if changed == {"enabled": True} else "monitor.rule.update")
            gov.record(session=s, username=who.username, action=action, target_type="alert_rule",
                       target_id=str(r.id), detail={"name": r.name, "changed": sorted(changed)})
        s.flush()
        return rule_read(r, who.scope)


def delete_rule(*, platform: Platform, who: Principal, rule_id: int) -> None:
    """Delete a rule together with its alert history (the audit entry keeps its name and how many alerts went)."""
    with platform.metadata.session() as s:
        r = _own_rule(s, who, rule_id)
        name = r.name
        removed = repo.delete_rule(s, r)
        gov.record(session=s, username=who.username, action="monitor.rule.delete", target_type="alert_rule",
                   target_id=str(rule_id), detail={"name": name, "alerts": removed})

"""Metric library and alerts: define metrics and rules, evaluate them for a business day, notify, acknowledge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.monitor import effects
from mofang.monitor.alerts import attribute, logic, notify
from mofang.monitor.alerts import repository as repo
from mofang.monitor.alerts.contracts import (
    AlertRead,
    AnomalyDetails,
    AnomalyParams,
    EvaluationReport,
    MetricCreate,
    MetricDefinition,
    MetricGroup,
    MetricPoint,
    MetricRead,
    MetricTrend,
    MetricValue,
    RuleCreate,
    RuleRead,
)
from mofang.monitor.alerts.models import Alert, AlertRule, Metric
from mofang.monitor.analytics import events, masking
from mofang.monitor.analytics import repository as analytics_repo
from mofang.monitor.analytics.contracts import GroupBy, TrendsQuery
from mofang.monitor.analytics.filters import customer_set
from mofang.platform import outbound
from mofang.platform.context import Platform, now_of
from mofang.platform.errors import Conflict, Invalid, MofangError, NotFound
from mofang.platform.governance import allow_list
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.models import utcnow
from mofang.platform.storage.sql import Params

SMTP_KEY = "monitor.smtp"
log = logging.getLogger(__name__)


def metric_read(m: Metric, scope: Scope | None = None) -> MetricRead:
    return MetricRead(id=m.id, key=m.key, name=m.name, definition=MetricDefinition(**m.definition),
                      enabled=m.enabled is not False, editable=scope is not None and repo.editable(scope, m.owner_org),
                      owner_org=m.owner_org, created_by=m.created_by, created_at=m.created_at)


def _params(r: AlertRule) -> AnomalyParams | None:
    """An anomaly rule's parameters (None for the threshold ops)."""
    return AnomalyParams(**(r.params or {})) if r.op == "anomaly" else None


def rule_read(r: AlertRule, scope: Scope | None = None) -> RuleRead:
    anomaly = _params(r)
    return RuleRead(id=r.id, metric_id=r.metric_id, name=r.name, op=r.op,  # type: ignore[arg-type]
                    threshold=None if anomaly else r.threshold, anomaly=anomaly,
                    severity=r.severity, emails=list(r.emails or []), webhook_url=r.webhook_url,  # type: ignore[arg-type]
                    enabled=r.enabled, editable=scope is not None and repo.editable(scope, r.owner_org),
                    owner_org=r.owner_org, created_by=r.created_by, created_at=r.created_at,
                    last_error=r.last_error, last_error_at=r.last_error_at)


def alert_read(a: Alert, r: AlertRule, m: Metric) -> AlertRead:
    return AlertRead(id=a.id, rule_id=r.id, rule_name=r.name, metric_key=m.key, day=a.day, value=a.value,
                     previous=a.previous, message=a.message, severity=a.severity,  # type: ignore[arg-type]
                     outcome=a.outcome, anomaly=AnomalyDetails(**a.details) if a.details else None,  # type: ignore[arg-type]
                     status=a.status, notifications=dict(a.notifications or {}),  # type: ignore[arg-type]
                     created_at=a.created_at, acknowledged_by=a.acknowledged_by, acknowledged_at=a.acknowledged_at)


def _owner_scope(owner_org: str) -> Scope:
    """Scheduled evaluation sees what the owning org sees."""
    return Scope(kind="all") if owner_org == "HQ" else Scope(kind="org", org_code=owner_org)


def check_definition(d: MetricDefinition) -> None:
    """What the model cannot say per field: which parts each source needs, and the dimensions it allows."""
    if d.source == "event" and d.event is None:
        raise Invalid("an event metric needs an event", field="definition.event")
    if d.source == "effect":
        if d.effect is None:
            raise Invalid("an effect metric needs campaign_roi or incremental_aum", field="definition.effect")
        if not d.strategy_ids or any(i < 1 for i in d.strategy_ids):
            raise Invalid("an effect metric needs the strategies it measures", field="definition.strategy_ids")
        if d.dimensions:
            raise Invalid("an effect metric has no dimensions", field="definition.dimensions")
    if d.source == "attribute":
        if d.event is not None:
            raise Invalid("an attribute metric measures customers, not an event", field="definition.event")
        if d.attribute_measure != "customers" and d.attribute is None:
            raise Invalid(f"attribute measure '{d.attribute_measure}' needs a numeric attribute (aum or age)",
                          field="definition.attribute")
        for i, dim in enumerate(d.dimensions):
            if dim.kind != "attribute":
                raise Invalid("an attribute metric breaks down by customer attributes only",
                              field=f"definition.dimensions[{i}].kind")
    seen = [(dim.kind, dim.name) for dim in d.dimensions]
    if len(set(seen)) != len(seen):
        raise Invalid("a dimension is listed twice", field="definition.dimensions")


def check_metric(*, platform: Platform, who: Principal, definition: MetricDefinition) -> None:
    """A definition's shape, and the segments and tags it filters on exist and are visible now (not failing the
    daily job later)."""
    check_definition(definition)
    customer_set(Params(), scope=who.scope, customers=definition.customers, sets=platform.extras.get("customer_sets"))


def create_metric(*, platform: Platform, who: Principal, data: MetricCreate) -> MetricRead:
    """Add a metric owned by the user's org."""
    check_metric(platform=platform, who=who, definition=data.definition)
    with platform.metadata.session() as s:
        m = Metric(key=data.key, name=data.name, definition=data.definition.model_dump(mode="json"),
                   owner_org=who.org_code, created_by=who.username)
        s.add(m)
        try:
            s.flush()
        except IntegrityError:
            raise Conflict(f"a metric with key '{data.key}' exists", field="key") from None
        gov.record(session=s, username=who.username, action="monitor.metric.create", target_type="metric",
                   target_id=str(m.id), detail={"name": m.name, "key": m.key})
        return metric_read(m, who.scope)


def list_metrics(*, platform: Platform, who: Principal) -> list[MetricRead]:
    """Metrics the user may see."""
    with platform.metadata.session() as s:
        return [metric_read(m, who.scope) for m in repo.metrics(s) if repo.visible(who.scope, m.owner_org)]


def _value(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date, d1: date) -> float:
    """The metric's value over bank days d0..d1, within a scope (0 when nothing was recorded)."""
    if definition.source == "effect":
        return _effect_value(platform, definition, scope, d0, d1) or 0.0
    if definition.source == "attribute":
        return attribute.value(platform.store, definition, scope=scope, day=d1,
                               sets=platform.extras.get("customer_sets"))
    value = _value_or_none(platform, definition, scope, d0, d1)
    return 0.0 if value is None else value


def _effect_value(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date, d1: date,
                  ) -> float | None:
    """ROI or incremental AUM of the customers who entered the strategies in d0..d1 (None: no holdout or cost)."""
    try:
        eff = effects.strategy_effect(platform=platform, scope=scope, strategy_ids=definition.strategy_ids,
                                      campaign_id=definition.campaign_id, date_from=d0, date_to=d1,
                                      window_days=definition.aum_window_days, n_resamples=200,
                                      now=now_of(platform))
    except NotFound:
        return None  # not published yet: nothing to measure
    return eff.roi.roi if definition.effect == "campaign_roi" else eff.aum.incremental_aum


def _event_rows(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date, d1: date,
                group_by: GroupBy | None = None) -> list[dict[str, Any]]:
    """Whole-window rows (grp, value) of an event metric."""
    assert definition.event is not None  # checked when the metric was created
    q = TrendsQuery(date_from=d0, date_to=d1, customers=definition.customers, granularity="day", group_by=group_by,
                    series=[{"event": definition.event.event, "filters": definition.event.filters,
                             "measure": definition.measure, "property": definition.property}])
    q = masking.stored_filters(platform.settings.pii_policy(), q)
    params = Params()
    members = customer_set(params, scope=scope, customers=q.customers, sets=platform.extras.get("customer_sets"))
    rows = analytics_repo.rows(platform.store, events.build_series(q, 0, members=members, params=params), params)
    return [r for r in rows if r["bucket"] is None]


def _value_or_none(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date,
                   d1: date) -> float | None:
    """The metric's value over bank days d0..d1, or None when no matching event was recorded there (for an
    attribute metric: when no AUM snapshot at all was taken on the window's last day)."""
    if definition.source == "effect":
        return _effect_value(platform, definition, scope, d0, d1)
    if definition.source == "attribute":
        if not attribute.has_snapshots(platform.store, d1):
            return None
        return _value(platform, definition, scope, d0, d1)
    rows = _event_rows(platform, definition, scope, d0, d1)
    value = next((r["value"] for r in rows if r["value"] is not None), None)
    return None if value is None else float(value)


def _group_values(platform: Platform, definition: MetricDefinition, scope: Scope, d0: date, d1: date,
                  dim: GroupBy) -> dict[str | None, float]:
    """The metric per group of a dimension over bank days d0..d1."""
    if definition.source == "attribute":
        rows = attribute.rows(platform.store, definition, scope=scope, day=d1,
                              sets=platform.extras.get("customer_sets"), dimension=dim)
    else:
        rows = _event_rows(platform, definition, scope, d0, d1, group_by=dim)
    policy = platform.settings.pii_policy()
    out: dict[str | None, float] = {}
    for r in rows:
        # Events stored in clear by an older version are masked here; their groups may then coincide.
        label = masking.group_label(policy, dim, None if r["grp"] is None else str(r["grp"]))
        out[label] = out.get(label, 0.0) + float(r["value"] or 0)
    return out


def metric_value(*, platform: Platform, who: Principal, metric_id: int, day: date,
                 dimension: int | None = None) -> MetricValue:
    """A metric's value for a business day (the window before it) and the window before that; with a
    dimension (an index into the metric's dimensions), also the top groups by value."""
    with platform.metadata.session() as s:
        m = s.get(Metric, metric_id)
        if m is None or not repo.visible(who.scope, m.owner_org):
            raise NotFound(f"metric {metric_id} not found")
        definition = MetricDefinition(**m.definition)
    if dimension is not None and not 0 <= dimension < len(definition.dimensions):
        raise Invalid(f"the metric has {len(definition.dimensions)} dimension(s); no dimension {dimension}",
                      field="dimension")
    cur, prev = logic.windows(day, definition.days)
    out = MetricValue(metric_id=metric_id, day=day, value=_value(platform, definition, who.scope, *cur),
                      previous=_value(platform, definition, who.scope, *prev))
    if dimension is None:
        return out
    dim = definition.dimensions[dimension].model_copy(update={"limit": logic.TOP_GROUPS})
    now = _group_values(platform, definition, who.scope, *cur, dim)
    before = _group_values(platform, definition, who.scope, *prev, dim)
    out.dimension = dim
    out.groups = [MetricGroup(group=g, value=v, previous=before.get(g, 0.0)) for g, v in logic.top_groups(now)]
    return out


def check_webhook(*, platform: Platform, session: Session, url: str | None) -> None:
    """Refuse a webhook that points into the bank's own network or the cloud's metadata (422 naming it)."""
    if url is None:
        return
    allowed = allow_list.outbound_allow_hosts(session=session, settings=platform.settings)
    problem = outbound.check_url(url, allow_hosts=allowed)
    if problem is not None:
        raise Invalid(f"the webhook address is refused: {problem}; an administrator can allow-list the host",
                      field="webhook_url", code="webhook_url_refused", params={"reason": problem})


def rule_condition(data: RuleCreate) -> tuple[dict[str, Any] | None, float]:
    """The stored (params, threshold) of a rule's condition; a threshold op without a threshold is refused."""
    if data.op == "anomaly":
        params = (data.anomaly or AnomalyParams()).model_dump(mode="json")
        return params, params["k"]  # the column is NOT NULL; params stays the source of truth
    if data.threshold is None:
        raise Invalid(f"a threshold is required for op '{data.op}'", field="threshold")
    return None, data.threshold


def metric_trend(*, platform: Platform, who: Principal, metric_id: int, day: date, days: int) -> MetricTrend:
    """The metric's value for each of the `days` business days ending `day` (each the window before that day)."""
    with platform.metadata.session() as s:
        m = s.get(Metric, metric_id)
        if m is None or not repo.visible(who.scope, m.owner_org):
            raise NotFound(f"metric {metric_id} not found", code="monitor.metric_not_found", params={"id": metric_id})
        definition = MetricDefinition(**m.definition)
    points = []
    for i in range(days - 1, -1, -1):
        d = day - timedelta(days=i)
        cur, _ = logic.windows(d, definition.days)
        points.append(MetricPoint(day=d, value=_value(platform, definition, who.scope, *cur)))
    return MetricTrend(metric_id=metric_id, points=points)


def create_rule(*, platform: Platform, who: Principal, data: RuleCreate) -> RuleRead:
    """Add an alert rule on a visible metric."""
    with platform.metadata.session() as s:
        check_webhook(platform=platform, session=s, url=data.webhook_url)
        m = s.get(Metric, data.metric_id)
        if m is None or not repo.visible(who.scope, m.owner_org):
            raise NotFound(f"metric {data.metric_id} not found", field="metric_id")
        params, threshold = rule_condition(data)
        r = AlertRule(metric_id=data.metric_id, name=data.name, op=data.op, threshold=threshold, params=params,
                      severity=data.severity, emails=data.emails, webhook_url=data.webhook_url, enabled=data.enabled,
                      owner_org=who.org_code, created_by=who.username)
        s.add(r)
        s.flush()
        gov.record(session=s, username=who.username, action="monitor.rule.create", target_type="alert_rule",
                   target_id=str(r.id), detail={"name": r.name, "op": r.op, "severity": r.severity})
        return rule_read(r, who.scope)


def list_rules(*, platform: Platform, who: Principal) -> list[RuleRead]:
    """Rules the user may see."""
    with platform.metadata.session() as s:
        return [rule_read(r, who.scope) for r in repo.rules(s) if repo.visible(who.scope, r.owner_org)]


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
        body = (f"{alert.message}\n\n级别 severity: {logic.SEVERITY_TEXT[alert.severity]} ({alert.severity})\n"
                f"指标 metric: {metric.name} ({metric.key})\n规则 rule: {rule.name}\n")
        err = notify.send_email(host=host, port=port, sender=sender, to=list(rule.emails),
                                subject=logic.subject(alert.severity, alert.message), body=body)
        out["email"] = err or "sent"
    if rule.webhook_url:
        payload = {"alert_id": alert.id, "rule": rule.name, "metric": metric.key, "day": alert.day.isoformat(),
                   "severity": alert.severity, "value": alert.value, "previous": alert.previous,
                   "message": alert.message}
        if alert.details:
            payload["anomaly"] = alert.details
        with platform.metadata.session() as s:
            allowed = allow_list.outbound_allow_hosts(session=s, settings=platform.settings)
        out["webhook"] = notify.post_webhook(url=rule.webhook_url, payload=payload, allow_hosts=allowed,
                                             timeout=platform.settings.outbound_timeout_seconds)
    return out


@dataclass(frozen=True)
class _Verdict:
    """What one rule says about one day, before anything is stored."""

    outcome: str  # "fired", "quiet" or "insufficient_baseline"
    value: float
    previous: float
    message: str = ""
    details: dict[str, Any] | None = None


def _judge(platform: Platform, r: AlertRule, m: Metric, day: date) -> _Verdict:
    """Measure the rule's metric for the day (within the owning org's view) and decide."""
    definition, scope = MetricDefinition(**m.definition), _owner_scope(r.owner_org)
    cur, prev = logic.windows(day, definition.days)
    value = _value(platform, definition, scope, *cur)
    params = _params(r)
    if params is None:
        previous = _value(platform, definition, scope, *prev)
        if not logic.fires(r.op, r.threshold, value, previous):
            return _Verdict("quiet", value, previous)
        return _Verdict("fired", value, previous, logic.message(
            rule=r.name, metric=m.name, op=r.op, threshold=r.threshold, value=value, previous=previous, day=day))
    # The same window shifted back 1..7 days; a window without any matching event is a day without data.
    baseline = [_value_or_none(platform, definition, scope, cur[0] - timedelta(days=i), cur[1] - timedelta(days=i))
                for i in range(1, logic.BASELINE_DAYS + 1)]
    a = logic.anomaly(value, baseline, k=params.k, direction=params.direction, min_change_pct=params.min_change_pct)
    details = AnomalyDetails(measured_day=cur[1], baseline_days=a.baseline_days, mean=a.mean, sigma=a.sigma, z=a.z,
                             change_pct=a.change_pct, **params.model_dump()).model_dump(mode="json")
    text = logic.anomaly_message(rule=r.name, metric=m.name, value=value, a=a, measured=cur[1])
    return _Verdict(a.outcome, value, a.mean or 0.0, text, details)


def _record(platform: Platform, rule_id: int, day: date, v: _Verdict) -> int | None:
    """Store a verdict worth keeping; returns the id of a newly fired alert to notify, else None.

    A (rule, day) is stored once: re-running a day never fires twice. Only a kept "insufficient baseline"
    gives way, when late data makes the baseline complete (it is then replaced by the real verdict).
    """
    with platform.metadata.session() as s:
        old = repo.alert_of(s, rule_id=rule_id, day=day)
        if old is not None and (old.outcome == "fired" or v.outcome == old.outcome):
            return None
        if v.outcome == "quiet":
            if old is not None:
                s.delete(old)
            return None
        r = s.get(AlertRule, rule_id)
        assert r is not None
        a = old or Alert(rule_id=rule_id, day=day, notifications={})
        a.value, a.previous, a.message, a.details = v.value, v.previous, v.message, v.details
        a.severity, a.outcome = r.severity, v.outcome
        a.status = "open" if v.outcome == "fired" else "none"
        s.add(a)
        try:
            s.flush()  # the unique (rule, day) makes a concurrent evaluation of the same day a no-op
        except IntegrityError:
            s.rollback()
            return None
        return a.id if v.outcome == "fired" else None


def evaluate(*, platform: Platform, day: date) -> EvaluationReport:
    """Check every enabled rule for a business day; fire (once per rule and day) and notify."""
    with platform.metadata.session() as s:
        pending = [(r.id, r.metric_id) for r in repo.rules(s, enabled_only=True)]
    fired: list[AlertRead] = []
    recorded: list[AlertRead] = []
    failed: dict[int, str] = {}
    for rule_id, metric_id in pending:
        with platform.metadata.session() as s:
            r, m = s.get(AlertRule, rule_id), s.get(Metric, metric_id)
            assert r is not None and m is not None
            s.expunge_all()  # measuring takes a while; don't hold the metadata transaction open meanwhile
        # One user's rule must never stop the bank-wide check: a rule that cannot be judged records why
        # (on the rule, for its owner to see) and the others are still judged.
        try:
            verdict = _judge(platform, r, m, day)
            alert_id = _record(platform, rule_id, day, verdict)
        except Exception as exc:
            log.exception("alert rule %s could not be evaluated for %s", rule_id, day)
            failed[rule_id] = _note_error(platform, rule_id, exc)
            continue
        if r.last_error is not None:
            _note_error(platform, rule_id, None)
        if verdict.outcome == "insufficient_baseline":
            with platform.metadata.session() as s:
                kept = repo.alert_of(s, rule_id=rule_id, day=day)
                if kept is not None and kept.outcome == "insufficient_baseline":
                    recorded.append(alert_read(kept, r, m))
        if alert_id is None:
            continue
        # Notify after the alert is committed: a crash here loses a notice, never duplicates an alert.
        with platform.metadata.session() as s:
            a, r, m = s.get(Alert, alert_id), s.get(AlertRule, rule_id), s.get(Metric, metric_id)
            assert a is not None and r is not None and m is not None
            a.notifications = _notify(platform, r, a, m)
            s.flush()
            fired.append(alert_read(a, r, m))
    return EvaluationReport(day=day, evaluated=len(pending), fired=fired, recorded=recorded, failed=failed)


def _note_error(platform: Platform, rule_id: int, exc: Exception | None) -> str:
    """Keep (or clear, with None) why a rule could not be judged; returns the text kept."""
    text = "" if exc is None else (exc.message if isinstance(exc, MofangError) else f"{type(exc).__name__}: {exc}")
    with platform.metadata.session() as s:
        r = s.get(AlertRule, rule_id)
        if r is not None:
            r.last_error, r.last_error_at = (text[:2000], utcnow()) if exc is not None else (None, None)
    return text


def list_alerts(*, platform: Platform, who: Principal, status: str | None, limit: int,
                severity: str | None = None, outcome: str | None = None) -> list[AlertRead]:
    """Alert history the user may see, newest first."""
    with platform.metadata.session() as s:
        return [alert_read(a, r, m)
                for a, r, m in repo.alerts(s, status=status, severity=severity, outcome=outcome, limit=limit)
                if repo.sees_results(who.scope, r.owner_org)]


def acknowledge(*, platform: Platform, who: Principal, alert_id: int) -> AlertRead:
    """Mark an alert acknowledged by the user (a second acknowledgement changes nothing)."""
    with platform.metadata.session() as s:
        a = s.get(Alert, alert_id)
        r = s.get(AlertRule, a.rule_id) if a is not None else None
        if a is None or r is None or not repo.sees_results(who.scope, r.owner_org):
            raise NotFound(f"alert {alert_id} not found")
        if a.status == "none":
            raise Conflict(f"alert {alert_id} records an evaluation that did not fire: nothing to acknowledge")
        if a.status != "acknowledged":
            a.status, a.acknowledged_by, a.acknowledged_at = "acknowledged", who.username, utcnow()
            gov.record(session=s, username=who.username, action="monitor.alert.ack", target_type="alert",
                       target_id=str(a.id), detail={"name": r.name, "rule_id": r.id, "day": a.day.isoformat()})
            s.flush()
        m = s.get(Metric, r.metric_id)
        assert m is not None
        return alert_read(a, r, m)

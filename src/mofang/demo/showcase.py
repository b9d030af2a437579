"""After a new demo bank is generated: the objects a first visit should find (see `showcase_specs`).

Everything goes through each module's service functions as the demo user who would have made it, so it is
validated, scoped and audited like console work. Each object is looked up by name (or key) first: running the
showcase again creates only what is missing and never duplicates anything.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from mofang.demo import showcase_specs as spec
from mofang.demo.showcase_content import prepare_templates
from mofang.insight.segments import service as segments
from mofang.insight.segments import sets
from mofang.insight.segments.contracts import SegmentCreate, SegmentSetCreate, ShareRequest
from mofang.monitor.alerts import service as alerts
from mofang.monitor.alerts.contracts import MetricCreate, RuleCreate
from mofang.monitor.dashboards import service as dashboards
from mofang.monitor.dashboards.contracts import DashboardWrite, ItemCreate, SavedAnalysisCreate
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal


def _principals(session: Session) -> dict[str, Principal]:
    """The active demo users by login name."""
    out = {}
    for u in gov.list_users(session=session):
        who = gov.principal(session=session, user_id=u.id)
        if who is not None:
            out[u.username] = who
    return out


def prepare_showcase(*, platform: Platform, end: date) -> list[str]:
    """Create the showcase objects missing from the bank ending `end`; returns lines to print."""
    with platform.metadata.session() as session:
        users = _principals(session)
    needed = {s.owner for s in spec.SEGMENTS} | {spec.SET_OWNER, spec.METRICS_OWNER, spec.DASHBOARD_OWNER}
    missing = sorted(needed - set(users))
    if missing:
        return [f"showcase skipped: demo users {', '.join(missing)} are missing or inactive"]
    lines: list[str] = []
    try:
        segment_ids = _segments(platform, users)
        lines.append(_snapshots(platform, users, segment_ids, end))
        lines.append(_segment_set(platform, users, segment_ids))
        lines.append(_dashboard(platform, users))
        lines.append(prepare_templates(platform=platform, users=users))
    except MofangError as exc:  # e.g. a default tag disabled in an old data dir: the bank itself is still fine
        lines.append(f"showcase incomplete: {exc.message}")
    return [line for line in lines if line]


def _segments(platform: Platform, users: dict[str, Principal]) -> dict[str, int]:
    """The showcase segments by name (created where missing)."""
    ids: dict[str, int] = {}
    with platform.metadata.session() as session:
        for s in spec.SEGMENTS:
            who = users[s.owner]
            existing = next((x for x in segments.list_segments(platform=platform, session=session, who=who).items
                             if x.name == s.name and x.owner_org == who.org_code), None)
            if existing is None:
                data = SegmentCreate.model_validate(
                    {"name": s.name, "description": s.description, "kind": "dynamic", "definition": s.definition})
                existing = segments.create(platform=platform, session=session, who=who, data=data)
            ids[s.name] = existing.id
    return ids


def snapshot_days(end: date) -> list[date]:
    """Weekly days back from `end` (oldest first, so the last one evaluated leaves today's count)."""
    return [end - timedelta(days=7 * w) for w in range(spec.SNAPSHOT_WEEKS, -1, -1)]


def _snapshots(platform: Platform, users: dict[str, Principal], ids: dict[str, int], end: date) -> str:
    """Run the daily segment job for the weekly days some showcase segment has no snapshot of."""
    owners = {s.name: users[s.owner] for s in spec.SEGMENTS}
    with platform.metadata.session() as session:
        have = [{s.day for s in segments.snapshots(platform=platform, session=session, who=owners[name],
                                                   segment_id=sid)}
                for name, sid in ids.items()]
    todo = [d for d in snapshot_days(end) if any(d not in days for days in have)]
    sizes: dict[int, int] = {}
    for day in todo:
        sizes = segments.evaluate_dynamic(platform=platform, day=day)
    if not todo:
        return ""
    counts = ", ".join(f"{name} {sizes.get(sid, 0):,}" for name, sid in ids.items())
    return f"showcase segments snapshotted on {len(todo)} days up to {todo[-1]}: {counts}"


def _segment_set(platform: Platform, users: dict[str, Principal], ids: dict[str, int]) -> str:
    """The shared segment set, shared with the branches named and referenced by one of them."""
    owner, receiver = users[spec.SET_OWNER], users.get(spec.SET_REFERENCED_BY)
    with platform.metadata.session() as session:
        row = next((x for x in sets.list_sets(platform=platform, session=session, who=owner)
                    if x.name == spec.SET_NAME and x.owned), None)
        if row is not None:
            return ""
        row = sets.create(platform=platform, session=session, who=owner, data=SegmentSetCreate(
            name=spec.SET_NAME, strategy=spec.SET_STRATEGY, segment_ids=[ids[n] for n in spec.SET_SEGMENTS]))
        sets.share(platform=platform, session=session, who=owner, set_id=row.id,
                   data=ShareRequest(org_codes=list(spec.SET_SHARED_WITH)))
        if receiver is not None:
            sets.reference(platform=platform, session=session, who=receiver, set_id=row.id, on=True)
    return f"showcase segment set '{spec.SET_NAME}' shared with {', '.join(spec.SET_SHARED_WITH)}"


def prepare_monitoring(*, platform: Platform, end: date) -> list[str]:
    """Metrics and alert rules, evaluated over recent days: run last, once every event of those days is in."""
    with platform.metadata.session() as session:
        users = _principals(session)
    if spec.METRICS_OWNER not in users:
        return [f"showcase monitoring skipped: demo user {spec.METRICS_OWNER} is missing or inactive"]
    try:
        line = _monitoring(platform, users, end)
    except MofangError as exc:
        return [f"showcase monitoring incomplete: {exc.message}"]
    return [line] if line else []


def _monitoring(platform: Platform, users: dict[str, Principal], end: date) -> str:
    """Metrics and alert rules; a new rule is evaluated over recent days so the alert list has real history."""
    who = users[spec.METRICS_OWNER]
    metrics = {m.key: m for m in alerts.list_metrics(platform=platform, who=who)}
    for m in spec.METRICS:
        if m.key not in metrics:
            metrics[m.key] = alerts.create_metric(platform=platform, who=who, data=MetricCreate.model_validate(
                {"key": m.key, "name": m.name, "definition": m.definition}))
    rules = {(r.metric_id, r.name) for r in alerts.list_rules(platform=platform, who=who)}
    created = 0
    for r in spec.RULES:
        metric_id = metrics[r.metric_key].id
        if (metric_id, r.name) in rules:
            continue
        alerts.create_rule(platform=platform, who=who, data=RuleCreate.model_validate(
            {"metric_id": metric_id, "name": r.name, "op": r.op, "threshold": r.threshold, "anomaly": r.anomaly,
             "severity": r.severity}))
        created += 1
    if not created:
        return ""
    # Only after creating rules: evaluating is idempotent per rule and day, but costs a scan per day.
    fired = 0
    for back in range(spec.ALERT_HISTORY_DAYS - 1, -1, -1):
        fired += len(alerts.evaluate(platform=platform, day=end - timedelta(days=back)).fired)
    return (f"showcase metrics {len(spec.METRICS)}, alert rules {created}: evaluated "
            f"{spec.ALERT_HISTORY_DAYS} days, {fired} alerts fired")


def _dashboard(platform: Platform, users: dict[str, Principal]) -> str:
    """The shared dashboard with its saved analyses pinned in order."""
    who = users[spec.DASHBOARD_OWNER]
    saved = {a.name: a.id for a in dashboards.list_analyses(platform=platform, who=who) if a.owner == who.username}
    for a in spec.ANALYSES:
        if a.name not in saved:
            data = SavedAnalysisCreate.model_validate(
                {"name": a.name, "description": a.description, "model": a.model, "query": a.query,
                 "range": {"kind": "last_days", "days": a.days}, "shared": True})
            saved[a.name] = dashboards.create_analysis(platform=platform, who=who, data=data).id
    board = next((d for d in dashboards.list_dashboards(platform=platform, who=who)
                  if d.name == spec.DASHBOARD_NAME and d.owner == who.username), None)
    if board is None:
        board = dashboards.create_dashboard(platform=platform, who=who, data=DashboardWrite(
            name=spec.DASHBOARD_NAME, description=spec.DASHBOARD_DESCRIPTION, shared=True))
    pinned = {i.analysis_id for i in board.items}
    added = 0
    for a in spec.ANALYSES:
        if saved[a.name] not in pinned:
            dashboards.add_item(platform=platform, who=who, dashboard_id=board.id,
                                data=ItemCreate.model_validate({"analysis_id": saved[a.name], "size": a.size}))
            added += 1
    return f"showcase dashboard '{spec.DASHBOARD_NAME}': {added} analyses pinned" if added else ""


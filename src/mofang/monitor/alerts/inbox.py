"""The console's alert bell: fired alerts a user may see, and which of them that user has read.

An alert carries its metric's value over the rule owner's customers, so the bell shows the alerts whose values
the user may read (`sees_results`, as the alert list does), not every rule whose definition is visible: head
office's bank-wide alerts are not a branch's to read."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from mofang.monitor.alerts import repository as repo
from mofang.monitor.alerts.contracts import Inbox, InboxAlert
from mofang.monitor.alerts.models import Alert, AlertReadMark, AlertRule
from mofang.monitor.alerts.service import alert_read
from mofang.platform.context import Platform
from mofang.platform.errors import NotFound
from mofang.platform.governance.contracts import Principal

SCAN = 500  # the newest fired alerts the bell counts (older ones are history, in the alert list)


def inbox(*, platform: Platform, who: Principal, limit: int) -> Inbox:
    """How many visible fired alerts the user has not read, and the newest `limit` of them (read or not)."""
    with platform.metadata.session() as s:
        rows = [(a, r, m) for a, r, m in repo.fired(s, limit=SCAN) if repo.sees_results(who.scope, r.owner_org)]
        read = repo.read_ids(s, username=who.username, alert_ids=[a.id for a, _, _ in rows])
        items = [InboxAlert(**alert_read(a, r, m).model_dump(), read=a.id in read) for a, r, m in rows[:limit]]
        return Inbox(unread=sum(1 for a, _, _ in rows if a.id not in read), items=items)


def mark_read(*, platform: Platform, who: Principal, alert_id: int) -> None:
    """Mark one alert read for the user (again: nothing changes)."""
    with platform.metadata.session() as s:
        a = s.get(Alert, alert_id)
        r = s.get(AlertRule, a.rule_id) if a is not None else None
        if a is None or r is None or not repo.sees_results(who.scope, r.owner_org):
            raise NotFound(f"alert {alert_id} not found", code="monitor.alert_not_found", params={"id": alert_id})
        if not repo.read_ids(s, username=who.username, alert_ids=[alert_id]):
            s.add(AlertReadMark(alert_id=alert_id, username=who.username))
            try:
                s.flush()
            except IntegrityError:  # a second tab marked it at the same moment
                s.rollback()


def mark_all_read(*, platform: Platform, who: Principal) -> int:
    """Mark every visible fired alert read for the user; returns how many were unread."""
    with platform.metadata.session() as s:
        ids = [a.id for a, r, _ in repo.fired(s, limit=SCAN) if repo.sees_results(who.scope, r.owner_org)]
        unread = [i for i in ids if i not in repo.read_ids(s, username=who.username, alert_ids=ids)]
        s.add_all(AlertReadMark(alert_id=i, username=who.username) for i in unread)
        s.flush()
        return len(unread)

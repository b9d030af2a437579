"""客户经理任务 inbox: an RM sees the tasks of their own customers; the branch sees overdue ones; outcomes → events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, Invalid, NotFound
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.service import record
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.events import flush_events, queue_event
from mofang.reach.delivery.receipts import record_engagement
from mofang.reach.models import RmTask

Outcome = Literal["reached", "not_reached", "interested", "declined"]
# An outcome that means the customer was reached counts as delivered (and interest as a reply).
_RECEIPTS = {"reached": "delivered", "interested": "replied", "declined": "delivered"}


class RmTaskRead(BaseModel):
    """A task as the RM's console shows it (the customer's facts masked)."""

    id: int
    customer_id: str
    rm_id: str | None
    title: str | None
    script: str
    facts: dict[str, Any]
    due_at: datetime | None
    overdue: bool
    outcome: str | None
    note: str | None
    outcome_at: datetime | None
    created_at: datetime


class RmTaskPage(BaseModel):
    """A page of tasks and how many are overdue."""

    items: list[RmTaskRead]
    total: int
    overdue: int


class OutcomeIn(BaseModel):
    """What came of a task."""

    outcome: Outcome
    note: str | None = Field(default=None, max_length=500)


def _scoped(q: Select[Any], scope: Scope) -> Select[Any]:
    if scope.kind == "all":
        return q
    if scope.kind == "rm":
        return q.where(RmTask.rm_id == scope.rm_id)
    return q.where(or_(RmTask.customer_org_code == scope.org_code,
                       func.substr(RmTask.customer_org_code, 1, len(scope.org_code) + 1) == scope.org_code + "-"))


def _read(row: RmTask, now: datetime) -> RmTaskRead:
    due = as_utc(row.due_at) if row.due_at else None
    return RmTaskRead(id=row.id, customer_id=row.customer_id, rm_id=row.rm_id, title=row.title, script=row.script,
                      facts=row.facts or {}, due_at=due, overdue=row.outcome is None and due is not None and due < now,
                      outcome=row.outcome, note=row.note,
                      outcome_at=as_utc(row.outcome_at) if row.outcome_at else None, created_at=as_utc(row.created_at))


def list_tasks(*, session: Session, who: Principal, state: str | None, limit: int, offset: int,
               now: datetime | None = None) -> RmTaskPage:
    """Tasks in the viewer's scope (an RM: their own book): open, done or overdue."""
    now = now or utcnow()
    q = _scoped(select(RmTask), who.scope)
    overdue_q = q.where(RmTask.outcome.is_(None), RmTask.due_at < now)
    if state == "open":
        q = q.where(RmTask.outcome.is_(None))
    elif state == "done":
        q = q.where(RmTask.outcome.is_not(None))
    elif state == "overdue":
        q = overdue_q
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    overdue = session.scalar(select(func.count()).select_from(overdue_q.subquery())) or 0
    rows = session.scalars(q.order_by(RmTask.due_at, RmTask.id).limit(limit).offset(offset))
    return RmTaskPage(items=[_read(r, now) for r in rows], total=total, overdue=overdue)


def record_outcome(*, platform: Platform, who: Principal, task_id: int, data: OutcomeIn,
                   now: datetime | None = None) -> RmTaskRead:
    """The task's RM records what came of it; the outcome becomes an event (and a receipt of the delivery)."""
    now = now or utcnow()
    with platform.metadata.session() as session:
        row = session.get(RmTask, task_id)
        if row is None or not who.scope.allows(org_code=row.customer_org_code or "", rm_id=row.rm_id):
            raise NotFound("no such task", field="task_id")
        if who.role == "rm" and row.rm_id != who.rm_id:
            raise Forbidden("only the customer's RM records the outcome", code="reach_task_not_yours")
        if row.outcome is not None:
            raise Invalid("the outcome is already recorded", field="outcome", code="reach_task_done")
        row.outcome, row.note, row.outcome_at, row.outcome_by = data.outcome, data.note, now, who.username
        delivery = repo.by_key(session, row.delivery_key)
        if delivery is not None:
            queue_event(session, delivery, "rm_task_outcome", now, suffix="rm-outcome",
                        extra={"outcome": data.outcome})
            receipt = _RECEIPTS.get(data.outcome)
            if receipt:
                record_engagement(platform=platform, delivery_id=delivery.id, status=receipt, at=now,
                                  detail={"outcome": data.outcome}, session=session)
        record(session=session, username=who.username, action="reach.task.outcome", target_type="rm_task",
               target_id=str(task_id), detail={"outcome": data.outcome}, ip=who.ip, user_agent=who.user_agent)
        out = _read(row, now)
    flush_events(platform)
    return out

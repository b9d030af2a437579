"""The delivery log as people read it: scoped to the customers they may see, addresses masked; figures per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.service import record
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery import service
from mofang.reach.delivery.contracts import ChannelDay, DeliveryPage, DeliveryRead, RetryResult
from mofang.reach.delivery.logic import RECEIPT_RANK
from mofang.reach.models import Delivery

_TIMES = ("next_attempt_at", "delivered_at", "opened_at", "clicked_at", "created_at", "updated_at")


def read(row: Delivery) -> DeliveryRead:
    """A log row for people (the address was stored masked)."""
    fields: dict[str, Any] = {k: getattr(row, k) for k in DeliveryRead.model_fields}
    for k in _TIMES:
        if fields[k] is not None:
            fields[k] = as_utc(fields[k])
    return DeliveryRead(**fields)


def search(*, session: Session, who: Principal, filters: dict[str, Any], dead: bool | None, limit: int,
           offset: int) -> DeliveryPage:
    """A page of the log in the viewer's scope, newest first."""
    rows, total = repo.search(session, scope=who.scope, filters=filters, dead=dead, limit=limit, offset=offset)
    return DeliveryPage(items=[read(r) for r in rows], total=total)


def retry(*, platform: Platform, who: Principal, delivery_id: int) -> RetryResult:
    """Try a dead letter of a customer in scope again; audited."""
    with platform.metadata.session() as session:
        row = repo.get_scoped(session, scope=who.scope, delivery_id=delivery_id)
        if row is None:
            raise NotFound("no such delivery", field="delivery_id")
        if not row.dead:
            raise Invalid("only dead letters are retried by hand", field="delivery_id", code="reach_not_dead")
        record(session=session, username=who.username, action="reach.delivery.retry", target_type="delivery",
               target_id=str(delivery_id), detail={"channel": row.channel, "reason": row.reason}, ip=who.ip,
               user_agent=who.user_agent)
    result = service.retry_dead(platform=platform, delivery_id=delivery_id)
    return RetryResult(status=result.status, reason=result.reason, delivery_id=result.delivery_id)


def daily(*, session: Session, who: Principal, days: int, now: datetime | None = None) -> list[ChannelDay]:
    """Per channel and day: volume, accepted, delivery and click rates, cost — over customers in scope."""
    since = (now or utcnow()) - timedelta(days=days)
    acc: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, channel, status, receipt, clicked, count, cost in repo.daily_stats(session, scope=who.scope,
                                                                                since=since):
        cell = acc[(str(day), channel)]
        cell["sent"] += count
        cell[status] += count
        cell["cost_fen"] += int(cost or 0)
        if receipt is not None and RECEIPT_RANK.get(receipt, 0) >= RECEIPT_RANK["delivered"]:
            cell["delivered"] += count
        if clicked:
            cell["clicked"] += count
    out = []
    for (day, channel), c in sorted(acc.items()):
        accepted = c["accepted"]
        out.append(ChannelDay(
            day=day, channel=channel, sent=c["sent"], accepted=accepted, suppressed=c["suppressed"],
            failed=c["failed"] + c["unknown"], unreachable=c["unreachable"], delivered=c["delivered"],
            clicked=c["clicked"], delivery_rate=round(c["delivered"] / accepted, 4) if accepted else None,
            click_rate=round(c["clicked"] / accepted, 4) if accepted else None, cost_fen=c["cost_fen"]))
    return out

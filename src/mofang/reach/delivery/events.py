"""Events about deliveries: queued in the delivery's own transaction, then handed to ingestion (exactly once).

Each event's messageId is derived from the delivery and the outcome, so a second hand-over after a crash is
deduplicated by ingestion; the outbox row goes only once ingestion has made the event durable.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.logic import event_message
from mofang.reach.models import Delivery

log = logging.getLogger("mofang.reach")
BATCH = 1000


def queue_event(session: Session, row: Delivery, event: str, at: datetime, *, suffix: str,
                extra: dict[str, Any] | None = None, sink: list[dict[str, Any]] | None = None) -> None:
    """Queue one event about a delivery (in the caller's transaction; into `sink` when it queues many at once)."""
    delivery = {c: getattr(row, c) for c in ("id", "customer_id", "channel", "strategy_id", "strategy_version",
                                               "campaign_id", "node_id", "instance_id", "template_id", "purpose")}
    message = event_message(event, delivery=delivery, at=at, suffix=suffix,
                            extra={k: v for k, v in (extra or {}).items() if v is not None})
    if sink is not None:
        sink.append(message)
    else:
        repo.add_events(session, [message], at)


def flush_events(platform: Platform) -> int:
    """Hand queued events to ingestion; how many went (0 while ingestion is not running here)."""
    from mofang.tracking import ingest_server_events
    from mofang.tracking.service import Overloaded

    total = 0
    while True:
        with platform.metadata.session() as session:
            pending = repo.pending_events(session, BATCH)
        if not pending:
            return total
        try:
            ingest_server_events(platform, [m for _, m in pending])
        except (Overloaded, OSError, TimeoutError) as exc:
            log.debug("reach events wait for ingestion: %s", type(exc).__name__)
            return total
        except ValueError as exc:
            log.warning("reach events refused by ingestion: %s", exc)
            return total
        with platform.metadata.session() as session:
            repo.drop_events(session, [i for i, _ in pending])
        total += len(pending)

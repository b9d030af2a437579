"""Background work of delivery: due retries, recovery of crashed attempts, queued events → ingestion."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from mofang.platform.context import Platform, now_of
from mofang.platform.storage.models import utcnow
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.events import flush_events
from mofang.reach.delivery.receipts import settle_pending
from mofang.reach.delivery.service import process_due

log = logging.getLogger("mofang.reach")
PUMP_SECONDS = 1.0
PENDING_RECEIPT_DAYS = timedelta(days=1)


def pump_once(*, platform: Platform, now: datetime | None = None) -> int:
    """One round: retries and recoveries, receipts that raced their sends, then events; deliveries handled."""
    handled = process_due(platform=platform, now=now)
    settle_pending(platform=platform)
    with platform.metadata.session() as session:
        repo.forget_pending(session, (now or utcnow()) - PENDING_RECEIPT_DAYS)
    flush_events(platform)
    return handled


class Pump:
    """A thread that runs `pump_once` every second while the app runs."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="mofang-reach-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (the current round finishes)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(PUMP_SECONDS):
            try:
                # The platform's clock, as the sends it recovers used (tests pin it; a real clock else).
                pump_once(platform=self._platform, now=now_of(self._platform))
            except Exception:  # one bad round must not end the pump; the next one retries
                log.exception("reach pump round failed")

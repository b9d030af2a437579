"""Periodic work of the campaign centre: start scheduled campaigns whose start has come, end those past their end."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from mofang.campaigns.lifecycle import service
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_STRATEGY_PUBLISH

log = logging.getLogger("mofang.campaigns")
# The scheduler acts for the campaigns' owners; audit rows name it. It can only publish what was approved.
SYSTEM = Principal(user_id=0, username="system:campaigns", display_name="活动调度", role="system", org_code="HQ",
                   rm_id=None, permissions=frozenset({P_CAMPAIGN_EDIT, P_STRATEGY_PUBLISH}),
                   scope=Scope(kind="all"))


def run_due(*, platform: Platform, now: datetime) -> list[int]:
    """Start due scheduled campaigns (and end expired ones); the ids started. Safe to run from any worker."""
    with platform.metadata.session() as session:
        return service.start_due(platform=platform, session=session, who=SYSTEM, now=now)


class DueCampaigns:
    """In `mofang serve`: every `every` seconds, start the scheduled campaigns whose start has come."""

    def __init__(self, platform: Platform, *, every: float = 30.0) -> None:
        self.platform, self.every = platform, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin the loop in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="mofang-campaigns-due", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                run_due(platform=self.platform, now=datetime.now(UTC))
            except Exception:  # one bad campaign must not stop the loop; the next tick tries again
                log.exception("starting due campaigns failed")

    def stop(self) -> None:
        """End the loop and wait for a tick in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

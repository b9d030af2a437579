"""Scheduled entry point of the contact policy: forget decisions no window can count any more."""

from __future__ import annotations

from datetime import date, time, timedelta

from mofang.platform.context import Platform
from mofang.platform.scheduler import Job
from mofang.strategy.contact_policy import logic
from mofang.strategy.contact_policy import repository as repo

# Longer than any window (a month, or a week reaching into the previous month) and than the Redis key markers
# (40 days): a decision is kept while it can count or answer a retry of its key.
DECISIONS_DAYS = 62
SUPPRESSIONS_DAYS = 400  # the 360 page and the console show a year of suppressions


def purge_daily(platform: Platform, day: date) -> dict[str, int]:
    """Delete decisions older than 62 days and suppression records older than 400 days, as of `day`."""
    start = logic.local_midnight(day)
    with platform.metadata.session() as session:
        decisions, suppressions = repo.purge(session, decisions_before=start - timedelta(days=DECISIONS_DAYS),
                                             suppressions_before=start - timedelta(days=SUPPRESSIONS_DAYS))
    return {"decisions": decisions, "suppressions": suppressions}


POLICY_PURGE_JOB = Job(name="strategy.contact_policy.purge", run=purge_daily, at=time(3, 30))

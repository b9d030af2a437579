"""Scheduled entry points of ML insight: daily churn scoring into the churn_risk / churn_score model tags."""

from __future__ import annotations

from datetime import date, time

from mofang.insight.ml import churn_service
from mofang.insight.ml.contracts import ScoreReport
from mofang.platform.context import Platform
from mofang.platform.scheduler import Job


def score_churn_daily(platform: Platform, day: date) -> ScoreReport | None:
    """Score every customer as of `day` with the active churn model (nothing to do before one is trained)."""
    return churn_service.score_churn(platform=platform, day=day)


# After the daily tag run (02:00) so a journey entering the warning segment sees today's scores with its tags.
CHURN_JOB = Job(name="insight.ml.churn_score", run=score_churn_daily, at=time(2, 30))

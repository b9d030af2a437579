"""After a new demo bank is generated: tag history and a trained churn model, so every page has data."""

from __future__ import annotations

from datetime import date, timedelta

from mofang.insight.ml import churn_service
from mofang.insight.tags import service as tags
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.platform.governance.contracts import Principal, Scope

HISTORY_DAYS = 84  # twelve weekly points: enough for flows and trends without a long wait


def prepare_insights(*, platform: Platform, end: date) -> list[str]:
    """Compute weekly tag history up to `end` and train the churn model; returns lines to print."""
    reports = tags.backfill(platform=platform, start=end - timedelta(days=HISTORY_DAYS), end=end, step_days=7)
    lines = [f"tags computed on {len(reports)} days ({reports[0].day} .. {reports[-1].day}) "
             f"in {sum(r.elapsed_ms for r in reports) / 1000:.1f} s"]
    system = Principal(user_id=0, username="system", display_name="system", role="admin", org_code="HQ",
                       rm_id=None, permissions=frozenset(), scope=Scope(kind="all"))
    try:
        with platform.metadata.session() as session:
            churn = churn_service.train_churn(platform=platform, session=session, who=system)
        auc = churn.metrics.auc if churn.metrics else None
        lines.append(f"churn model trained: holdout AUC {auc:.3f}" if auc is not None else "churn model trained")
    except MofangError as exc:  # a bank too short to learn from is still a usable demo
        lines.append(f"churn model not trained: {exc.message}")
    return lines

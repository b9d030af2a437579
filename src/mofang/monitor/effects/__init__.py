"""Effect evaluation (效果评估): incremental conversions, AUM and ROI of strategies and campaigns against holdouts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from mofang.monitor.effects.contracts import StrategyEffect

if TYPE_CHECKING:
    from mofang.platform.context import Platform
    from mofang.platform.governance.contracts import Scope


def strategy_effect(*, platform: Platform, scope: Scope, strategy_ids: Sequence[int], campaign_id: int | None = None,
                    date_from: date | None = None, date_to: date | None = None, window_days: int = 30,
                    n_resamples: int = 2000, now: datetime) -> StrategyEffect:
    """The effect of strategies (a campaign's, with `campaign_id`) within `scope`: funnel, lift, AUM, costs, ROI."""
    from mofang.monitor.effects import service

    return service.strategy_effect(platform=platform, scope=scope, strategy_ids=strategy_ids,
                                   campaign_id=campaign_id, date_from=date_from, date_to=date_to,
                                   window_days=window_days, n_resamples=n_resamples, now=now)



__all__ = ["StrategyEffect", "strategy_effect"]

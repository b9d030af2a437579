"""Top-percent ranks of propensity scores: the pure function 高潜筛选's top N% relies on."""

from __future__ import annotations

import numpy as np
import pytest

from mofang.insight.ml import propensity as pr
from mofang.strategy.canvas.contracts import Propensity
from mofang.strategy.engine.contracts import Facts
from mofang.strategy.engine.walk import is_high_propensity


@pytest.mark.parametrize("n", [2000, 1999, 37])
@pytest.mark.parametrize("top", [1, 5, 10, 25, 50, 99])
def test_top_n_percent_keeps_about_n_percent_of_the_population(n: int, top: float) -> None:
    score = np.random.default_rng(n).random(n)
    ranks = pr.top_ranks(score)
    node = Propensity(id="p", type="propensity", target_event="fund_purchase", top_percent=top)
    kept = [bool(is_high_propensity(node, Facts(score_ranks={"fund_purchase": float(r)}))) for r in ranks]
    assert abs(sum(kept) - n * top / 100) <= 1
    # ... and the kept are exactly the highest scorers.
    assert min((s for s, k in zip(score, kept, strict=True) if k), default=2) > max(
        (s for s, k in zip(score, kept, strict=True) if not k), default=-1)


def test_ranks_run_from_the_top_and_ties_share_the_better_place() -> None:
    ranks = pr.top_ranks(np.array([0.1, 0.9, 0.5, 0.5]))
    assert ranks.tolist() == [100.0, 25.0, 50.0, 50.0]
    assert pr.top_ranks(np.zeros(0)).tolist() == []


def test_a_min_score_node_compares_the_score_not_the_rank() -> None:
    node = Propensity(id="p", type="propensity", target_event="e", min_score=0.6)
    assert is_high_propensity(node, Facts(scores={"e": 0.6}, score_ranks={"e": 90.0}))
    assert not is_high_propensity(node, Facts(scores={"e": 0.59}, score_ranks={"e": 1.0}))


def test_the_label_window_shrinks_with_short_history_and_refuses_under_a_week() -> None:
    assert pr.window_days(120, 30) == 30
    assert pr.window_days(60, 30) == 15
    assert pr.window_days(43, 30) is None

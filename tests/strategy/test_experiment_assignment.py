"""Sticky assignment: stable per customer, proportions follow the weights, holdout independent of arms."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments import assign_variant, in_holdout, srm_test
from mofang.strategy.experiments.logic import hash_unit

IDS = [f"C{i:08d}" for i in range(100_000)]


def test_the_hash_is_pinned() -> None:
    # Changing the hash would silently move running customers between arms: these values must never change.
    assert hash_unit("exp-1", "C00000001") == 0.25658157426382733
    assert assign_variant("C00000001", "exp-1", [("control", 50), ("treatment", 50)]) == "control"
    assert hash_unit("exp-1", "C00000002") == 0.5585840152108933
    assert assign_variant("C00000002", "exp-1", [("control", 50), ("treatment", 50)]) == "treatment"


def test_assignment_is_sticky_and_depends_only_on_inputs() -> None:
    weights = [("a", 1.0), ("b", 2.0), ("c", 1.0)]
    first = [assign_variant(cid, "welcome-gift", weights) for cid in IDS[:2000]]
    again = [assign_variant(cid, "welcome-gift", list(weights)) for cid in IDS[:2000]]
    assert first == again
    # The same weights as fractions give the same arms: only the shares matter.
    assert first == [assign_variant(cid, "welcome-gift", [("a", 0.25), ("b", 0.5), ("c", 0.25)])
                     for cid in IDS[:2000]]
    # Another experiment reshuffles customers.
    other = [assign_variant(cid, "loan-cashback", weights) for cid in IDS[:2000]]
    assert sum(x != y for x, y in zip(first, other, strict=True)) > 800


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=2, max_size=4), st.text(min_size=1, max_size=12))
@settings(max_examples=5, deadline=None)
def test_shares_match_the_weights_on_100k_customers(raw: list[int], key: str) -> None:
    weights = [(f"v{i}", float(w)) for i, w in enumerate(raw)]
    counts = Counter(assign_variant(cid, key, weights) for cid in IDS)
    total = sum(raw)
    for name, w in weights:
        share = w / total
        # Five binomial standard deviations: a hash that skews an arm fails, chance never does.
        assert abs(counts[name] / len(IDS) - share) <= 5 * math.sqrt(share * (1 - share) / len(IDS))


def test_zero_weight_variant_is_never_assigned_and_srm_passes() -> None:
    weights = [("control", 10.0), ("paused", 0.0), ("treatment", 90.0)]
    counts = Counter(assign_variant(cid, "ramp", weights) for cid in IDS)
    assert counts["paused"] == 0
    assert not srm_test([counts["control"], counts["treatment"]], [10, 90]).mismatch


def test_srm_catches_a_52_48_assignment_checked_against_50_50() -> None:
    counts = Counter(assign_variant(cid, "broken", [("control", 52), ("treatment", 48)]) for cid in IDS)
    assert srm_test([counts["control"], counts["treatment"]], [50, 50]).mismatch
    assert not srm_test([counts["control"], counts["treatment"]], [52, 48]).mismatch


def test_holdout_share_and_independence_from_arms() -> None:
    held = [in_holdout(cid, "global-2026", 5) for cid in IDS]
    assert abs(sum(held) / len(IDS) - 0.05) <= 5 * math.sqrt(0.05 * 0.95 / len(IDS))
    assert held == [in_holdout(cid, "global-2026", 5.0) for cid in IDS]
    assert not any(in_holdout(cid, "s", 0) for cid in IDS[:1000])
    assert all(in_holdout(cid, "s", 100) for cid in IDS[:1000])
    # Widening the holdout only adds customers: nobody held out at 5% is released at 10%.
    assert all(in_holdout(cid, "global-2026", 10) for cid, h in zip(IDS, held, strict=True) if h)
    # Salt equal to the experiment key: holdout customers still split across arms like everyone else.
    arms = [assign_variant(cid, "global-2026", [("a", 50), ("b", 50)]) for cid, h in zip(IDS, held, strict=True) if h]
    assert abs(arms.count("a") / len(arms) - 0.5) <= 5 * math.sqrt(0.25 / len(arms))


@pytest.mark.parametrize("weights", [[], [("a", 1), ("a", 2)], [("a", -1), ("b", 2)], [("a", 0), ("b", 0)],
                                     [("a", float("nan"))]])
def test_bad_weights_are_refused(weights: list[tuple[str, float]]) -> None:
    with pytest.raises(BadRequest) as caught:
        assign_variant("C1", "exp", weights)
    assert caught.value.field == "weights" and caught.value.code == "experiment.bad_weights"


@pytest.mark.parametrize("percent", [-1, 100.5, float("nan")])
def test_bad_holdout_percent_is_refused(percent: float) -> None:
    with pytest.raises(BadRequest) as caught:
        in_holdout("C1", "salt", percent)
    assert caught.value.field == "percent"

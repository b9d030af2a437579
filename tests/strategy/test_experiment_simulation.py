"""Seeded simulations: intervals cover an injected true effect, CUPED narrows AUM intervals, ROI bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments import (
    ProportionStats,
    bootstrap_roi,
    covariate_stats_of,
    cuped_test,
    mean_stats_of,
    two_proportion_test,
    welch_test,
)
from mofang.strategy.experiments import contracts as c

RUNS = 100


def covers(lower: float | None, truth: float, upper: float | None) -> bool:
    assert lower is not None and upper is not None
    return lower <= truth <= upper


def test_conversion_intervals_cover_the_injected_lift() -> None:
    base, lift, n = 0.08, 0.25, 4000
    newcombe = wald = relative = 0
    for seed in range(RUNS):
        rng = np.random.default_rng(seed)
        ctl = ProportionStats(n=n, x=int(rng.binomial(n, base)))
        trt = ProportionStats(n=n, x=int(rng.binomial(n, base * (1 + lift))))
        result = two_proportion_test(ctl, trt)
        newcombe += covers(result.ci_lower, base * lift, result.ci_upper)
        wald += covers(result.wald_lower, base * lift, result.wald_upper)
        relative += covers(result.lift_lower, lift, result.lift_upper)
    assert newcombe >= 90 and wald >= 90 and relative >= 90


def _aum(rng: np.random.Generator, n: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Pre-period AUM and experiment-period AUM that mostly carries it over (a bank's balances are sticky)."""
    pre = rng.lognormal(11.0, 1.0, n)
    post = pre * rng.normal(1.02, 0.05, n) + rng.normal(0.0, 5_000.0, n) + effect
    return pre, post


def test_mean_intervals_cover_the_injected_aum_effect_and_cuped_narrows_them() -> None:
    effect, n = 8_000.0, 2_000
    welch_hits = cuped_hits = 0
    ratios = []
    for seed in range(RUNS):
        rng = np.random.default_rng(1_000 + seed)
        xc, yc = _aum(rng, n, 0.0)
        xt, yt = _aum(rng, n, effect)
        welch = welch_test(mean_stats_of(yc), mean_stats_of(yt))
        cuped = cuped_test(covariate_stats_of(xc, yc), covariate_stats_of(xt, yt))
        welch_hits += covers(welch.ci_lower, effect, welch.ci_upper)
        cuped_hits += covers(cuped.ci_lower, effect, cuped.ci_upper)
        ratios.append((cuped.ci_upper - cuped.ci_lower) / (welch.ci_upper - welch.ci_lower))
    assert welch_hits >= 90 and cuped_hits >= 90
    # Balances carried over from the pre-period explain most of the variance: the interval is several times
    # narrower, in every run, not merely on average.
    assert max(ratios) < 0.5


def test_cuped_detects_an_aum_effect_welch_cannot_see() -> None:
    detected = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        xc, yc = _aum(rng, 1_500, 0.0)
        xt, yt = _aum(rng, 1_500, 1_500.0)
        welch = welch_test(mean_stats_of(yc), mean_stats_of(yt))
        cuped = cuped_test(covariate_stats_of(xc, yc), covariate_stats_of(xt, yt))
        assert cuped.significant
        detected += welch.significant
    # A 1,500 rise on balances of ~100,000 is lost in the spread between customers without the pre-period.
    assert detected == 0
    assert cuped.theta is not None and 0.9 < cuped.theta < 1.15


def test_roi_bootstrap_covers_the_true_roi() -> None:
    effect, n_t, n_c, cost = 30.0, 400, 300, 6_000.0
    true_roi = effect * n_t / cost
    hits = 0
    for seed in range(RUNS):
        rng = np.random.default_rng(5_000 + seed)
        control = rng.gamma(2.0, 50.0, n_c)
        treated = rng.gamma(2.0, 50.0, n_t) + effect
        result = bootstrap_roi(treated, control, cost, seed=seed, n_resamples=1000)
        assert result.code == c.OK and result.lower <= result.roi <= result.upper
        hits += covers(result.lower, true_roi, result.upper)
    assert hits >= 90


def test_roi_bootstrap_is_deterministic_given_a_seed() -> None:
    rng = np.random.default_rng(3)
    treated, control = rng.normal(120.0, 40.0, 5000), rng.normal(100.0, 40.0, 4000)
    first = bootstrap_roi(treated, control, 50_000.0, seed=42)
    assert first == bootstrap_roi(list(treated), list(control), 50_000.0, seed=42)
    other = bootstrap_roi(treated, control, 50_000.0, seed=43)
    assert other.roi == first.roi and (other.lower, other.upper) != (first.lower, first.upper)
    assert first.incremental_value == pytest.approx((treated.mean() - control.mean()) * 5000)
    assert first.roi == pytest.approx(first.incremental_value / 50_000.0)


def test_roi_of_constant_values_is_exact_and_edge_cases_have_codes() -> None:
    exact = bootstrap_roi([15.0] * 50, [10.0] * 80, 100.0, seed=1)
    assert exact.roi == pytest.approx(2.5) and exact.lower == pytest.approx(2.5) and exact.upper == pytest.approx(2.5)
    free = bootstrap_roi([15.0, 16.0], [10.0], 0.0, seed=1)
    assert free.code == c.ZERO_COST and free.roi is None and free.incremental_value == pytest.approx(11.0)
    empty = bootstrap_roi([], [10.0], 100.0, seed=1)
    assert empty.code == c.EMPTY_ARM and empty.roi is None and empty.incremental_value is None
    for bad, field in ((dict(cost=-1.0), "cost"), (dict(n_resamples=5), "n_resamples"),
                       (dict(treated=[1.0, float("nan")]), "treated")):
        args = dict(treated=[1.0, 2.0], control=[1.0], cost=10.0) | bad
        with pytest.raises(BadRequest) as caught:
            bootstrap_roi(args["treated"], args["control"], args["cost"], seed=1,
                          n_resamples=bad.get("n_resamples", 2000))
        assert caught.value.field == field

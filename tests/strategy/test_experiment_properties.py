"""Properties of the experiment statistics over generated inputs (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.strategy.experiments import (
    ProportionStats,
    covariate_stats_of,
    cuped_test,
    mean_stats_of,
    minimum_detectable_effect,
    srm_test,
    two_proportion_test,
    welch_test,
    wilson_interval,
)
from mofang.strategy.experiments import contracts as c
from mofang.strategy.experiments.logic.distributions import t_ppf, t_sf

ALPHAS = st.sampled_from([0.01, 0.05, 0.1, 0.2])


@st.composite
def arms(draw: st.DrawFn, min_n: int = 0) -> ProportionStats:
    n = draw(st.integers(min_value=min_n, max_value=200_000))
    return ProportionStats(n=n, x=draw(st.integers(min_value=0, max_value=n)))


values = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=0, max_size=40)


def near(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def within(low: float | None, value: float | None, high: float | None) -> bool:
    assert low is not None and value is not None and high is not None
    slack = 1e-12 * max(1.0, abs(value))
    return low - slack <= value <= high + slack


@given(arms(), ALPHAS)
def test_wilson_interval_is_within_0_1_and_holds_the_rate(stats: ProportionStats, alpha: float) -> None:
    result = wilson_interval(stats, alpha=alpha)
    if stats.n == 0:
        assert result.code == c.EMPTY_ARM and result.lower is None
        return
    assert 0.0 <= result.lower <= result.rate <= result.upper <= 1.0


@given(arms(), arms(), ALPHAS)
def test_two_proportion_test_is_symmetric_and_well_formed(ctl: ProportionStats, trt: ProportionStats,
                                                          alpha: float) -> None:
    ab = two_proportion_test(ctl, trt, alpha=alpha)
    ba = two_proportion_test(trt, ctl, alpha=alpha)
    if ab.code == c.EMPTY_ARM:
        assert ab.difference is None and ab.p_value is None and ba.code == c.EMPTY_ARM
        return
    assert ab.difference == -ba.difference
    assert near(ab.ci_lower, -ba.ci_upper) and near(ab.ci_upper, -ba.ci_lower)
    assert near(ab.wald_lower, -ba.wald_upper) and near(ab.p_value, ba.p_value)
    assert within(ab.ci_lower, ab.difference, ab.ci_upper) and within(ab.wald_lower, ab.difference, ab.wald_upper)
    assert ab.ci_lower >= -1.0 and ab.ci_upper <= 1.0
    if ab.p_value is None:
        assert ab.code == c.ZERO_VARIANCE and ab.z is None
    else:
        assert 0.0 <= ab.p_value <= 1.0
        assert ab.significant == (ab.p_value < alpha)
    if ab.lift is None:
        assert ctl.x == 0 and ab.lift_lower is None
    else:
        assert within(ab.lift_lower, ab.lift, ab.lift_upper) and ab.lift >= -1.0


@given(values, values, ALPHAS)
def test_welch_is_symmetric_and_well_formed(ctl: list[float], trt: list[float], alpha: float) -> None:
    ab = welch_test(mean_stats_of(ctl), mean_stats_of(trt), alpha=alpha)
    ba = welch_test(mean_stats_of(trt), mean_stats_of(ctl), alpha=alpha)
    if min(len(ctl), len(trt)) < 2:
        assert ab.code in (c.EMPTY_ARM, c.TOO_FEW) and ab.difference is None and ab.p_value is None
        return
    assert ab.difference == -ba.difference and near(ab.p_value, ba.p_value) and near(ab.df, ba.df)
    assert near(ab.ci_lower, -ba.ci_upper)
    assert within(ab.ci_lower, ab.difference, ab.ci_upper)
    if ab.code == c.ZERO_VARIANCE:
        assert ab.p_value is None and ab.ci_lower == ab.ci_upper == ab.difference
    else:
        assert 0.0 <= ab.p_value <= 1.0
        assert min(len(ctl), len(trt)) - 1 - 1e-9 <= ab.df <= len(ctl) + len(trt) - 2 + 1e-9
    if ab.lift is not None and ab.lift_lower is not None:
        assert within(ab.lift_lower, ab.lift, ab.lift_upper)


covariate = st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=3, max_size=40)


@given(covariate, covariate, st.floats(min_value=-5, max_value=5), st.floats(min_value=-100, max_value=100),
       st.floats(min_value=0, max_value=1e4))
@settings(max_examples=200)
def test_cuped_is_never_wider_with_a_perfectly_correlated_covariate(
    pre_c: list[float], pre_t: list[float], slope: float, intercept: float, effect: float,
) -> None:
    xc, xt = np.array(pre_c), np.array(pre_t)
    yc, yt = intercept + slope * xc, intercept + slope * xt + effect
    welch = welch_test(mean_stats_of(yc), mean_stats_of(yt))
    cuped = cuped_test(covariate_stats_of(xc, yc), covariate_stats_of(xt, yt))
    assert cuped.ci_lower is not None and welch.ci_lower is not None
    assert cuped.ci_upper - cuped.ci_lower <= welch.ci_upper - welch.ci_lower + 1e-9
    assert within(cuped.ci_lower, cuped.difference, cuped.ci_upper)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=2, max_size=8), st.data())
def test_srm_p_value_is_a_probability(observed: list[int], data: st.DataObject) -> None:
    weights = data.draw(st.lists(st.floats(min_value=0.01, max_value=100), min_size=len(observed),
                                 max_size=len(observed)))
    result = srm_test(observed, weights)
    if sum(observed) == 0:
        assert result.code == c.EMPTY_ARM and not result.mismatch
        return
    assert result.chi2 >= 0.0 and 0.0 <= result.p_value <= 1.0
    assert result.mismatch == (result.p_value < 0.001)


@given(st.integers(min_value=1, max_value=10**5), st.integers(min_value=1, max_value=10**6))
def test_srm_of_exactly_the_weights_is_no_mismatch(scale: int, base: int) -> None:
    result = srm_test([base * scale, 3 * base * scale], [0.25, 0.75])
    assert math.isclose(result.chi2, 0.0, abs_tol=1e-9) and result.p_value > 0.999 and not result.mismatch


@given(st.integers(min_value=1, max_value=10**6), st.floats(min_value=0.0, max_value=1.0))
def test_mde_is_a_rise_within_the_rate_range(n: int, baseline: float) -> None:
    result = minimum_detectable_effect(n, baseline)
    if result.code == c.EFFECT_UNREACHABLE:
        assert result.absolute is None
        return
    assert result.absolute is not None and 0.0 < result.absolute <= 1.0 - baseline + 1e-12


@given(st.floats(min_value=0.001, max_value=0.999), st.floats(min_value=1.0, max_value=1e6))
def test_t_quantile_inverts_the_tail(p: float, df: float) -> None:
    assert math.isclose(t_sf(t_ppf(p, df), df), 1.0 - p, rel_tol=1e-9, abs_tol=1e-13)

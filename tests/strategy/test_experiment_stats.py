"""Experiment statistics equal statsmodels / scipy on reference cases, and edge cases answer with a code."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments import (
    CovariateStats,
    MeanStats,
    ProportionStats,
    covariate_stats_of,
    cuped_test,
    cuped_theta,
    mean_stats_of,
    min_sample_note,
    minimum_detectable_effect,
    srm_test,
    two_proportion_test,
    welch_test,
    wilson_interval,
)
from mofang.strategy.experiments import contracts as c
from mofang.strategy.experiments.logic.distributions import chi2_sf, norm_ppf, t_ppf, t_sf, t_two_sided_p

TOL = 1e-9

# (conversions, customers) of control then treatment: small, large, lopsided, 0% and 100% arms.
PROPORTION_CASES = [
    (100, 1000, 120, 1000),
    (5, 50, 12, 60),
    (0, 200, 3, 150),
    (30, 30, 25, 30),
    (4500, 50_000, 4720, 50_200),
    (1, 10, 9, 10),
    (7, 13, 7, 13),
]


def close(ours: float | None, ref: float) -> bool:
    return ours is not None and math.isclose(ours, float(ref), rel_tol=TOL, abs_tol=1e-12)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (10, 10), (120, 1000), (4720, 50_200), (3, 7)])
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_wilson_interval_equals_statsmodels(x: int, n: int, alpha: float) -> None:
    ours = wilson_interval(ProportionStats(n=n, x=x), alpha=alpha)
    low, upp = proportion_confint(x, n, alpha=alpha, method="wilson")
    assert ours.code == c.OK and ours.rate == x / n
    assert close(ours.lower, low) and close(ours.upper, upp)


@pytest.mark.parametrize(("xc", "nc", "xt", "nt"), PROPORTION_CASES)
def test_two_proportion_test_equals_statsmodels(xc: int, nc: int, xt: int, nt: int) -> None:
    result = two_proportion_test(ProportionStats(n=nc, x=xc), ProportionStats(n=nt, x=xt))
    assert close(result.difference, xt / nt - xc / nc)
    z, p = proportions_ztest([xt, xc], [nt, nc])
    assert close(result.z, z) and close(result.p_value, p)
    low, upp = confint_proportions_2indep(xt, nt, xc, nc, method="newcomb", compare="diff")
    assert close(result.ci_lower, low) and close(result.ci_upper, upp)
    low, upp = confint_proportions_2indep(xt, nt, xc, nc, method="wald", compare="diff")
    assert close(result.wald_lower, low) and close(result.wald_upper, upp)


@pytest.mark.parametrize(("xc", "nc", "xt", "nt"), [case for case in PROPORTION_CASES if case[0] > 0])
def test_relative_lift_delta_interval(xc: int, nc: int, xt: int, nt: int) -> None:
    result = two_proportion_test(ProportionStats(n=nc, x=xc), ProportionStats(n=nt, x=xt))
    p_c, p_t = xc / nc, xt / nt
    # The same delta method in its relative-variance form: CV(ratio)^2 = CV(p_t)^2 + CV(p_c)^2.
    ratio = p_t / p_c
    se = math.sqrt((p_t * (1 - p_t) / nt) / p_c**2 + ratio**2 * (p_c * (1 - p_c) / nc) / p_c**2)
    z = stats.norm.isf(0.025)
    assert close(result.lift, ratio - 1)
    assert close(result.lift_lower, ratio - 1 - z * se) and close(result.lift_upper, ratio - 1 + z * se)


def _arms(seed: int, n_c: int, n_t: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return rng.normal(10.0, 3.0, n_c), rng.normal(10.6, 5.0, n_t)
    if kind == "aum":
        return rng.lognormal(11.0, 1.0, n_c), rng.lognormal(11.05, 1.1, n_t)
    return rng.integers(0, 5, n_c).astype(float), rng.integers(0, 6, n_t).astype(float)


@pytest.mark.parametrize(("seed", "n_c", "n_t", "kind"), [
    (1, 2, 3, "normal"), (2, 25, 40, "normal"), (3, 5000, 4000, "aum"), (4, 300, 900, "counts"),
    (5, 20_000, 20_000, "normal"),
])
def test_welch_equals_scipy_and_statsmodels(seed: int, n_c: int, n_t: int, kind: str) -> None:
    ctl, trt = _arms(seed, n_c, n_t, kind)
    result = welch_test(mean_stats_of(ctl), mean_stats_of(trt))
    ref = stats.ttest_ind(trt, ctl, equal_var=False)
    assert result.code == c.OK
    assert close(result.difference, trt.mean() - ctl.mean())
    assert close(result.t, ref.statistic) and close(result.p_value, ref.pvalue) and close(result.df, ref.df)
    low, upp = ref.confidence_interval(0.95)
    assert close(result.ci_lower, low) and close(result.ci_upper, upp)
    compare = CompareMeans(DescrStatsW(trt), DescrStatsW(ctl))
    low, upp = compare.tconfint_diff(alpha=0.05, usevar="unequal")
    assert close(result.ci_lower, low) and close(result.ci_upper, upp)
    assert close(result.se, compare.std_meandiff_separatevar)


def _covariate_arms(seed: int, n: int, rho: float) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    rng = np.random.default_rng(seed)
    arms = []
    for shift, size in ((0.0, n), (2.0, n + 37)):
        pre = rng.normal(100.0, 20.0, size)
        post = 0.9 * pre * rho + rng.normal(0.0, 20.0 * math.sqrt(1 - rho**2) + 1.0, size) + shift
        arms.append((pre, post))
    return tuple(arms)


@pytest.mark.parametrize(("seed", "n", "rho"), [(11, 50, 0.9), (12, 2000, 0.5), (13, 400, 0.0), (14, 3, 0.99)])
def test_cuped_equals_ancova_and_welch_on_adjusted_values(seed: int, n: int, rho: float) -> None:
    (xc, yc), (xt, yt) = _covariate_arms(seed, n, rho)
    result = cuped_test(covariate_stats_of(xc, yc), covariate_stats_of(xt, yt))
    # theta is the ANCOVA slope and the adjusted difference its treatment coefficient (OLS y ~ 1 + arm + x).
    design = np.column_stack([np.ones(xc.size + xt.size), np.r_[np.zeros(xc.size), np.ones(xt.size)],
                              np.r_[xc, xt]])
    fit = OLS(np.r_[yc, yt], design).fit()
    assert close(result.theta, fit.params[2]) and close(result.difference, fit.params[1])
    theta = result.theta
    assert theta is not None
    ref = stats.ttest_ind(yt - theta * xt, yc - theta * xc, equal_var=False)
    assert close(result.t, ref.statistic) and close(result.p_value, ref.pvalue) and close(result.df, ref.df)
    low, upp = ref.confidence_interval(0.95)
    assert close(result.ci_lower, low) and close(result.ci_upper, upp)
    grand = np.r_[xc, xt].mean()
    assert close(result.mean_control, yc.mean() - theta * (xc.mean() - grand))
    assert close(result.mean_treatment, yt.mean() - theta * (xt.mean() - grand))


def test_cuped_with_constant_covariate_is_welch() -> None:
    (_, yc), (_, yt) = _covariate_arms(21, 300, 0.0)
    cuped = cuped_test(covariate_stats_of(np.ones(yc.size), yc), covariate_stats_of(np.ones(yt.size), yt))
    welch = welch_test(mean_stats_of(yc), mean_stats_of(yt))
    assert cuped.theta == 0.0
    assert cuped_theta(covariate_stats_of([1, 1], [1, 2]), covariate_stats_of([1, 1], [3, 4])) == 0.0
    assert close(cuped.ci_lower, welch.ci_lower) and close(cuped.p_value, welch.p_value)


@pytest.mark.parametrize(("observed", "weights"), [
    ([52_000, 48_000], [1, 1]), ([5010, 4990], [0.5, 0.5]), ([900, 2100], [0.3, 0.7]),
    ([334, 320, 346], [1, 1, 1]), ([80, 410, 250, 260], [0.1, 0.4, 0.25, 0.25]), ([0, 10], [1, 1]),
])
def test_srm_equals_scipy_chisquare(observed: list[int], weights: list[float]) -> None:
    result = srm_test(observed, weights)
    expected = np.array(weights) / sum(weights) * sum(observed)
    ref = stats.chisquare(observed, f_exp=expected)
    assert result.code == c.OK and result.df == len(observed) - 1
    assert close(result.chi2, ref.statistic) and close(result.p_value, ref.pvalue)
    assert result.mismatch == (ref.pvalue < 0.001)


def test_srm_flags_a_52_48_split_of_100k_and_not_a_fair_one() -> None:
    assert srm_test([52_000, 48_000], [50, 50]).mismatch
    assert not srm_test([50_100, 49_900], [50, 50]).mismatch


@pytest.mark.parametrize("baseline", [0.01, 0.1, 0.35, 0.5, 0.9])
@pytest.mark.parametrize("n", [200, 1000, 50_000])
def test_mde_has_the_asked_power_in_statsmodels(baseline: float, n: int) -> None:
    result = minimum_detectable_effect(n, baseline)
    if result.code == c.EFFECT_UNREACHABLE:
        assert baseline == 0.9 and n == 200 and result.absolute is None
        return
    assert result.code == c.OK and result.absolute is not None and result.absolute > 0
    assert close(result.relative, result.absolute / baseline)
    h = proportion_effectsize(baseline + result.absolute, baseline)
    # One tail at alpha / 2 is exactly the planned power; both tails add only the far tail's sliver.
    one_tail = NormalIndPower().power(effect_size=h, nobs1=n, alpha=0.025, ratio=1.0, alternative="larger")
    assert close(one_tail, 0.8)
    two_sided = NormalIndPower().power(effect_size=h, nobs1=n, alpha=0.05, ratio=1.0)
    assert 0.8 <= two_sided < 0.8 + 1e-5


def test_mde_shrinks_with_more_customers() -> None:
    sizes = [100, 1000, 10_000, 100_000]
    effects = [minimum_detectable_effect(n, 0.05).absolute for n in sizes]
    assert all(a is not None and b is not None and a > b for a, b in itertools.pairwise(effects))


def test_distributions_equal_scipy() -> None:
    for df in [1, 1.5, 2, 3.7, 9, 30, 99.3, 1000, 19_998, 200_000, 3e6, 1e9]:
        for t in [0.0, 0.01, 0.5, 1, 1.96, 3, 7, 15, -2.5]:
            assert close(t_sf(t, df), stats.t.sf(t, df))
            assert close(t_two_sided_p(t, df), 2 * stats.t.sf(abs(t), df))
        for p in [0.6, 0.9, 0.975, 0.995, 0.9995, 0.025]:
            assert close(t_ppf(p, df), stats.t.ppf(p, df))
    for df in [1, 2, 3, 5, 10, 50]:
        for x in [0.001, 0.5, 1, 3, 10, 50, 160, 500]:
            assert close(chi2_sf(x, df), stats.chi2.sf(x, df))
    for p in [0.6, 0.8, 0.975, 0.995, 1 - 1e-10]:
        assert close(norm_ppf(p), stats.norm.ppf(p))


# Edge cases: never a crash or a division by zero; None where undefined, and a code saying why.

def test_empty_arms_answer_with_a_code() -> None:
    empty, some = ProportionStats(n=0, x=0), ProportionStats(n=10, x=3)
    assert wilson_interval(empty).code == c.EMPTY_ARM and wilson_interval(empty).lower is None
    result = two_proportion_test(empty, some)
    assert result.code == c.EMPTY_ARM and result.difference is None and result.p_value is None
    assert result.rate_treatment == 0.3 and not result.significant
    assert welch_test(MeanStats(0, 0, 0), mean_stats_of([1.0, 2.0])).code == c.EMPTY_ARM
    assert welch_test(mean_stats_of([5.0]), mean_stats_of([1.0, 2.0])).code == c.TOO_FEW
    one = covariate_stats_of([1.0], [2.0])
    assert cuped_test(one, covariate_stats_of([1.0, 2.0], [2.0, 3.0])).code == c.TOO_FEW
    assert cuped_test(CovariateStats(0, 0, 0, 0, 0, 0), one).code == c.EMPTY_ARM
    assert cuped_theta(CovariateStats(0, 0, 0, 0, 0, 0), covariate_stats_of([1.0, 2.0], [2.0, 5.0])) == 3.0
    assert srm_test([0, 0], [1, 1]).code == c.EMPTY_ARM and not srm_test([0, 0], [1, 1]).mismatch
    assert minimum_detectable_effect(0, 0.1).code == c.EMPTY_ARM
    assert min_sample_note(empty, some) == c.EMPTY_ARM


def test_counts_from_a_query_are_accepted() -> None:
    result = two_proportion_test(ProportionStats(n=np.int64(1000), x=np.int64(100)),
                                 ProportionStats(n=np.int64(1000), x=np.int64(120)))
    assert result.code == c.OK and close(result.difference, 0.02)


@pytest.mark.parametrize(("xc", "xt"), [(0, 0), (50, 80)])
def test_nothing_varies_in_conversions(xc: int, xt: int) -> None:
    result = two_proportion_test(ProportionStats(n=50, x=xc), ProportionStats(n=80, x=xt))
    assert result.code == c.ZERO_VARIANCE and result.z is None and result.p_value is None
    assert result.difference == 0.0 and result.ci_lower is not None and result.ci_lower < 0 < result.ci_upper
    assert result.wald_lower == result.wald_upper == 0.0


def test_zero_control_rate_has_no_lift_but_a_test() -> None:
    result = two_proportion_test(ProportionStats(n=500, x=0), ProportionStats(n=500, x=9))
    assert result.code == c.ZERO_BASELINE and result.lift is None and result.lift_lower is None
    assert result.p_value is not None and result.significant


def test_constant_metrics_give_an_exact_difference_and_no_test() -> None:
    result = welch_test(mean_stats_of([0.1] * 40), mean_stats_of([0.3] * 25))
    assert result.code == c.ZERO_VARIANCE and result.t is None and result.p_value is None and result.df is None
    assert result.se == 0.0 and result.ci_lower == result.ci_upper == result.difference
    assert math.isclose(result.difference, 0.2) and math.isclose(result.lift, 2.0)
    zero = welch_test(mean_stats_of([0.0, 0.0, 1.0]), mean_stats_of([1.0, 2.0, 3.0]))
    assert zero.code == c.OK and zero.lift is not None
    none = welch_test(mean_stats_of([-1.0, 1.0]), mean_stats_of([1.0, 2.0]))
    assert none.code == c.ZERO_BASELINE and none.lift is None and none.p_value is not None


def test_unreachable_and_zero_baseline_mde() -> None:
    assert minimum_detectable_effect(5, 0.9).code == c.EFFECT_UNREACHABLE
    zero = minimum_detectable_effect(1000, 0.0)
    assert zero.code == c.ZERO_BASELINE and zero.relative is None and zero.absolute is not None
    assert zero.absolute > 0


def test_min_sample_note_codes() -> None:
    big = ProportionStats(n=1000, x=100)
    assert min_sample_note(big, big) == c.OK
    assert min_sample_note(ProportionStats(n=99, x=50), big) == c.SAMPLE_TOO_SMALL
    assert min_sample_note(big, ProportionStats(n=1000, x=9)) == c.TOO_FEW_CONVERSIONS
    assert min_sample_note(big, ProportionStats(n=1000, x=995)) == c.TOO_FEW_CONVERSIONS
    assert min_sample_note(ProportionStats(n=50, x=5), ProportionStats(n=50, x=5), min_per_arm=50,
                           min_conversions=5) == c.OK


@pytest.mark.parametrize(("build", "field"), [
    (lambda: ProportionStats(n=10, x=11), "x"),
    (lambda: ProportionStats(n=-1, x=0), "n"),
    (lambda: ProportionStats(n=10.5, x=0), "n"),
    (lambda: srm_test([10, 10], [1, 1], threshold=0), "threshold"),
    (lambda: MeanStats(n=3, sum=float("nan"), sum_sq=1.0), "sum"),
    (lambda: MeanStats(n=3, sum=1.0, sum_sq=-1.0), "sum_sq"),
    (lambda: wilson_interval(ProportionStats(n=10, x=1), alpha=1.5), "alpha"),
    (lambda: srm_test([10, 10], [1, 0]), "weights"),
    (lambda: srm_test([10], [1]), "weights"),
    (lambda: srm_test([10, -1], [1, 1]), "observed"),
    (lambda: minimum_detectable_effect(100, 1.5), "baseline"),
    (lambda: minimum_detectable_effect(100, 0.1, power=1.0), "power"),
    (lambda: covariate_stats_of([1.0, 2.0], [1.0]), "post"),
    (lambda: mean_stats_of([1.0, float("inf")]), "values"),
])
def test_bad_input_is_refused_naming_the_field(build, field: str) -> None:
    with pytest.raises(BadRequest) as caught:
        build()
    assert caught.value.field == field and caught.value.code is not None
    assert caught.value.code.startswith("experiment.")

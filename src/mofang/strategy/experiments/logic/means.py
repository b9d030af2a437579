"""Means: Welch's t-test from sums, and CUPED (pre-period covariate adjustment) in the same result shape."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments.contracts import (
    EMPTY_ARM,
    OK,
    TOO_FEW,
    ZERO_BASELINE,
    ZERO_VARIANCE,
    CovariateStats,
    MeanStats,
    MeanTestResult,
    denoised_variance,
)
from mofang.strategy.experiments.logic.distributions import t_ppf, t_two_sided_p
from mofang.strategy.experiments.logic.proportions import check_alpha, lift_interval


def finite_values(values: Sequence[float] | np.ndarray, field: str) -> np.ndarray:
    """Per-customer values as a flat float array, refusing NaN and infinities (naming `field`)."""
    arr = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise BadRequest("values must be finite numbers", field=field, code="experiment.bad_values")
    return arr


def mean_stats_of(values: Sequence[float] | np.ndarray) -> MeanStats:
    """Sufficient statistics of one arm's per-customer values."""
    arr = finite_values(values, "values")
    return MeanStats(n=int(arr.size), sum=float(arr.sum()), sum_sq=float((arr * arr).sum()))


def covariate_stats_of(pre: Sequence[float] | np.ndarray, post: Sequence[float] | np.ndarray) -> CovariateStats:
    """CUPED sums of one arm from per-customer pre-period values `pre` and experiment-period values `post`."""
    x, y = finite_values(pre, "pre"), finite_values(post, "post")
    if x.size != y.size:
        raise BadRequest("pre and post must have one value per customer", field="post",
                         code="experiment.length_mismatch")
    return CovariateStats(n=int(x.size), sum_x=float(x.sum()), sum_x2=float((x * x).sum()), sum_y=float(y.sum()),
                          sum_y2=float((y * y).sum()), sum_xy=float((x * y).sum()))


def _empty(code: str, alpha: float, theta: float | None, m_c: float | None = None,
           m_t: float | None = None) -> MeanTestResult:
    return MeanTestResult(
        mean_control=m_c, mean_treatment=m_t, difference=None, ci_lower=None, ci_upper=None, se=None, t=None,
        df=None, p_value=None, lift=None, lift_lower=None, lift_upper=None, theta=theta, alpha=alpha, code=code,
    )


def _size_code(n_c: int, n_t: int) -> str | None:
    if n_c == 0 or n_t == 0:
        return EMPTY_ARM
    if n_c < 2 or n_t < 2:
        return TOO_FEW
    return None


def _welch(
    m_c: float, v_c: float, n_c: int, m_t: float, v_t: float, n_t: int, alpha: float, theta: float | None,
) -> MeanTestResult:
    """Welch's unequal-variance comparison of two means given their sample variances."""
    diff = m_t - m_c
    a, b = v_c / n_c, v_t / n_t
    var = a + b
    if var <= 0.0:
        # Every customer has the same value in each arm: the difference is exact, and no test applies.
        lifted = lift_interval(m_c, 0.0, m_t, 0.0, 0.0)
        lift = lifted[0] if lifted else None
        return MeanTestResult(
            mean_control=m_c, mean_treatment=m_t, difference=diff, ci_lower=diff, ci_upper=diff, se=0.0, t=None,
            df=None, p_value=None, lift=lift, lift_lower=lift, lift_upper=lift, theta=theta, alpha=alpha,
            code=ZERO_VARIANCE,
        )
    se = math.sqrt(var)
    # Shares of the variance keep squares of tiny variances from underflowing to 0 / 0.
    share_c, share_t = a / var, b / var
    df = 1.0 / (share_c * share_c / (n_c - 1) + share_t * share_t / (n_t - 1))
    t = diff / se
    crit = t_ppf(1.0 - alpha / 2.0, df)
    lifted = lift_interval(m_c, a, m_t, b, crit)
    lift, lift_lower, lift_upper = lifted or (None, None, None)
    return MeanTestResult(
        mean_control=m_c, mean_treatment=m_t, difference=diff, ci_lower=diff - crit * se, ci_upper=diff + crit * se,
        se=se, t=t, df=df, p_value=t_two_sided_p(t, df), lift=lift, lift_lower=lift_lower, lift_upper=lift_upper,
        theta=theta, alpha=alpha, code=OK if lifted else ZERO_BASELINE,
    )


def welch_test(control: MeanStats, treatment: MeanStats, *, alpha: float = 0.05) -> MeanTestResult:
    """Welch's t-test of treatment vs control means (difference, t interval, Welch-Satterthwaite df)."""
    check_alpha(alpha)
    code = _size_code(control.n, treatment.n)
    if code is not None:
        return _empty(code, alpha, None, control.mean, treatment.mean)
    assert control.variance is not None and treatment.variance is not None  # n >= 2 checked above
    return _welch(control.sum / control.n, control.variance, control.n,
                  treatment.sum / treatment.n, treatment.variance, treatment.n, alpha, None)


def _centred(s: CovariateStats) -> tuple[float, float, float]:
    """Within-arm centred sums of squares and cross-products: Sxx, Syy, Sxy (all 0 for an empty arm)."""
    if s.n == 0:
        return 0.0, 0.0, 0.0
    return (s.sum_x2 - s.sum_x * s.sum_x / s.n, s.sum_y2 - s.sum_y * s.sum_y / s.n,
            s.sum_xy - s.sum_x * s.sum_y / s.n)


def cuped_theta(control: CovariateStats, treatment: CovariateStats) -> float:
    """CUPED coefficient: pooled within-arm covariance over pooled within-arm covariate variance (0 if constant)."""
    sxx_c, _, sxy_c = _centred(control)
    sxx_t, _, sxy_t = _centred(treatment)
    sxx = sxx_c + sxx_t
    # Within-arm pooling keeps the treatment effect out of theta; it equals the ANCOVA slope.
    return (sxy_c + sxy_t) / sxx if sxx > 0.0 else 0.0


def cuped_test(control: CovariateStats, treatment: CovariateStats, *, alpha: float = 0.05) -> MeanTestResult:
    """Welch's test on CUPED-adjusted means y - theta (x - mean x); narrower when the covariate predicts y."""
    check_alpha(alpha)
    code = _size_code(control.n, treatment.n)
    if code is not None:
        return _empty(code, alpha, None, control.post.mean, treatment.post.mean)
    theta = cuped_theta(control, treatment)
    grand_x = (control.sum_x + treatment.sum_x) / (control.n + treatment.n)
    arms = []
    for s in (control, treatment):
        sxx, syy, sxy = _centred(s)
        variance = denoised_variance(syy - 2.0 * theta * sxy + theta * theta * sxx,
                                     s.sum_y2 + theta * theta * s.sum_x2, s.n)
        arms.append((s.sum_y / s.n - theta * (s.sum_x / s.n - grand_x), variance, s.n))
    (m_c, v_c, n_c), (m_t, v_t, n_t) = arms
    return _welch(m_c, v_c, n_c, m_t, v_t, n_t, alpha, theta)

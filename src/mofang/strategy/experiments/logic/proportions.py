"""Conversion rates: Wilson interval, pooled two-proportion z-test, Newcombe and Wald intervals, relative lift."""

from __future__ import annotations

import math
from numbers import Real

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments.contracts import (
    EMPTY_ARM,
    OK,
    ZERO_BASELINE,
    ZERO_VARIANCE,
    ProportionStats,
    ProportionTestResult,
    RateInterval,
)
from mofang.strategy.experiments.logic.distributions import norm_ppf, norm_two_sided_p


def check_alpha(alpha: float, field: str = "alpha") -> float:
    """The two-sided critical z of `alpha`, refusing an alpha outside (0, 1) (naming `field`)."""
    if not (isinstance(alpha, Real) and not isinstance(alpha, bool) and 0.0 < alpha < 1.0):
        raise BadRequest(f"{field} must be between 0 and 1", field=field, code="experiment.bad_alpha")
    return norm_ppf(1.0 - alpha / 2.0)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score bounds, clipped to [0, 1] as statsmodels does (rounding can step a hair outside)."""
    rate, z2 = x / n, z * z
    denom = 1.0 + z2 / n
    centre = (rate + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(rate * (1.0 - rate) / n + z2 / (4.0 * n * n)) / denom
    # At x = 0 (x = n) the bound is exactly 0 (1); say so rather than trust the last bit of a subtraction.
    lower = 0.0 if x == 0 else max(centre - half, 0.0)
    upper = 1.0 if x == n else min(centre + half, 1.0)
    return lower, upper


def wilson_interval(stats: ProportionStats, *, alpha: float = 0.05) -> RateInterval:
    """The Wilson score interval of one arm's rate."""
    z = check_alpha(alpha)
    if stats.n == 0:
        return RateInterval(rate=None, lower=None, upper=None, code=EMPTY_ARM)
    lower, upper = _wilson(stats.x, stats.n, z)
    return RateInterval(rate=stats.x / stats.n, lower=lower, upper=upper, code=OK)


def lift_interval(
    base: float, var_base: float, value: float, var_value: float, crit: float,
) -> tuple[float, float, float] | None:
    """Relative lift value / base - 1 with its delta-method interval; None when base is 0 or it overflows."""
    if base == 0.0:
        return None
    ratio = value / base
    # Var(value / base) ~ (Var(value) + ratio^2 Var(base)) / base^2, written without base^4 (under/overflow).
    se = math.sqrt(var_value + ratio * ratio * var_base) / abs(base)
    lift = ratio - 1.0
    bounds = (lift, lift - crit * se, lift + crit * se)
    return bounds if all(math.isfinite(b) for b in bounds) else None


def two_proportion_test(
    control: ProportionStats, treatment: ProportionStats, *, alpha: float = 0.05,
) -> ProportionTestResult:
    """Treatment vs control conversion: pooled-SE z-test, Newcombe and Wald intervals, lift with delta interval."""
    z_crit = check_alpha(alpha)
    if control.n == 0 or treatment.n == 0:
        return ProportionTestResult(
            rate_control=control.rate, rate_treatment=treatment.rate, difference=None, ci_lower=None,
            ci_upper=None, wald_lower=None, wald_upper=None, z=None, p_value=None, lift=None, lift_lower=None,
            lift_upper=None, alpha=alpha, code=EMPTY_ARM,
        )
    p_c, p_t = control.x / control.n, treatment.x / treatment.n
    diff = p_t - p_c
    low_c, upp_c = _wilson(control.x, control.n, z_crit)
    low_t, upp_t = _wilson(treatment.x, treatment.n, z_crit)
    # Newcombe's hybrid score interval (his method 10): combine each arm's Wilson distances.
    ci_lower = diff - math.sqrt((p_t - low_t) ** 2 + (upp_c - p_c) ** 2)
    ci_upper = diff + math.sqrt((p_c - low_c) ** 2 + (upp_t - p_t) ** 2)
    var_c, var_t = p_c * (1.0 - p_c) / control.n, p_t * (1.0 - p_t) / treatment.n
    wald_half = z_crit * math.sqrt(var_c + var_t)
    pooled = (control.x + treatment.x) / (control.n + treatment.n)
    se_pooled = math.sqrt(pooled * (1.0 - pooled) * (1.0 / control.n + 1.0 / treatment.n))
    code = OK
    z: float | None = None
    p_value: float | None = None
    if se_pooled > 0.0:
        z = diff / se_pooled
        p_value = norm_two_sided_p(z)
    else:
        # Both arms all-converted or none converted: nothing varies, so there is nothing to test.
        code = ZERO_VARIANCE
    lifted = lift_interval(p_c, var_c, p_t, var_t, z_crit)
    lift, lift_lower, lift_upper = lifted or (None, None, None)
    if lifted is None and code == OK:
        code = ZERO_BASELINE
    return ProportionTestResult(
        rate_control=p_c, rate_treatment=p_t, difference=diff, ci_lower=ci_lower, ci_upper=ci_upper,
        wald_lower=diff - wald_half, wald_upper=diff + wald_half, z=z, p_value=p_value, lift=lift,
        lift_lower=lift_lower, lift_upper=lift_upper, alpha=alpha, code=code,
    )

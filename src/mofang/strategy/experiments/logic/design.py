"""Experiment health and planning: sample-ratio mismatch, minimum detectable effect, minimum-sample rule."""

from __future__ import annotations

import math
from collections.abc import Sequence

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments.contracts import (
    EFFECT_UNREACHABLE,
    EMPTY_ARM,
    OK,
    SAMPLE_TOO_SMALL,
    TOO_FEW_CONVERSIONS,
    ZERO_BASELINE,
    MdeResult,
    ProportionStats,
    SrmResult,
)
from mofang.strategy.experiments.logic.distributions import chi2_sf, norm_ppf
from mofang.strategy.experiments.logic.proportions import check_alpha

SRM_THRESHOLD = 0.001
MIN_PER_ARM = 100
MIN_CONVERSIONS = 10


def srm_test(observed: Sequence[int], weights: Sequence[float], *, threshold: float = SRM_THRESHOLD) -> SrmResult:
    """Pearson chi-square of arm sizes against the configured weights; `mismatch` when p < threshold."""
    if len(observed) < 2 or len(observed) != len(weights):
        raise BadRequest("give at least two arms, one weight per arm", field="weights",
                         code="experiment.bad_weights")
    if any(not math.isfinite(w) or w <= 0 for w in weights):
        raise BadRequest("weights must be positive", field="weights", code="experiment.bad_weights")
    if any(o < 0 for o in observed):
        raise BadRequest("arm sizes must not be negative", field="observed", code="experiment.bad_count")
    check_alpha(threshold, "threshold")
    total, weight_sum = sum(observed), math.fsum(weights)
    expected = tuple(total * w / weight_sum for w in weights)
    df = len(observed) - 1
    if total == 0:
        return SrmResult(observed=tuple(observed), expected=expected, chi2=None, df=df, p_value=None,
                         mismatch=False, threshold=threshold, code=EMPTY_ARM)
    chi2 = math.fsum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    p_value = chi2_sf(chi2, df)
    return SrmResult(observed=tuple(observed), expected=expected, chi2=chi2, df=df, p_value=p_value,
                     mismatch=p_value < threshold, threshold=threshold, code=OK)


def minimum_detectable_effect(
    n_per_arm: int, baseline: float, *, alpha: float = 0.05, power: float = 0.8,
) -> MdeResult:
    """Smallest rise over `baseline` a two-sided z-test detects with `power` (Cohen's h, arcsine scale)."""
    z_alpha = check_alpha(alpha)
    if not (0.0 < power < 1.0):
        raise BadRequest("power must be between 0 and 1", field="power", code="experiment.bad_power")
    if not (0.0 <= baseline <= 1.0):
        raise BadRequest("baseline rate must be between 0 and 1", field="baseline", code="experiment.bad_rate")
    if n_per_arm < 0:
        raise BadRequest("n must not be negative", field="n_per_arm", code="experiment.bad_count")

    def result(absolute: float | None, relative: float | None, code: str) -> MdeResult:
        return MdeResult(baseline=baseline, n_per_arm=n_per_arm, absolute=absolute, relative=relative,
                         alpha=alpha, power=power, code=code)

    if n_per_arm == 0:
        return result(None, None, EMPTY_ARM)
    # The arcsine transform makes the variance independent of the rate (1 / n per arm on the h scale), so the
    # detectable h is closed-form and maps back to a rate (the far rejection tail, ~1e-6, is ignored).
    h = (z_alpha + norm_ppf(power)) * math.sqrt(2.0 / n_per_arm)
    angle = math.asin(math.sqrt(baseline)) + h / 2.0
    if angle >= math.pi / 2.0:
        return result(None, None, EFFECT_UNREACHABLE)
    absolute = math.sin(angle) ** 2 - baseline
    if baseline == 0.0:
        return result(absolute, None, ZERO_BASELINE)
    return result(absolute, absolute / baseline, OK)


def min_sample_note(
    control: ProportionStats, treatment: ProportionStats, *, min_per_arm: int = MIN_PER_ARM,
    min_conversions: int = MIN_CONVERSIONS,
) -> str:
    """Whether the normal approximation can be trusted yet: OK, or the code of the first rule broken."""
    arms = (control, treatment)
    if any(s.n == 0 for s in arms):
        return EMPTY_ARM
    if any(s.n < min_per_arm for s in arms):
        return SAMPLE_TOO_SMALL
    # Few non-conversions hurt the approximation as much as few conversions (rates near 100%).
    if any(min(s.x, s.n - s.x) < min_conversions for s in arms):
        return TOO_FEW_CONVERSIONS
    return OK

"""ROI of a campaign against its holdout: incremental value / cost, with a seeded percentile bootstrap."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np

from mofang.platform.errors import BadRequest
from mofang.strategy.experiments.contracts import EMPTY_ARM, OK, ZERO_COST, RoiInterval
from mofang.strategy.experiments.logic.means import finite_values
from mofang.strategy.experiments.logic.proportions import check_alpha

# Resampled indices held in memory at once; bounds the chunk of bootstrap rows drawn per step.
_CELLS_PER_CHUNK = 4_000_000


def _resampled_means(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of `n_resamples` resamples with replacement, drawn in chunks so memory stays bounded."""
    n = values.size
    rows = max(1, _CELLS_PER_CHUNK // n)
    means = np.empty(n_resamples)
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        means[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return means


def bootstrap_roi(
    treated: Sequence[float] | np.ndarray, control: Sequence[float] | np.ndarray, cost: float, *, seed: int,
    n_resamples: int = 2000, alpha: float = 0.05,
) -> RoiInterval:
    """ROI = (mean treated - mean control) x treated customers / cost; percentile interval, same seed same answer."""
    check_alpha(alpha)
    if not (isinstance(cost, Real) and math.isfinite(cost) and cost >= 0):
        raise BadRequest("cost must be a number of at least 0", field="cost", code="experiment.bad_cost")
    if not (isinstance(n_resamples, int) and not isinstance(n_resamples, bool) and 100 <= n_resamples <= 100_000):
        raise BadRequest("n_resamples must be between 100 and 100000", field="n_resamples",
                         code="experiment.bad_resamples")
    t, c = finite_values(treated, "treated"), finite_values(control, "control")

    def result(roi: float | None, lower: float | None, upper: float | None, incremental: float | None,
               code: str) -> RoiInterval:
        return RoiInterval(roi=roi, lower=lower, upper=upper, incremental_value=incremental, cost=float(cost),
                           n_resamples=n_resamples, alpha=alpha, code=code)

    if t.size == 0 or c.size == 0:
        return result(None, None, None, None, EMPTY_ARM)
    incremental = (float(t.mean()) - float(c.mean())) * t.size
    if cost == 0:
        return result(None, None, None, incremental, ZERO_COST)
    rng = np.random.default_rng(seed)
    # Arms are resampled independently: each was drawn on its own (randomised assignment).
    boot = (_resampled_means(t, n_resamples, rng) - _resampled_means(c, n_resamples, rng)) * t.size / cost
    lower, upper = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0])
    return result(incremental / cost, float(lower), float(upper), incremental, OK)

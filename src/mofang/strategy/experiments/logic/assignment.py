"""Sticky assignment: a customer's arm and holdout membership follow from a hash, never from stored state."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from numbers import Real

from mofang.platform.errors import BadRequest

_TWO_POW_53 = float(2**53)


def hash_unit(namespace: str, customer_id: str) -> float:
    """A stable uniform number in [0, 1) from sha256 of namespace and customer (same inputs, same number)."""
    # The NUL separator keeps ("ab", "c") and ("a", "bc") apart; 53 bits fill a double exactly.
    digest = hashlib.sha256(f"{namespace}\x00{customer_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / _TWO_POW_53


def _checked_weights(weights: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    pairs = list(weights)
    names = [name for name, _ in pairs]
    if not pairs or len(set(names)) != len(names):
        raise BadRequest("give at least one variant, each name once", field="weights",
                         code="experiment.bad_weights")
    for _, weight in pairs:
        if not (isinstance(weight, Real) and not isinstance(weight, bool) and math.isfinite(weight)
                and weight >= 0):
            raise BadRequest("weights must be numbers of at least 0", field="weights",
                             code="experiment.bad_weights")
    if math.fsum(w for _, w in pairs) <= 0:
        raise BadRequest("at least one weight must be above 0", field="weights", code="experiment.bad_weights")
    return pairs


def assign_variant(customer_id: str, experiment_key: str, weights: Sequence[tuple[str, float]]) -> str:
    """The variant of `customer_id` in `experiment_key`: the weight bucket its hash falls in (any positive sum)."""
    pairs = _checked_weights(weights)
    point = hash_unit(experiment_key, customer_id) * math.fsum(w for _, w in pairs)
    cumulative = 0.0
    for name, weight in pairs:
        cumulative += weight
        if point < cumulative:
            return name
    # Rounding can leave the top of the range uncovered; it belongs to the last variant given any weight.
    return next(name for name, weight in reversed(pairs) if weight > 0)


def in_holdout(customer_id: str, salt: str, percent: float) -> bool:
    """Whether the customer falls in the `percent` (0-100) global holdout (全局对照组) salted by `salt`."""
    if not (isinstance(percent, Real) and not isinstance(percent, bool) and 0 <= percent <= 100):
        raise BadRequest("holdout percent must be between 0 and 100", field="percent",
                         code="experiment.bad_percent")
    # Its own namespace keeps holdout independent of arms even when a salt equals an experiment key.
    return hash_unit(f"holdout\x00{salt}", customer_id) < percent / 100.0

"""Propensity for a target event: features, labels on a time split, top-percent ranks (reuses the churn model)."""

from __future__ import annotations

from datetime import date

import numpy as np

from mofang.insight.ml import churn as ch
from mofang.insight.ml import features as F
from mofang.platform.storage.eventstore import EventStore

WINDOW_DAYS = 30  # label: did the target event within 30 days after the cutoff
MIN_WINDOW_DAYS = 7
RANK_DECIMALS = 3


def feature_keys(target: str, available_events: set[str]) -> list[str]:
    """The churn model's behaviour features, plus how often the customer did the target event lately."""
    keys = ch.feature_keys(available_events)
    for key in (f"event:{target}", f"event7:{target}"):
        if key not in keys:
            keys.append(key)
    return keys


def window_days(span_days: int, lookback_days: int) -> int | None:
    """The label window the data can hold out (two windows after the lookback), or None when under a week."""
    room = (span_days - lookback_days) // 2
    days = min(WINDOW_DAYS, room)
    return days if days >= MIN_WINDOW_DAYS else None


def labels(store: EventStore, *, event: str, cutoff: date, days: int, ids: np.ndarray) -> np.ndarray:
    """1 for the customers who did the event in the `days` days after the cutoff (nothing on or before it)."""
    return F.event_label(store, event=event, start=cutoff, days=days, ids=ids)


def top_ranks(score: np.ndarray) -> np.ndarray:
    """Each score's place from the top in percent of all (0 < rank ≤ 100); ties share the better place.

    A node keeping the top N% keeps rank ≤ N: with distinct scores that is ⌊N% × n⌋ customers.
    """
    n = len(score)
    if n == 0:
        return np.zeros(0)
    order = np.sort(score)[::-1]
    # Customers scoring strictly higher, plus one: the same place for equal scores.
    higher = np.searchsorted(-order, -score, side="left")
    return np.round(100.0 * (higher + 1) / n, RANK_DECIMALS)


def quantiles(score: np.ndarray) -> list[float]:
    """Scores at 0, 10, …, 100 percent."""
    if len(score) == 0:
        return []
    return [round(float(q), 6) for q in np.quantile(score, np.linspace(0, 1, 11))]

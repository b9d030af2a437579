"""Churn warning: labels from editable rules, a gradient-boosting model on a time split, metrics and risk levels."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from threadpoolctl import threadpool_limits

from mofang.insight.ml import features as F
from mofang.insight.ml.contracts import ChurnRules
from mofang.platform.storage.eventstore import EventStore

HIGH, MEDIUM, LOW = "高", "中", "低"
TOP_SHARE = 0.05  # the console's headline: precision of the top 5% scored
MEDIUM_SHARE = 0.20  # the top 20% (outside the top 5%) are medium risk
CHURN_EVENTS = ("login", "app_start", "page_view", "product_view", "sign_in", "coupon_claim", "search",
                "wealth_purchase", "fund_purchase")


def feature_keys(available_events: set[str]) -> list[str]:
    """The churn model's features: numbers only, each as of the scoring day.

    Holdings are left out: the store keeps only today's balances, so for a past cutoff they would leak
    the outcome (a churner's emptied accounts) into training.
    """
    keys = ["age", "aum", "tenure_days", "aum_change_30d", "aum_change_7d", "days_since_login",
            "txn:transfer_out", "txn:salary", "txn:card_spend"]
    for e in CHURN_EVENTS:
        if e in available_events:
            keys += [f"event:{e}", f"event7:{e}"]
    return keys


def population_and_labels(store: EventStore, *, cutoff: date, ids: np.ndarray, rules: ChurnRules
                          ) -> tuple[np.ndarray, np.ndarray]:
    """(who can churn, who did) for customers `ids` as of `cutoff`, judged `window_days` later.

    At risk: AUM ≥ min_aum, or a login within the inactivity period up to the cutoff. Churned: AUM down by
    at least aum_drop_pct% at the end of the window, or no login during the inactivity period ending then.
    """
    end = cutoff + timedelta(days=rules.window_days)
    rows = store.query(
        """WITH a0 AS (SELECT customer_id, arg_max(aum, date) AS aum FROM aum_daily WHERE date <= $cut
                       GROUP BY customer_id),
                a1 AS (SELECT customer_id, arg_max(aum, date) AS aum FROM aum_daily WHERE date <= $end
                       GROUP BY customer_id),
                l0 AS (SELECT DISTINCT customer_id FROM events WHERE event = 'login' AND ts >= $l0_lo AND ts < $l0_hi
                       AND customer_id IS NOT NULL),
                l1 AS (SELECT DISTINCT customer_id FROM events WHERE event = 'login' AND ts >= $l1_lo AND ts < $l1_hi
                       AND customer_id IS NOT NULL)
           SELECT c.customer_id, a0.aum AS aum0, a1.aum AS aum1,
                  l0.customer_id IS NOT NULL AS active0, l1.customer_id IS NOT NULL AS active1
           FROM customers c LEFT JOIN a0 USING (customer_id) LEFT JOIN a1 USING (customer_id)
                LEFT JOIN l0 USING (customer_id) LEFT JOIN l1 USING (customer_id)""",
        {"cut": cutoff, "end": end,
         "l0_lo": F.day_start(cutoff - timedelta(days=rules.inactive_days - 1)),
         "l0_hi": F.day_start(cutoff + timedelta(days=1)),
         "l1_lo": F.day_start(end - timedelta(days=rules.inactive_days - 1)),
         "l1_hi": F.day_start(end + timedelta(days=1))},
    )
    by_id = {r["customer_id"]: r for r in rows}
    at_risk = np.zeros(len(ids), dtype=bool)
    churned = np.zeros(len(ids), dtype=np.int8)
    keep = 1 - rules.aum_drop_pct / 100
    for i, cid in enumerate(ids):
        r = by_id.get(cid)
        if r is None:
            continue
        aum0, aum1 = r["aum0"] or 0.0, r["aum1"] or 0.0
        by_aum = rules.use_aum_rule and aum0 >= max(rules.min_aum, 0.01)
        by_login = rules.use_login_rule and bool(r["active0"])
        at_risk[i] = by_aum or by_login
        churned[i] = int((by_aum and aum1 <= aum0 * keep) or (by_login and not r["active1"]))
    return at_risk, churned


def train_cutoffs(*, start: date, end: date, window_days: int, lookback_days: int = 30, count: int = 3
                  ) -> tuple[list[date], date]:
    """(training cutoffs, holdout cutoff): the holdout's labels fill the last window; training labels end before it."""
    holdout = end - timedelta(days=window_days)
    latest = holdout - timedelta(days=window_days)
    cutoffs = [latest - timedelta(days=7 * i) for i in range(count)]
    cutoffs = [c for c in cutoffs if c >= start + timedelta(days=lookback_days)] or [latest]
    return cutoffs, holdout


def effective_rules(rules: ChurnRules, *, span_days: int) -> tuple[ChurnRules, list[str]]:
    """The rules training can label with this much data, and plain notes on what had to give.

    Labelling "no login for N days" at a training cutoff needs N days of history before it, and the
    training cutoff sits two windows before the end of the data: so N can be at most span − 2 × window.
    A shorter span shortens the inactivity period (or, below a week, drops the login rule) — said openly.
    """
    room = span_days - 2 * rules.window_days
    if not rules.use_login_rule or rules.inactive_days <= room:
        return rules, []
    if room >= 7:
        note = (f"数据仅 {span_days} 天：训练期最多能判定「{room} 天未登录」，本次按 {room} 天（规则设定 "
                f"{rules.inactive_days} 天，需 {rules.inactive_days + 2 * rules.window_days} 天数据）训练和评估。")
        return rules.model_copy(update={"inactive_days": room}), [note]
    note = f"数据仅 {span_days} 天，无法判定未登录型流失：本次只用 AUM 规则训练和评估。"
    return rules.model_copy(update={"use_login_rule": False}), [note]


def fit(x: np.ndarray, y: np.ndarray) -> HistGradientBoostingClassifier:
    """Gradient boosting on the training rows (deterministic)."""
    model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08, max_leaf_nodes=15,
                                           min_samples_leaf=20, l2_regularization=1.0, early_stopping=False,
                                           random_state=0)
    # One thread: on small shared machines OpenMP contention made fitting ten times slower, not faster.
    with threadpool_limits(limits=1):
        return model.fit(x, y)


def predict(model: HistGradientBoostingClassifier, x: np.ndarray) -> np.ndarray:
    """Churn probability per row."""
    if len(x) == 0:
        return np.zeros(0)
    with threadpool_limits(limits=1):
        return model.predict_proba(x)[:, 1]


def top_share_metrics(y: np.ndarray, score: np.ndarray, share: float = TOP_SHARE) -> dict[str, float]:
    """Precision, recall and lift among the `share` highest scores."""
    n = len(y)
    if n == 0:
        return {"precision": 0.0, "recall": 0.0, "lift": 0.0}
    k = max(1, round(n * share))
    top = np.argsort(-score, kind="stable")[:k]
    hits = float(y[top].sum())
    base = float(y.mean())
    precision = hits / k
    return {"precision": round(precision, 4), "recall": round(hits / y.sum(), 4) if y.sum() else 0.0,
            "lift": round(precision / base, 3) if base else 0.0}


def cuts(score: np.ndarray) -> tuple[float, float]:
    """(high, medium) score thresholds: the top 5% and top 20% of the held-out scores."""
    if len(score) == 0:
        return 1.0, 1.0
    return float(np.quantile(score, 1 - TOP_SHARE)), float(np.quantile(score, 1 - MEDIUM_SHARE))


def levels(score: np.ndarray, *, high: float, medium: float) -> np.ndarray:
    """高 / 中 / 低 per score."""
    return np.where(score >= high, HIGH, np.where(score >= medium, MEDIUM, LOW))


def importances(model: HistGradientBoostingClassifier, x: np.ndarray, y: np.ndarray, keys: list[str], k: int = 8
                ) -> list[dict[str, float | str]]:
    """The features that matter most on the holdout (permutation importance on AUC)."""
    if len(np.unique(y)) < 2:
        return []
    rows = np.random.default_rng(0).permutation(len(y))[:2000]
    with threadpool_limits(limits=1):
        res = permutation_importance(model, x[rows], y[rows], scoring="roc_auc", n_repeats=1, random_state=0)
    order = np.argsort(-res.importances_mean)[:k]
    out: list[dict[str, float | str]] = []
    for i in order:
        f = F.parse(keys[i])
        assert f is not None
        out.append({"feature": keys[i], "label": F.label(f), "importance": round(float(res.importances_mean[i]), 4)})
    return out

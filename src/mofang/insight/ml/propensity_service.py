"""Propensity models per target event (高潜筛选): train on a time split, score every customer into the profiles."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from mofang.insight import profiles
from mofang.insight.ml import churn as ch
from mofang.insight.ml import features as F
from mofang.insight.ml import propensity as pr
from mofang.insight.ml import repository as repo
from mofang.insight.ml import tree as tr
from mofang.insight.ml.contracts import PropensityMetrics, PropensityRead
from mofang.insight.ml.models import MlModel
from mofang.insight.ml.service import LOOKBACK_DAYS, SYSTEM
from mofang.insight.segments import service as seg_service
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.models import as_utc

log = logging.getLogger("mofang.insight.ml")
KIND = "propensity"


def _known_event(platform: Platform, event: str) -> None:
    # One indexed probe, not the list of every event name: the side panel asks on every node it opens.
    seen = platform.store.query("SELECT 1 AS x FROM events WHERE event = $e AND customer_id IS NOT NULL LIMIT 1",
                                {"e": event})
    if event in F.SKIP_EVENTS or not seen:
        raise Invalid(f"no customer has done '{event}': a propensity model needs a tracked event", field="event",
                      code="propensity.unknown_event", params={"event": event})


def _active(session: Session, event: str) -> MlModel | None:
    return next((m for m in repo.models(session, KIND) if m.active and m.spec.get("event") == event), None)


def modelled_events(*, session: Session) -> list[str]:
    """Target events with an active propensity model (retrained daily with those of running strategies)."""
    return sorted({m.spec["event"] for m in repo.models(session, KIND) if m.active})


def train_propensity(*, platform: Platform, event: str, who: Principal = SYSTEM) -> int:
    """Train the event's model on earlier cutoffs, evaluate on the held-out last window, score today; its id.

    One bank-wide model per event: features up to a cutoff, label = did the event within the window after it.
    """
    _known_event(platform, event)
    store = platform.store
    start, end = F.data_start(store), F.data_end(store)
    if start is None or end is None:
        raise Invalid("there is no customer data to learn from yet", field="event", code="propensity.no_data")
    span = (end - start).days + 1
    days = pr.window_days(span, LOOKBACK_DAYS)
    if days is None:
        raise Invalid(f"a propensity model needs {LOOKBACK_DAYS + 2 * pr.MIN_WINDOW_DAYS} days of data, the store "
                      f"has {span}", field="event", code="propensity.short_history", params={"days": span})
    keys = pr.feature_keys(event, F.event_names(store))
    cutoffs, holdout_cut = ch.train_cutoffs(start=start, end=end, window_days=days, lookback_days=LOOKBACK_DAYS)
    xs, ys = [], []
    for cut in cutoffs:
        ids, x = F.matrix(store, cutoff=cut, keys=keys, scope=Scope(kind="all"))
        xs.append(x)
        ys.append(pr.labels(store, event=event, cutoff=cut, days=days, ids=ids))
    x_train, y_train = np.vstack(xs), np.concatenate(ys)
    if len(np.unique(y_train)) < 2:
        raise Invalid(f"nobody (or everybody) did '{event}' in the training period: nothing to learn",
                      field="event", code="propensity.one_class", params={"event": event})
    model = ch.fit(x_train, y_train)
    ids, x = F.matrix(store, cutoff=holdout_cut, keys=keys, scope=Scope(kind="all"))
    y_hold = pr.labels(store, event=event, cutoff=holdout_cut, days=days, ids=ids)
    held = ch.predict(model, x)
    metrics = PropensityMetrics(
        event=event, window_days=days, train_cutoffs=cutoffs, holdout_cutoff=holdout_cut, train_rows=len(y_train),
        train_positives=int(y_train.sum()), holdout_rows=len(y_hold), holdout_positives=int(y_hold.sum()),
        positive_rate=round(float(y_hold.mean()), 4) if len(y_hold) else 0.0, auc=tr.auc(y_hold, held),
        lift_top10=ch.top_share_metrics(y_hold, held, 0.10)["lift"], score_quantiles=[],
    )
    with platform.metadata.session() as session:
        for old in repo.models(session, KIND):
            if old.spec.get("event") == event:
                old.active = False
        row = MlModel(kind=KIND, name=f"高潜筛选：{event}"[:128], owner_org="HQ",
                      spec={"event": event, "features": keys, "window_days": days},
                      metrics=metrics.model_dump(mode="json"), nodes=[], active=True, created_by=who.username)
        session.add(row)
        session.flush()
        row.path = repo.save_binary(platform.settings.data_dir, f"propensity-{row.id}.joblib", model)
        gov.record(session=session, username=who.username, action="ml.propensity.train", target_type="ml_model",
                   target_id=str(row.id), detail={"event": event, "auc": metrics.auc}, ip=who.ip)
        model_id = row.id
    score_propensity(platform=platform, event=event, day=seg_service.today_of(platform), model=model)
    return model_id


def score_propensity(*, platform: Platform, event: str, day: date, model: object | None = None) -> int | None:
    """Score every customer as of `day` with the event's active model into the profiles; how many were scored."""
    with platform.metadata.session() as session:
        row = _active(session, event)
        if row is None:
            return None
        row_id, path, keys = row.id, row.path, list(row.spec["features"])
    fitted = model if model is not None else repo.load_binary(platform.settings.data_dir, path)
    ids, x = F.matrix(platform.store, cutoff=day, keys=keys, scope=Scope(kind="all"))
    score = ch.predict(fitted, x)  # type: ignore[arg-type]
    ranks = pr.top_ranks(score)
    n = profiles.write_scores(platform=platform, event=event, values={
        c: (round(float(s), 4), float(r)) for c, s, r in zip(ids.tolist(), score, ranks, strict=True)})
    with platform.metadata.session() as session:
        row = repo.model(session, row_id)
        if row is not None:
            row.spec = {**row.spec, "scored_on": day.isoformat(), "scored": n}
            row.metrics = {**row.metrics, "score_quantiles": pr.quantiles(score)}
    log.info("propensity scores for %s on %s: %d customers", event, day, n)
    return n


def refresh(*, platform: Platform, events: Iterable[str], day: date) -> dict[str, str]:
    """Retrain and rescore each event's model (the daily job); event → "ok" or why it was skipped."""
    out: dict[str, str] = {}
    for event in sorted(set(events)):
        try:
            train_propensity(platform=platform, event=event)
            out[event] = "ok"
        except Invalid as exc:  # too little data or an event nobody does yet: the old model (if any) stays
            log.warning("propensity model for %s not retrained: %s", event, exc)
            out[event] = exc.code or "invalid"
            score_propensity(platform=platform, event=event, day=day)
    return out


def get_propensity(*, platform: Platform, session: Session, who: Principal, event: str) -> PropensityRead:
    """The event's model: when trained, held-out metrics (whole-bank viewers), and counts in the viewer's scope."""
    _known_event(platform, event)
    row = _active(session, event)
    customers, known, scored = profiles.smart_counts(session=session, scope=who.scope, event=event)
    base = PropensityRead(event=event, trained=row is not None, customers=customers, scored=scored,
                          best_hour_known=known)
    if row is None:
        return base
    scored_on = row.spec.get("scored_on")
    return base.model_copy(update={
        "model_id": row.id, "trained_at": as_utc(row.created_at), "trained_by": row.created_by,
        "scored_on": date.fromisoformat(scored_on) if scored_on else None,
        # Trained and held out on the whole bank: its rows, positives and rates describe every branch's customers.
        "metrics": PropensityMetrics.model_validate(row.metrics) if who.scope.kind == "all" else None,
    })

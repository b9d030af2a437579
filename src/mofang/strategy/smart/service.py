"""Smart-node models: which target events running strategies need, their status and training, the daily refresh."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from mofang.insight import ml, profiles
from mofang.insight.ml import PropensityRead
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal
from mofang.strategy import canvas
from mofang.strategy.canvas.contracts import Propensity
from mofang.strategy.smart.contracts import BestTimeRead

log = logging.getLogger("mofang.strategy.smart")


def target_events(*, session: Session) -> set[str]:
    """Target events of the 高潜筛选 nodes of every published or paused strategy."""
    return {n.target_event for s in canvas.running(session=session) for n in s.graph.nodes
            if isinstance(n, Propensity)}


def propensity_status(*, platform: Platform, session: Session, who: Principal, event: str) -> PropensityRead:
    """The event's model as the side panel shows it (held-out figures for whole-bank viewers; counts in scope)."""
    return ml.get_propensity(platform=platform, session=session, who=who, event=event)


def train_now(*, platform: Platform, session: Session, who: Principal, event: str) -> PropensityRead:
    """Train the event's model now (from the side panel) and score every customer; audited."""
    ml.train_propensity(platform=platform, event=event, who=who)
    session.expire_all()  # the model was written in a session of its own
    return ml.get_propensity(platform=platform, session=session, who=who, event=event)


def best_time_status(*, session: Session, who: Principal) -> BestTimeRead:
    """How many customers in the viewer's scope have a best hour (the others wait for the node's default hour)."""
    customers, known, _ = profiles.smart_counts(session=session, scope=who.scope, event=None)
    return BestTimeRead(customers=customers, known=known)


def refresh_daily(platform: Platform, day: date) -> dict[str, Any]:
    """Retrain the models running strategies use (and those trained on demand), rescore, recompute best hours."""
    with platform.metadata.session() as session:
        events = target_events(session=session) | set(ml.modelled_events(session=session))
    models = ml.refresh(platform=platform, events=events, day=day)
    known = profiles.refresh_best_hours(platform=platform, day=day)
    log.info("smart refresh for %s: models %s, best hours known for %d customers", day, models, known)
    return {"models": models, "best_hours": known}

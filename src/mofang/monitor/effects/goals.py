"""Goal tracking (目标跟踪): targets owners state for a strategy or campaign, against what the effect achieved."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import select

from mofang.monitor.effects import logic, service
from mofang.monitor.effects import repository as repo
from mofang.monitor.effects.contracts import GoalCreate, GoalPoint, GoalProgress, GoalRead
from mofang.monitor.effects.models import EffectGoal
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Forbidden, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.storage.models import as_utc

MAX_GOAL_DAYS = 366
# Plausible bounds per metric: a typo (30000 for 30%) is refused rather than tracked for a year.
TARGET_BOUNDS = {"conversion_lift_pct": (-100.0, 10_000.0), "incremental_conversions": (-1e9, 1e9),
                 "incremental_aum": (-1e13, 1e13), "roi": (-1e6, 1e6)}


def _check(data: GoalCreate) -> None:
    if any(not 1 <= s <= 2**31 - 1 for s in data.strategy_ids):
        raise BadRequest("strategy ids are positive integers", field="strategy_ids", code="effects.bad_strategies")
    lo, hi = TARGET_BOUNDS[data.metric]
    if not (lo <= data.target <= hi) or data.target == 0:
        raise BadRequest(f"a {data.metric} target lies in [{lo:g}, {hi:g}] and is not 0", field="target",
                         code="effects.bad_target")
    for name, d in (("period_from", data.period_from), ("period_to", data.period_to)):
        if not 1990 <= d.year <= 2200:
            raise BadRequest("dates must lie between 1990 and 2200", field=name, code="effects.bad_period")
    if data.period_to < data.period_from or (data.period_to - data.period_from).days >= MAX_GOAL_DAYS:
        raise BadRequest(f"the period must be one to {MAX_GOAL_DAYS} days, not ending before it starts",
                         field="period_to", code="effects.bad_period")


def create_goal(*, platform: Platform, who: Principal, data: GoalCreate) -> GoalRead:
    """State a target for strategies the user's org owns (or is above), audited."""
    _check(data)
    ids = sorted(set(data.strategy_ids))
    with platform.metadata.session() as s:
        names = repo.strategy_names(s, ids)
        missing = [i for i in ids if i not in names]
        if missing:
            raise NotFound(f"strategy {missing[0]} not found", field="strategy_ids",
                           code="effects.strategy_not_found")
        if who.scope.kind == "rm" or not all(who.scope.allows_org(names[i][1]) for i in ids):
            raise Forbidden("only the strategies' owner org or an org above it may set their targets",
                            field="strategy_ids", code="effects.goal_not_owner")
        row = EffectGoal(strategy_ids=ids, first_strategy_id=ids[0], campaign_id=data.campaign_id,
                         metric=data.metric, target=data.target, period_from=data.period_from,
                         period_to=data.period_to, name=data.name, org_code=who.org_code, created_by=who.username)
        s.add(row)
        s.flush()
        gov.record(session=s, username=who.username, action="effects.goal.create", target_type="strategy",
                   target_id=",".join(map(str, ids)),
                   detail={"goal_id": row.id, "metric": data.metric, "target": data.target,
                           "campaign_id": data.campaign_id, "period_from": data.period_from.isoformat(),
                           "period_to": data.period_to.isoformat(), "name": data.name})
        s.commit()
        return _read(row)


def delete_goal(*, platform: Platform, who: Principal, goal_id: int) -> None:
    """Withdraw a target (owner org or above), audited."""
    with platform.metadata.session() as s:
        row = s.get(EffectGoal, goal_id)
        if row is None:
            raise NotFound(f"goal {goal_id} not found", field="goal_id", code="effects.goal_not_found")
        names = repo.strategy_names(s, row.strategy_ids)
        owners = [names[i][1] for i in row.strategy_ids if i in names]
        if who.scope.kind == "rm" or not all(who.scope.allows_org(o) for o in owners):
            raise Forbidden("only the strategies' owner org or an org above it may withdraw their targets",
                            field="goal_id", code="effects.goal_not_owner")
        gov.record(session=s, username=who.username, action="effects.goal.delete", target_type="strategy",
                   target_id=",".join(map(str, row.strategy_ids)),
                   detail={"goal_id": goal_id, "metric": row.metric, "target": row.target})
        s.delete(row)
        s.commit()


def _read(r: EffectGoal) -> GoalRead:
    return GoalRead(id=r.id, strategy_ids=list(r.strategy_ids), campaign_id=r.campaign_id,
                    metric=r.metric,  # type: ignore[arg-type]
                    target=r.target, period_from=r.period_from, period_to=r.period_to, name=r.name,
                    created_by=r.created_by, created_at=as_utc(r.created_at))


def list_goals(*, platform: Platform, who: Principal, strategy_ids: Sequence[int], campaign_id: int | None,
               window_days: int = 30, value_per_conversion: float = 0.0, aum_value_rate: float = 0.01,
               now: datetime) -> list[GoalProgress]:
    """The targets of a strategy (or campaign), each against what was achieved within the viewer's scope."""
    ids = sorted(set(strategy_ids))
    with platform.metadata.session() as s:
        stmt = select(EffectGoal).order_by(EffectGoal.id)
        if campaign_id is not None:
            stmt = stmt.where(EffectGoal.campaign_id == campaign_id)
        else:
            stmt = stmt.where(EffectGoal.campaign_id.is_(None), EffectGoal.first_strategy_id == ids[0])
        rows = [r for r in s.scalars(stmt) if campaign_id is not None or sorted(r.strategy_ids) == ids]
        goals = [_read(r) for r in rows]
    return [progress(platform=platform, who=who, goal=g, window_days=window_days,
                     value_per_conversion=value_per_conversion, aum_value_rate=aum_value_rate, now=now)
            for g in goals]


def progress(*, platform: Platform, who: Principal, goal: GoalRead, window_days: int, value_per_conversion: float,
             aum_value_rate: float, now: datetime) -> GoalProgress:
    """Achieved now (the effect over the goal's period) and by entry day (the same lift, cumulated)."""
    effect, parts = service.measure(platform=platform, scope=who.scope, strategy_ids=goal.strategy_ids,
                                    campaign_id=goal.campaign_id, date_from=goal.period_from,
                                    date_to=goal.period_to, window_days=window_days,
                                    value_per_conversion=value_per_conversion, aum_value_rate=aum_value_rate,
                                    n_resamples=500 if goal.metric == "roi" else 100, now=now)
    achieved, lo, hi = logic.goal_value(goal.metric, effect.lift, effect.aum, effect.roi)
    series: list[GoalPoint] = []
    if goal.metric in ("conversion_lift_pct", "incremental_conversions"):
        for d, lift in zip(effect.daily, logic.cumulative_lifts(parts.kind, effect.daily), strict=True):
            series.append(GoalPoint(day=d.day, achieved=logic.goal_value(goal.metric, lift, effect.aum, None)[0]))
    elif goal.metric == "incremental_aum":
        series = _aum_series(parts, window_days)
    share, met = logic.share_met(achieved, goal.target)
    return GoalProgress(goal=goal, achieved=_finite(achieved), lower=_finite(lo), upper=_finite(hi),
                        share=_finite(share), met=met, series=series, notes=effect.notes)


def _aum_series(parts: service.Parts, window_days: int) -> list[GoalPoint]:
    """Incremental AUM of the entries through each entry day (the module's CUPED DiD on a growing cohort)."""
    out = []
    has = np.isfinite(parts.change)
    treated = ~parts.control
    for d in np.unique(parts.day):
        m = has & (parts.day <= d)
        t, c = treated & m, parts.control & m
        aum = logic.aum_effect_of(parts.kind, window_days, service.covariates(parts.pre[t], parts.change[t]),
                                  None if parts.kind == "none" else service.covariates(parts.pre[c],
                                                                                       parts.change[c]))
        out.append(GoalPoint(day=d.astype(object), achieved=_finite(aum.incremental_aum)))
    return out


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v


"""Effect evaluation: a strategy's (or campaign's) funnel, lift, AUM DiD, costs and ROI; fixed costs; portfolio."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from mofang.monitor.effects import columns, logic
from mofang.monitor.effects import repository as repo
from mofang.monitor.effects.contracts import (
    Arm,
    ControlKind,
    Costs,
    FixedCostCreate,
    FixedCostRead,
    Portfolio,
    PortfolioRow,
    StrategyEffect,
)
from mofang.monitor.effects.models import EffectFixedCost
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Forbidden, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.storage.models import as_utc
from mofang.strategy.experiments import CovariateStats

MAX_STRATEGIES = 200
Basis = Literal["issued", "redeemed"]


def _check(strategy_ids: Sequence[int], window_days: int, date_from: date | None, date_to: date | None) -> None:
    if not strategy_ids or len(strategy_ids) > MAX_STRATEGIES or any(s < 1 for s in strategy_ids):
        raise BadRequest(f"give between 1 and {MAX_STRATEGIES} strategy ids", field="strategy_ids",
                         code="effects.bad_strategies")
    if not 1 <= window_days <= 365:
        raise BadRequest("the AUM window must be 1 to 365 days", field="window_days", code="effects.bad_window")
    for name, d in (("date_from", date_from), ("date_to", date_to)):
        if d is not None and not 1990 <= d.year <= 2200:
            raise BadRequest("dates must lie between 1990 and 2200", field=name, code="effects.bad_period")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadRequest("the period must not end before it starts", field="date_to", code="effects.bad_period")


def _bounds(d0: date | None, d1: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Bank-local days [d0, d1] as UTC instants (naive: how the engine's timestamps compare)."""
    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    return (at(d0) if d0 else None, at(d1 + timedelta(days=1)) if d1 else None)


def bounds_of(d0: date, d1: date) -> tuple[datetime, datetime]:
    """Bank days [d0, d1] (Asia/Shanghai, as the portfolio counts them) as naive UTC instants."""
    since, until = _bounds(d0, d1, ZoneInfo("Asia/Shanghai"))
    assert since is not None and until is not None
    return since, until


def _tz(graphs: dict[int, dict[str, Any]]) -> ZoneInfo:
    names = {(g.get("settings") or {}).get("timezone", "Asia/Shanghai") for g in graphs.values()} or {"Asia/Shanghai"}
    try:
        return ZoneInfo(sorted(names)[0])
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def covariates(x: np.ndarray, y: np.ndarray) -> CovariateStats:
    """Sufficient statistics of (pre-period, change) for CUPED."""
    return CovariateStats(n=int(x.size), sum_x=float(x.sum()), sum_x2=float((x * x).sum()), sum_y=float(y.sum()),
                          sum_y2=float((y * y).sum()), sum_xy=float((x * y).sum()))


@dataclass(frozen=True)
class Parts:
    """Per-entry columns behind an effect (what goal tracking re-aggregates by entry day)."""

    kind: ControlKind
    day: np.ndarray  # datetime64[D] entry day
    control: np.ndarray
    pre: np.ndarray  # AUM before entry (NaN: unmeasured)
    change: np.ndarray  # AUM change over the window (NaN: unmeasured or window not over)


def strategy_effect(
    *, platform: Platform, scope: Scope, strategy_ids: Sequence[int], campaign_id: int | None = None,
    date_from: date | None = None, date_to: date | None = None, window_days: int = 30,
    value_per_conversion: float = 0.0, aum_value_rate: float = 0.01, benefit_basis: Basis = "issued",
    seed: int = 20260101, n_resamples: int = 2000, now: datetime,
) -> StrategyEffect:
    """The 效果评估 of strategies (a campaign's, when `campaign_id` is given), counted within `scope`."""
    return measure(platform=platform, scope=scope, strategy_ids=strategy_ids, campaign_id=campaign_id,
                   date_from=date_from, date_to=date_to, window_days=window_days,
                   value_per_conversion=value_per_conversion, aum_value_rate=aum_value_rate,
                   benefit_basis=benefit_basis, seed=seed, n_resamples=n_resamples, now=now)[0]


def measure(
    *, platform: Platform, scope: Scope, strategy_ids: Sequence[int], campaign_id: int | None = None,
    date_from: date | None = None, date_to: date | None = None, window_days: int = 30,
    value_per_conversion: float = 0.0, aum_value_rate: float = 0.01, benefit_basis: Basis = "issued",
    seed: int = 20260101, n_resamples: int = 2000, now: datetime,
) -> tuple[StrategyEffect, Parts]:
    """The effect and the per-entry columns it was computed from."""
    ids = sorted(set(strategy_ids))
    _check(ids, window_days, date_from, date_to)
    with platform.metadata.session() as s:
        graphs = repo.latest_graphs(s, ids)
        if not graphs:
            raise NotFound("none of these strategies was ever published", field="strategy_ids",
                           code="effects.not_published")
        tz = _tz(graphs)
        offset = int((now.astimezone(tz).utcoffset() or timedelta(0)).total_seconds())
        since, until = _bounds(date_from, date_to, tz)
        single = graphs.get(ids[0]) if len(ids) == 1 else None
        kind, control_label = logic.control_of(single, repo.has_holdout(s, strategy_ids=ids))
        if kind == "none" and len(ids) > 1:
            kind, control_label = logic.control_of(graphs.get(ids[0]), False)
        ctl = repo.control_expr(control_label, kind == "holdout")
        with_variants = any(n.get("type") == "ab_split" for g in graphs.values() for n in g.get("nodes", []))
        # The message log and costs do not depend on the entries: read them on a second connection meanwhile.
        spending = _run_beside(platform, lambda: _spending(platform, ids, campaign_id, scope, with_variants,
                                                           benefit_basis))
        e = repo.entries(s, strategy_ids=ids, scope=scope, since=since, until=until, control=ctl,
                         offset_seconds=offset)
        by_variant = repo.treated_groups(s, strategy_ids=ids, scope=scope, since=since, until=until, control=ctl,
                                         by="variant") if with_variants else {}

    control = e.control
    treated = ~control
    by_branch = columns.group_counts(e.org_code, treated, e.converted)
    treated_arm = Arm(name="treated", customers=int(treated.sum()), conversions=int(e.converted[treated].sum()))
    ref_arm = None if kind == "none" else Arm(name=kind, customers=int(control.sum()),
                                              conversions=int(e.converted[control].sum()))
    lift = logic.lift_of(kind, treated_arm, ref_arm)

    settings = (single or {}).get("settings") or {}
    weights = logic.expected_weights(kind, single, control_label, float(settings.get("holdout_percent", 0) or 0))
    srm_p = logic.srm_of((treated_arm.customers, ref_arm.customers if ref_arm else 0), weights)

    days = e.day
    uniq, inv = logic.day_index(days)
    k = uniq.size
    daily = logic.daily_lift(
        [d.astype(object) for d in uniq],
        np.bincount(inv, weights=treated, minlength=k).astype(int).tolist(),
        np.bincount(inv, weights=treated & e.converted, minlength=k).astype(int).tolist(),
        np.bincount(inv, weights=control, minlength=k).astype(int).tolist(),
        np.bincount(inv, weights=control & e.converted, minlength=k).astype(int).tolist()) if k else []

    # AUM: only entries whose window has ended by today are measured (a half-window would understate the change).
    today = np.datetime64(now.astimezone(tz).date(), "D")
    post = days + np.timedelta64(window_days, "D")
    mature = post <= today
    ids_mature = e.customer_id if mature.all() else e.customer_id.filter(pa.array(mature))
    x, y = repo.aum_changes(platform.store, customer_id=ids_mature, pre_day=days[mature] - 1, post_day=post[mature])
    change = np.full(control.size, np.nan)
    pre = np.full(control.size, np.nan)
    change[mature], pre[mature] = y - x, x
    has = np.isfinite(change)
    t_cov = covariates(pre[treated & has], change[treated & has])
    c_cov = None if kind == "none" else covariates(pre[control & has], change[control & has])
    aum = logic.aum_effect_of(kind, window_days, t_cov, c_cov)

    rows, benefits, fixed_fen = spending.result()
    messages: dict[str, float] = {}
    for r in rows:
        messages[r["channel"]] = messages.get(r["channel"], 0.0) + float(r["cost"])
    msg_yuan = {ch: logic.yuan(v) for ch, v in sorted(messages.items())}
    ben_yuan = {kd: logic.yuan(v) for kd, v in sorted(benefits.items())}
    total = round(sum(msg_yuan.values()) + sum(ben_yuan.values()) + logic.yuan(fixed_fen), 2)
    costs = Costs(messages=msg_yuan, benefits=ben_yuan, fixed=logic.yuan(fixed_fen), total=total,
                  benefit_basis=benefit_basis)

    values = logic.customer_values(e.converted, change, value_per_conversion=value_per_conversion,
                                   aum_value_rate=aum_value_rate)
    roi, binned = logic.roi_of(values[treated], None if kind == "none" else values[control], total, seed=seed,
                               n_resamples=n_resamples, value_per_conversion=value_per_conversion,
                               aum_value_rate=aum_value_rate, incremental_conversions=lift.incremental_conversions)

    funnel = logic.funnel_of(rows, targeted=treated_arm.customers, converted=treated_arm.conversions,
                             by_variant=by_variant, by_branch=by_branch)
    notes = logic.notes_of(kind, lift, srm_p, logic.novelty(daily), total, aum, binned)
    effect = StrategyEffect(strategy_ids=ids, campaign_id=campaign_id, date_from=date_from, date_to=date_to,
                            funnel=funnel, lift=lift, aum=aum, costs=costs, roi=roi, daily=daily,
                            srm_p_value=srm_p, notes=notes)
    return effect, Parts(kind=kind, day=days, control=control, pre=pre, change=change)


Spending = tuple[list[dict[str, Any]], dict[str, int], int]


def _spending(platform: Platform, ids: Sequence[int], campaign_id: int | None, scope: Scope, by_variant: bool,
              basis: Basis) -> Spending:
    """The scoped message rows (funnel and cost), benefit costs per kind and fixed costs (fen), in one session."""
    with platform.metadata.session() as s:
        rows = repo.delivery_counts(s, strategy_ids=ids, campaign_id=campaign_id, scope=scope, by_variant=by_variant)
        benefits = repo.benefit_costs(s, campaign_id=campaign_id, strategy_ids=ids, scope=scope, basis=basis)
        return rows, benefits, sum(f.amount_fen for f in repo.fixed_costs(s, ids))


def _run_beside(platform: Platform, work: Callable[[], Spending]) -> Future[Spending]:
    """`work` on a thread of its own (its reads wait on the database, not the GIL); inline when the metadata
    database lives in memory (a second connection would see another, empty database)."""
    if platform.metadata.engine.url.database in (None, "", ":memory:"):
        done: Future[Spending] = Future()
        done.set_result(work())
        return done
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mofang-effects")
    try:
        return pool.submit(work)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def add_fixed_cost(*, platform: Platform, who: Principal, data: FixedCostCreate) -> FixedCostRead:
    """Record a fixed cost of a strategy the user's org owns (or is above), audited."""
    with platform.metadata.session() as s:
        names = repo.strategy_names(s, [data.strategy_id])
        if data.strategy_id not in names:
            raise NotFound(f"strategy {data.strategy_id} not found", field="strategy_id",
                           code="effects.strategy_not_found")
        if not who.scope.allows_org(names[data.strategy_id][1]) or who.scope.kind == "rm":
            raise Forbidden("only the strategy's owner org or an org above it may enter its costs",
                            field="strategy_id", code="effects.not_owner")
        row = EffectFixedCost(strategy_id=data.strategy_id, amount_fen=round(data.amount * 100), note=data.note,
                              org_code=who.org_code, created_by=who.username)
        s.add(row)
        s.flush()
        gov.record(session=s, username=who.username, action="effects.fixed_cost.create", target_type="strategy",
                   target_id=str(data.strategy_id), detail={"amount": data.amount, "note": data.note})
        s.commit()
        return _fixed_read(row)


def list_fixed_costs(*, platform: Platform, who: Principal, strategy_id: int) -> list[FixedCostRead]:
    """Fixed costs of a strategy the user may see."""
    with platform.metadata.session() as s:
        names = repo.strategy_names(s, [strategy_id])
        if strategy_id not in names:
            raise NotFound(f"strategy {strategy_id} not found", field="strategy_id",
                           code="effects.strategy_not_found")
        return [_fixed_read(r) for r in repo.fixed_costs(s, [strategy_id])]


def _fixed_read(r: EffectFixedCost) -> FixedCostRead:
    return FixedCostRead(id=r.id, strategy_id=r.strategy_id, amount=r.amount_fen / 100.0, note=r.note,
                         created_by=r.created_by, created_at=as_utc(r.created_at))


def portfolio(*, platform: Platform, scope: Scope, date_from: date, date_to: date, org_code: str | None = None,
              business_line: str | None = None, window_days: int = 30, aum_value_rate: float = 0.01,
              value_per_conversion: float = 0.0, now: datetime) -> Portfolio:
    """Every strategy with scoped customers entering in the period, ranked by ROI then incremental AUM."""
    _check([1], window_days, date_from, date_to)
    if date_from > date_to or (date_to - date_from).days > 366:
        raise BadRequest("the period must be one day to a year", field="date_to", code="effects.bad_period")
    view = scope
    if org_code is not None:
        if not scope.allows_org(org_code) or scope.kind == "rm":
            raise Forbidden("that org is outside your data scope", field="org_code", code="effects.out_of_scope")
        view = Scope(kind="org", org_code=org_code) if org_code != "HQ" else scope
    tz = ZoneInfo("Asia/Shanghai")
    since, until = _bounds(date_from, date_to, tz)
    assert since is not None and until is not None
    with platform.metadata.session() as s:
        ids = repo.strategies_entered(s, scope=view, since=since, until=until)
        names = repo.strategy_names(s, ids)
        graphs = repo.latest_graphs(s, ids)
    out: list[PortfolioRow] = []
    for sid in sorted(ids):
        line = (graphs.get(sid, {}).get("settings") or {}).get("business_line", "retail")
        if (business_line is not None and line != business_line) or sid not in graphs:
            continue
        eff = strategy_effect(platform=platform, scope=view, strategy_ids=[sid], date_from=date_from,
                              date_to=date_to, window_days=window_days, aum_value_rate=aum_value_rate,
                              value_per_conversion=value_per_conversion, n_resamples=200, now=now)
        name, owner = names.get(sid, (None, None))
        out.append(PortfolioRow(
            strategy_id=sid, name=name, org_code=owner, business_line=line, treated=eff.lift.treated.customers,
            control=eff.lift.reference.customers if eff.lift.reference else 0,
            incremental_conversions=eff.lift.incremental_conversions, incremental_aum=eff.aum.incremental_aum,
            cost=eff.costs.total, roi=eff.roi.roi, notes=eff.notes))
    out.sort(key=lambda r: (r.roi is None, -(r.roi or 0.0), r.incremental_aum is None, -(r.incremental_aum or 0.0)))
    return Portfolio(date_from=date_from, date_to=date_to, rows=out)


CSV_HEADER = ["策略ID", "策略名称", "所属机构", "业务线", "实验组客户", "对照组客户", "增量转化", "增量AUM(元)",
              "成本(元)", "ROI", "提示"]


def portfolio_csv(*, platform: Platform, who: Principal, date_from: date, date_to: date, org_code: str | None,
                  business_line: str | None, now: datetime) -> str:
    """The portfolio as CSV (zh-CN header), the export audited."""
    p = portfolio(platform=platform, scope=who.scope, date_from=date_from, date_to=date_to, org_code=org_code,
                  business_line=business_line, now=now)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for r in p.rows:
        w.writerow([r.strategy_id, r.name or "", r.org_code or "", r.business_line or "", r.treated, r.control,
                    "" if r.incremental_conversions is None else f"{r.incremental_conversions:.1f}",
                    "" if r.incremental_aum is None else f"{r.incremental_aum:.2f}", f"{r.cost:.2f}",
                    "" if r.roi is None else f"{r.roi:.4f}", " ".join(r.notes)])
    with platform.metadata.session() as s:
        gov.record(session=s, username=who.username, action="effects.portfolio.export", target_type="portfolio",
                   detail={"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "org_code": org_code,
                           "rows": len(p.rows)})
        s.commit()
    return buf.getvalue()


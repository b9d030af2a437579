"""Pure effect arithmetic over sufficient statistics: lift, AUM difference-in-differences, ROI, honesty notes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from mofang.monitor.effects.contracts import (
    NOTE_AB_CONTROL,
    NOTE_BINNED_BOOTSTRAP,
    NOTE_NO_AUM,
    NOTE_NO_COST,
    NOTE_NO_HOLDOUT,
    NOTE_NOVELTY,
    NOTE_SAMPLE_TOO_SMALL,
    NOTE_SRM,
    Arm,
    AumEffect,
    ControlKind,
    DailyLift,
    Funnel,
    FunnelGroup,
    FunnelStage,
    Lift,
    Roi,
)
from mofang.strategy.experiments import (
    CovariateStats,
    MeanStats,
    ProportionStats,
    bootstrap_roi,
    cuped_test,
    min_sample_note,
    minimum_detectable_effect,
    srm_test,
    two_proportion_test,
    welch_test,
)

# Above this many customers per arm the bootstrap resamples bin counts, not customers (same interval to ~1%).
EXACT_BOOTSTRAP_MAX = 20_000
BOOTSTRAP_BINS = 2_000
FUNNEL_STAGES = ("targeted", "passed_policy", "sent", "delivered", "opened", "clicked", "converted")


def control_of(graph: Mapping[str, Any] | None, has_holdout: bool) -> tuple[ControlKind, str | None]:
    """Which comparison is honest: the strategy holdout, else an A/B split's control variant, else none."""
    if has_holdout:
        return "holdout", None
    for node in (graph or {}).get("nodes", []):
        if node.get("type") == "ab_split" and node.get("control"):
            return "ab_control", str(node["control"])
    return "none", None


def expected_weights(kind: ControlKind, graph: Mapping[str, Any] | None, control_label: str | None,
                     holdout_percent: float) -> tuple[float, float] | None:
    """Configured (treated, control) shares the split should show; None when nothing was randomised."""
    if kind == "holdout" and 0 < holdout_percent < 100:
        return 100.0 - holdout_percent, holdout_percent
    if kind == "ab_control":
        for node in (graph or {}).get("nodes", []):
            if node.get("type") == "ab_split" and node.get("control") == control_label:
                shares = {v["label"]: float(v["percent"]) for v in node.get("variants", [])}
                control = shares.get(control_label or "", 0.0)
                if 0 < control < 100:
                    return 100.0 - control, control
    return None


def lift_of(kind: ControlKind, treated: Arm, reference: Arm | None) -> Lift:
    """The conversion lift of treated over the control arm, with incremental conversions and the MDE."""
    if kind == "none" or reference is None:
        return Lift(control="none", treated=treated, reference=None, test=None, incremental_conversions=None,
                    incremental_lower=None, incremental_upper=None, mde_relative=None)
    c = ProportionStats(n=reference.customers, x=reference.conversions)
    t = ProportionStats(n=treated.customers, x=treated.conversions)
    test = two_proportion_test(c, t)
    scale = float(treated.customers)

    def times(v: float | None) -> float | None:
        return None if v is None else v * scale

    mde = None
    if c.n > 0 and c.rate is not None:
        mde = minimum_detectable_effect(min(c.n, t.n), c.rate).relative
    return Lift(control=kind, treated=treated, reference=reference, test=test,
                incremental_conversions=times(test.difference), incremental_lower=times(test.ci_lower),
                incremental_upper=times(test.ci_upper), mde_relative=mde)


def aum_effect_of(kind: ControlKind, window_days: int, treated: CovariateStats, control: CovariateStats | None,
                  ) -> AumEffect:
    """DiD of AUM: the mean change treated minus control, Welch and CUPED on the pre-period AUM, times treated."""
    covered = treated.n + (control.n if control is not None else 0)
    if kind == "none" or control is None:
        return AumEffect(window_days=window_days, customers_with_aum=covered, unadjusted=None, cuped=None,
                         incremental_aum=None, incremental_lower=None, incremental_upper=None,
                         before_after=treated.post.mean)
    plain = welch_test(control.post, treated.post)
    adjusted = cuped_test(control, treated)
    scale = float(treated.n)

    def times(v: float | None) -> float | None:
        return None if v is None else v * scale

    return AumEffect(window_days=window_days, customers_with_aum=covered, unadjusted=plain, cuped=adjusted,
                     incremental_aum=times(adjusted.difference), incremental_lower=times(adjusted.ci_lower),
                     incremental_upper=times(adjusted.ci_upper), before_after=None)


def _bin(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Equal-count bins of sorted values: each bin's mean and share (exact when values take few distinct values)."""
    ordered = np.sort(values)  # one sort serves both cases (np.unique would sort again)
    new_value = ordered[1:] != ordered[:-1]
    if np.count_nonzero(new_value) < bins:  # as np.unique(values, return_counts=True), from the sorted copy
        starts = np.flatnonzero(np.r_[ordered.size > 0, new_value])
        return ordered[starts], np.diff(np.r_[starts, ordered.size]) / values.size
    edges = np.linspace(0, ordered.size, bins + 1).astype(np.int64)
    sums = np.add.reduceat(ordered, edges[:-1])
    sizes = np.diff(edges)
    return sums / sizes, sizes / ordered.size


def _binned_means(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap means drawing how many customers of each bin a resample holds: the Poisson bootstrap (each
    customer counted Poisson(1) times), summed per bin — as good as the multinomial one at this size, far faster."""
    means, shares = _bin(values, BOOTSTRAP_BINS)
    counts = rng.poisson(values.size * shares, size=(n_resamples, shares.size)).astype(float)
    return counts @ means / np.maximum(counts.sum(axis=1), 1.0)


def roi_of(treated_values: np.ndarray, control_values: np.ndarray | None, cost: float, *, seed: int,
           n_resamples: int, value_per_conversion: float, aum_value_rate: float,
           incremental_conversions: float | None) -> tuple[Roi, bool]:
    """ROI with a seeded percentile bootstrap over customers; True when the binned resampler was used."""
    per = (None if incremental_conversions is None or incremental_conversions <= 0 or cost <= 0
           else cost / incremental_conversions)

    def out(incremental: float | None, roi: float | None, lo: float | None, hi: float | None) -> Roi:
        return Roi(value_per_conversion=value_per_conversion, aum_value_rate=aum_value_rate,
                   incremental_value=incremental, roi=roi, lower=lo, upper=hi,
                   cost_per_incremental_conversion=per, n_resamples=n_resamples, seed=seed)

    if control_values is None or treated_values.size == 0 or control_values.size == 0:
        return out(None, None, None, None), False
    if max(treated_values.size, control_values.size) <= EXACT_BOOTSTRAP_MAX:
        r = bootstrap_roi(treated_values, control_values, cost, seed=seed, n_resamples=n_resamples)
        return out(r.incremental_value, r.roi, r.lower, r.upper), False
    incremental = (float(treated_values.mean()) - float(control_values.mean())) * treated_values.size
    if cost <= 0:
        return out(incremental, None, None, None), True
    rng = np.random.default_rng(seed)
    boot = ((_binned_means(treated_values, n_resamples, rng) - _binned_means(control_values, n_resamples, rng))
            * treated_values.size / cost)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return out(incremental, incremental / cost, float(lo), float(hi)), True


def day_index(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct days, ascending, and each element's place among them (np.unique's answer, without a sort)."""
    if days.size == 0:
        return days[:0], np.zeros(0, dtype=np.int64)
    d = days.astype(np.int64)
    base = int(d.min())
    offset = d - base
    present = np.flatnonzero(np.bincount(offset))
    slot = np.zeros(int(present[-1]) + 1, dtype=np.int64)
    slot[present] = np.arange(present.size)
    return (present + base).astype("datetime64[D]"), slot[offset]


def daily_lift(days: Sequence[date], treated_n: Sequence[int], treated_x: Sequence[int], control_n: Sequence[int],
               control_x: Sequence[int]) -> list[DailyLift]:
    """Conversion by entry day, treated vs control (the lift's trend: a fading lift is novelty)."""
    out = []
    for d, tn, tx, cn, cx in zip(days, treated_n, treated_x, control_n, control_x, strict=True):
        tr = tx / tn if tn else None
        cr = cx / cn if cn else None
        out.append(DailyLift(day=d, treated=tn, treated_rate=tr, control=cn, control_rate=cr,
                             difference=None if tr is None or cr is None else tr - cr))
    return out


def novelty(daily: Sequence[DailyLift]) -> bool:
    """Whether the lift of the first third of entry days is significantly above the last third's (it fades)."""
    if len(daily) < 6:
        return False
    third = len(daily) // 3

    def pooled(rows: Sequence[DailyLift]) -> tuple[ProportionStats, ProportionStats]:
        tn = sum(r.treated for r in rows)
        tx = sum(round((r.treated_rate or 0) * r.treated) for r in rows)
        cn = sum(r.control for r in rows)
        cx = sum(round((r.control_rate or 0) * r.control) for r in rows)
        return ProportionStats(n=cn, x=cx), ProportionStats(n=tn, x=tx)

    early, late = pooled(daily[:third]), pooled(daily[-third:])
    if min(early[0].n, early[1].n, late[0].n, late[1].n) == 0:
        return False
    e, la = two_proportion_test(*early), two_proportion_test(*late)
    if e.difference is None or la.difference is None or e.ci_lower is None or la.ci_upper is None:
        return False
    # Early interval entirely above the late one: the effect is wearing off, the steady state is the late lift.
    return e.ci_lower > la.ci_upper and e.difference > 0


def srm_of(observed: tuple[int, int], weights: tuple[float, float] | None) -> float | None:
    """The SRM p-value of the (treated, control) split against its configured weights (None: nothing to test)."""
    if weights is None or sum(observed) == 0:
        return None
    return srm_test(list(observed), list(weights)).p_value


def notes_of(kind: ControlKind, lift: Lift, srm_p: float | None, novel: bool, cost: float, aum: AumEffect,
             binned: bool) -> list[str]:
    """The honesty codes shown on the page, most serious first."""
    notes: list[str] = []
    if kind == "none":
        notes.append(NOTE_NO_HOLDOUT)
    elif kind == "ab_control":
        notes.append(NOTE_AB_CONTROL)
    if srm_p is not None and srm_p < 0.001:
        notes.append(NOTE_SRM)
    if lift.reference is not None:
        c = ProportionStats(n=lift.reference.customers, x=lift.reference.conversions)
        t = ProportionStats(n=lift.treated.customers, x=lift.treated.conversions)
        if min_sample_note(c, t) != "ok":
            notes.append(NOTE_SAMPLE_TOO_SMALL)
    if novel:
        notes.append(NOTE_NOVELTY)
    if cost <= 0:
        notes.append(NOTE_NO_COST)
    if aum.customers_with_aum == 0:
        notes.append(NOTE_NO_AUM)
    if binned:
        notes.append(NOTE_BINNED_BOOTSTRAP)
    return notes


def customer_values(converted: np.ndarray, aum_change: np.ndarray, *, value_per_conversion: float,
                    aum_value_rate: float) -> np.ndarray:
    """Each customer's value in yuan: a conversion's worth plus the valued share of their AUM change."""
    return converted.astype(float) * value_per_conversion + np.nan_to_num(aum_change) * aum_value_rate


def mean_stats(values: np.ndarray) -> MeanStats:
    """Sufficient statistics of an array (finite values only)."""
    v = values[np.isfinite(values)]
    return MeanStats(n=int(v.size), sum=float(v.sum()), sum_sq=float((v * v).sum()))


def yuan(fen: float) -> float:
    """Fen to yuan, rounded to the fen."""
    return round(fen / 100.0, 2)


def finite_or_none(v: float | None) -> float | None:
    """None for NaN or infinities (JSON has no such numbers)."""
    return None if v is None or not math.isfinite(v) else v


def _stages(targeted: int, rows: Sequence[Mapping[str, Any]], converted: int | None) -> list[FunnelStage]:
    """Stages from entries and message rows: passed = not suppressed, sent = accepted, then the receipts."""
    passed = sum(int(r["n"]) for r in rows if r["status"] != "suppressed")
    sent = [r for r in rows if r["status"] == "accepted"]
    counts = {"targeted": targeted, "passed_policy": passed, "sent": sum(int(r["n"]) for r in sent),
              "delivered": sum(int(r["delivered"]) for r in sent), "opened": sum(int(r["opened"]) for r in sent),
              "clicked": sum(int(r["clicked"]) for r in sent)}
    out = [FunnelStage(stage=k, count=v) for k, v in counts.items()]  # type: ignore[arg-type]
    if converted is not None:
        out.append(FunnelStage(stage="converted", count=converted))
    return out


def funnel_of(rows: Sequence[Mapping[str, Any]], *, targeted: int, converted: int,
              by_variant: Mapping[str | None, tuple[int, int]], by_branch: Mapping[str | None, tuple[int, int]],
              ) -> Funnel:
    """The delivery funnel overall and per channel, variant and branch (entries and conversions per key)."""

    def groups(key: str, entered: Mapping[str | None, tuple[int, int]] | None) -> list[FunnelGroup]:
        keys = sorted({r[key] for r in rows} | set(entered or {}), key=lambda k: (k is None, k or ""))
        out = []
        for k in keys:
            mine = [r for r in rows if r[key] == k]
            if entered is None:  # per channel: targeted = messages asked for, conversions are not per channel
                out.append(FunnelGroup(key=k, stages=_stages(sum(int(r["n"]) for r in mine), mine, None)))
            else:
                t, c = entered.get(k, (0, 0))
                out.append(FunnelGroup(key=k, stages=_stages(t, mine, c)))
        return out

    suppressed: dict[str, int] = {}
    for r in rows:
        if r["status"] == "suppressed":
            reason = r["reason"] or "unknown"
            suppressed[reason] = suppressed.get(reason, 0) + int(r["n"])
    return Funnel(stages=_stages(targeted, rows, converted), by_channel=groups("channel", None),
                  by_variant=groups("variant", by_variant), by_branch=groups("org", by_branch),
                  suppressed=dict(sorted(suppressed.items(), key=lambda kv: -kv[1])))


def goal_value(metric: str, lift: Lift, aum: AumEffect, roi: Roi | None) -> tuple[float | None, float | None,
                                                                                     float | None]:
    """The achieved value of a goal's metric with its interval, read off the effect's own numbers."""
    if metric == "conversion_lift_pct":
        t = lift.test
        if t is None or t.lift is None:
            return None, None, None
        pct = [None if v is None else v * 100.0 for v in (t.lift, t.lift_lower, t.lift_upper)]
        return pct[0], pct[1], pct[2]
    if metric == "incremental_conversions":
        return lift.incremental_conversions, lift.incremental_lower, lift.incremental_upper
    if metric == "incremental_aum":
        return aum.incremental_aum, aum.incremental_lower, aum.incremental_upper
    if roi is None:
        return None, None, None
    return roi.roi, roi.lower, roi.upper


def cumulative_lifts(kind: ControlKind, daily: Sequence[DailyLift]) -> list[Lift]:
    """The lift of the entries from the first day through each day (lift_of over the summed daily arms)."""
    out = []
    tn = tx = cn = cx = 0
    for r in daily:
        tn += r.treated
        tx += round((r.treated_rate or 0) * r.treated)
        cn += r.control
        cx += round((r.control_rate or 0) * r.control)
        ref = None if kind == "none" else Arm(name=kind, customers=cn, conversions=cx)
        out.append(lift_of(kind, Arm(name="treated", customers=tn, conversions=tx), ref))
    return out


def share_met(achieved: float | None, target: float) -> tuple[float | None, bool | None]:
    """Achieved / target and whether the target is reached (a negative target is met by going at or below it)."""
    if achieved is None:
        return None, None
    share = achieved / target if target else None
    return share, achieved >= target if target >= 0 else achieved <= target

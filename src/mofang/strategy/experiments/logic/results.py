"""An experiment's result table from arm counts: rates, comparisons with control, SRM, sample notes, MDE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mofang.strategy.canvas.contracts import AbSplit, Graph
from mofang.strategy.experiments.contracts import ArmRead, ProportionStats, SrmRead
from mofang.strategy.experiments.logic.design import min_sample_note, minimum_detectable_effect, srm_test
from mofang.strategy.experiments.logic.proportions import two_proportion_test, wilson_interval

HOLDOUT, TREATED = "holdout", "treated"


@dataclass(frozen=True)
class Arm:
    """One arm's configured share and its counts: `n` customers entered, `x` of them converted."""

    variant: str
    percent: float
    n: int
    x: int


def compare(arms: Sequence[Arm], control: str, *, alpha: float = 0.05) -> tuple[list[ArmRead], SrmRead]:
    """Every arm against `control` (z-test, intervals, sample note, MDE) and the SRM check of the arm sizes."""
    base = next(a for a in arms if a.variant == control)
    base_stats = ProportionStats(n=base.n, x=base.x)
    rows: list[ArmRead] = []
    for arm in arms:
        stats = ProportionStats(n=arm.n, x=arm.x)
        wil = wilson_interval(stats, alpha=alpha)
        row = ArmRead(variant=arm.variant, percent=arm.percent, control=arm.variant == control, entered=arm.n,
                      converted=arm.x, rate=wil.rate, rate_lower=wil.lower, rate_upper=wil.upper)
        if arm.variant != control:
            test = two_proportion_test(base_stats, stats, alpha=alpha)
            row.difference, row.difference_lower, row.difference_upper = test.difference, test.ci_lower, test.ci_upper
            row.lift, row.lift_lower, row.lift_upper = test.lift, test.lift_lower, test.lift_upper
            row.z, row.p_value, row.significant, row.test_code = test.z, test.p_value, test.significant, test.code
            row.sample_note = min_sample_note(base_stats, stats)
            if base_stats.rate is not None:
                # The smaller arm bounds what the comparison can detect.
                mde = minimum_detectable_effect(min(base.n, arm.n), base_stats.rate, alpha=alpha)
                row.mde, row.mde_relative, row.mde_code = mde.absolute, mde.relative, mde.code
            else:
                row.mde_code = row.sample_note
        rows.append(row)
    srm = srm_test([a.n for a in arms], [a.percent for a in arms])
    return rows, SrmRead(expected=list(srm.expected), chi2=srm.chi2, df=srm.df, p_value=srm.p_value,
                         mismatch=srm.mismatch, threshold=srm.threshold, code=srm.code)


def arms_of(split: AbSplit, counts: Mapping[str, tuple[int, int]]) -> list[Arm]:
    """The node's variants in their configured order, with (entered, converted) counts (0 when none)."""
    return [Arm(v.label, v.percent, *counts.get(v.label, (0, 0))) for v in split.variants]


def holdout_arms(percent: float, counts: Mapping[bool, tuple[int, int]]) -> list[Arm]:
    """The holdout (control) and the treated customers as two arms of `percent` and 100 - `percent`."""
    return [Arm(HOLDOUT, percent, *counts.get(True, (0, 0))), Arm(TREATED, 100.0 - percent, *counts.get(False, (0, 0)))]


def _split_of(graph: Graph, node_id: str) -> AbSplit | None:
    return next((n for n in graph.nodes if isinstance(n, AbSplit) and n.id == node_id), None)


def _design(split: AbSplit) -> tuple[tuple[tuple[str, float], ...], str]:
    return tuple((v.label, v.percent) for v in split.variants), split.control


def experiment_versions(graphs: Mapping[int, Graph], node_id: str) -> tuple[AbSplit | None, list[int]]:
    """The newest randomised design of an AB node and the versions that ran exactly it, unpromoted.

    A version with a winner sent everyone to one arm and a version with other shares is another experiment:
    counting either would bias the comparison and break the sample-ratio check.
    """
    randomised = {v: s for v, g in graphs.items() if (s := _split_of(g, node_id)) is not None and s.winner is None}
    if not randomised:
        return None, []
    newest = randomised[max(randomised)]
    return newest, sorted(v for v, s in randomised.items() if _design(s) == _design(newest))


def holdout_versions(graphs: Mapping[int, Graph]) -> tuple[float, list[int]]:
    """The newest non-zero holdout share and the versions that held out exactly that share."""
    held = {v: g.settings.holdout_percent for v, g in graphs.items() if g.settings.holdout_percent > 0}
    if not held:
        return 0.0, []
    newest = held[max(held)]
    return newest, sorted(v for v, p in held.items() if p == newest)


def ab_nodes(graphs: Mapping[int, Graph]) -> list[str]:
    """Ids of the AB split nodes of any published version, in the order of the newest version that has them."""
    seen: list[str] = []
    for version in sorted(graphs, reverse=True):
        seen += [n.id for n in graphs[version].nodes if isinstance(n, AbSplit) and n.id not in seen]
    return seen


def branch_of(org_code: str | None, root: str) -> str | None:
    """The org one level below the viewer's `root` that `org_code` lies in (itself when it is the root)."""
    if org_code is None:
        return None
    if root == "HQ":
        return org_code if org_code == "HQ" else org_code.split("-")[0]
    if org_code == root or not org_code.startswith(root + "-"):
        return org_code if org_code == root else None
    return f"{root}-{org_code[len(root) + 1:].split('-')[0]}"

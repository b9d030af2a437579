"""Experiment results of a strategy from its instance rows, and promoting a winner through the canvas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, in_subtree
from mofang.platform.governance.logic import P_STRATEGY_PUBLISH
from mofang.platform.storage.models import utcnow
from mofang.strategy import canvas
from mofang.strategy.canvas.contracts import AbSplit, PublishRequest
from mofang.strategy.experiments import repository as repo
from mofang.strategy.experiments.contracts import (
    BranchRead,
    ExperimentRead,
    ExperimentsRead,
    PromoteRead,
    PromoteRequest,
    PromotionRead,
)
from mofang.strategy.experiments.logic import (
    HOLDOUT,
    Arm,
    ab_nodes,
    arms_of,
    branch_of,
    compare,
    experiment_versions,
    holdout_arms,
    holdout_versions,
)
from mofang.strategy.experiments.models import ExperimentPromotion

ALPHA = 0.05
Totals = dict[Any, tuple[int, int]]


def _readable_or_404(session: Session, who: Principal, strategy_id: int) -> None:
    """A strategy's results are for viewers who may see it, and for branches below its owner (their customers)."""
    owner = canvas.owner_of(session=session, strategy_id=strategy_id)
    if owner is None or not (who.scope.allows_org(owner[0]) or in_subtree(who.org_code, owner[0])):
        raise NotFound(f"strategy {strategy_id} not found", field="strategy_id", code="strategy.not_found",
                       params={"id": strategy_id})


def _add(totals: Totals, key: Hashable, n: int, x: int) -> None:
    seen = totals.get(key, (0, 0))
    totals[key] = (seen[0] + n, seen[1] + x)


def _experiment(*, kind: str, node_id: str | None, title: str | None, control: str, winner: str | None,
                versions: list[int], rows: repo.Counts, arms: Callable[[Mapping[Any, tuple[int, int]]], list[Arm]],
                root: str, names: dict[str, str], promotions: list[PromotionRead]) -> ExperimentRead:
    overall: Totals = {}
    by_branch: dict[str | None, Totals] = defaultdict(dict)
    for key, org, n, x in rows:
        _add(overall, key, n, x)
        _add(by_branch[branch_of(org, root)], key, n, x)
    table, srm = compare(arms(overall), control, alpha=ALPHA)
    branches = []
    for org in sorted(by_branch, key=lambda o: (o is None, o or "")):
        b_table, b_srm = compare(arms(by_branch[org]), control, alpha=ALPHA)
        branches.append(BranchRead(org_code=org, org_name=names.get(org) if org else None, arms=b_table, srm=b_srm))
    return ExperimentRead(kind=kind, node_id=node_id, title=title, control=control,  # type: ignore[arg-type]
                          winner=winner, versions=versions, arms=table, srm=srm, branches=branches,
                          promotions=promotions)


def _promotion_read(row: ExperimentPromotion) -> PromotionRead:
    return PromotionRead.model_validate(row)


def results(*, session: Session, who: Principal, strategy_id: int) -> ExperimentsRead:
    """Every AB node's arms (holdout customers left out) and the holdout vs treated, within the viewer's scope."""
    _readable_or_404(session, who, strategy_id)
    graphs = canvas.published_graphs(session=session, strategy_id=strategy_id)
    published = max(graphs) if graphs else None
    root = "HQ" if who.scope.kind == "all" else who.org_code
    names = gov.org_names(session=session)
    promoted: dict[str, list[PromotionRead]] = defaultdict(list)
    for p in repo.promotions(session, strategy_id):
        promoted[p.node_id].append(_promotion_read(p))
    experiments: list[ExperimentRead] = []
    for node_id in ab_nodes(graphs):
        split, versions = experiment_versions(graphs, node_id)
        if split is None:
            continue  # promoted from the start: never randomised, nothing to compare
        current = next((n for n in graphs[published].nodes if isinstance(n, AbSplit) and n.id == node_id), None) \
            if published is not None else None
        design = split
        experiments.append(_experiment(
            kind="ab_split", node_id=node_id, title=split.title, control=split.control,
            winner=current.winner if current is not None else None, versions=versions,
            rows=repo.ab_counts(session, strategy_id=strategy_id, node_id=node_id, versions=versions,
                                scope=who.scope),
            arms=lambda counts, design=design: arms_of(design, counts), root=root, names=names,
            promotions=promoted.get(node_id, [])))
    percent, versions = holdout_versions(graphs)
    if versions:
        experiments.append(_experiment(
            kind="holdout", node_id=None, title=None, control=HOLDOUT, winner=None, versions=versions,
            rows=repo.holdout_counts(session, strategy_id=strategy_id, versions=versions, scope=who.scope),
            arms=lambda counts: holdout_arms(percent, counts), root=root, names=names, promotions=[]))
    return ExperimentsRead(strategy_id=strategy_id, published_version=published, alpha=ALPHA,
                           experiments=experiments)


def promote(*, platform: Platform, session: Session, who: Principal, strategy_id: int, node_id: str,
            data: PromoteRequest) -> PromoteRead:
    """Publish a new version sending all future traffic of `node_id` to the winner; record it with the numbers."""
    if not who.can(P_STRATEGY_PUBLISH):
        raise Forbidden(f"you may not promote a winner of strategy {strategy_id}", code="forbidden")
    seen = results(session=session, who=who, strategy_id=strategy_id)
    experiment = next((e for e in seen.experiments if e.kind == "ab_split" and e.node_id == node_id), None)
    # draft_winner checks everything else (scope, status, node, variant) and audits the new version.
    version, pending = canvas.draft_winner(session=session, who=who, strategy_id=strategy_id, node_id=node_id,
                                           winner=data.variant, note=data.note)
    statistics = experiment.model_dump(mode="json", exclude={"branches", "promotions"}) if experiment else {}
    row = ExperimentPromotion(strategy_id=strategy_id, node_id=node_id, variant=data.variant, version=version,
                              previous_version=seen.published_version, promoted_by=who.username,
                              promoted_at=utcnow(), statistics=statistics)
    repo.add(session, row)
    gov.record(session=session, username=who.username, action="experiment.promote", target_type="strategy",
               target_id=str(strategy_id), detail={"node": node_id, "variant": data.variant, "version": version,
                                                   "promotion_id": row.id}, ip=who.ip)
    try:
        canvas.publish(platform=platform, session=session, who=who, strategy_id=strategy_id,
                       data=PublishRequest(note=data.note))
    except MofangError as exc:
        if exc.code == "strategy.engine_failed":
            # Publishing committed before the engine refused and was undone: the promotion did not happen.
            repo.delete(session, row)
            gov.record(session=session, username=who.username, action="experiment.promote_failed",
                       target_type="strategy", target_id=str(strategy_id),
                       detail={"node": node_id, "variant": data.variant, "version": version}, ip=who.ip)
            session.commit()
        raise
    if pending is not None:
        # The operator's unpublished edits stay their draft, now on top of the promoted version.
        canvas.carry_draft(session=session, who=who, strategy_id=strategy_id, draft_version=pending, node_id=node_id,
                           winner=data.variant)
    return PromoteRead(promotion=_promotion_read(row), version=version)

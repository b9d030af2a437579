"""Decision-tree orchestration: train and read trees (on the user's scope), save a leaf as a segment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from mofang.insight import segments
from mofang.insight.ml import features as F
from mofang.insight.ml import repository as repo
from mofang.insight.ml import tree as tr
from mofang.insight.ml.contracts import (
    FeatureInfo,
    LeafSegmentRequest,
    TreeMetrics,
    TreeNode,
    TreeRead,
    TreeRequest,
    TreeSummary,
)
from mofang.insight.ml.models import MlModel
from mofang.insight.segments import service as seg_service
from mofang.insight.segments.contracts import Condition, SegmentCreate, SegmentRead
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope, permissions_of
from mofang.platform.storage.models import as_utc

LOOKBACK_DAYS = 30  # behaviour features look this far back from a cutoff
SYSTEM = Principal(user_id=0, username="system", display_name="系统", role="admin", org_code="HQ", rm_id=None,
                   permissions=permissions_of("admin"), scope=Scope(kind="all"))


def feature_catalogue(*, platform: Platform) -> list[FeatureInfo]:
    """Features a tree may use on this bank's data."""
    return F.catalogue(platform.store)


def _owns(who: Principal, org: str) -> bool:
    return who.scope.kind == "all" or who.scope.allows_org(org)


# ---------------------------------------------------------------------------------------------- decision trees


def _parse_features(keys: list[str], catalogue: set[str]) -> list[F.Feature]:
    out: list[F.Feature] = []
    for i, key in enumerate(keys):
        f = F.parse(key)
        if f is None or key not in catalogue:
            raise Invalid(f"unknown feature '{key}' (see GET /api/insight/ml/features)", field=f"features.{i}")
        if key in {g.key for g in out}:
            raise Invalid(f"feature '{key}' is given twice", field=f"features.{i}")
        out.append(f)
    return out


def tree_cutoffs(*, platform: Platform, horizon_days: int) -> tuple[date, date]:
    """(train cutoff, holdout cutoff): labels of the holdout fill the last `horizon_days`, training's precede them."""
    end, start = F.data_end(platform.store), F.data_start(platform.store)
    if end is None or start is None:
        raise Invalid("there is no customer data to learn from yet", field="target")
    holdout = end - timedelta(days=horizon_days)
    train_cut = holdout - timedelta(days=horizon_days)
    if train_cut < start + timedelta(days=LOOKBACK_DAYS - 1):
        span = (end - start).days + 1
        raise Invalid(f"horizon_days={horizon_days} needs at least {2 * horizon_days + LOOKBACK_DAYS} days of data, "
                      f"the store has {span}", field="horizon_days")
    return train_cut, holdout


def _labeller(platform: Platform, session: Session, data: TreeRequest) -> Callable[[date, np.ndarray], np.ndarray]:
    """labels(cutoff, ids): the target as observed only after the cutoff (an event in the horizon, or a tag
    value at its end)."""
    store, horizon = platform.store, data.horizon_days
    if data.target is not None:
        event = data.target
        if event not in F.event_names(store):
            raise Invalid(f"unknown event '{event}'", field="target")
        return lambda cut, ids: F.event_label(store, event=event, start=cut, days=horizon, ids=ids)
    info = segments.get_catalogue(platform=platform, session=session).tag(data.target_tag or "")
    if info is None:
        raise Invalid(f"unknown tag '{data.target_tag}'", field="target_tag")
    if info.values is not None and data.target_value not in info.values:
        raise Invalid(f"tag '{info.key}' has no value '{data.target_value}' (one of: {', '.join(info.values)})",
                      field="target_value")
    tag_id, value = info.id, data.target_value or ""
    return lambda cut, ids: F.tag_label(store, tag_id=tag_id, value=value, day=cut + timedelta(days=horizon),
                                        ids=ids)


def create_tree(*, platform: Platform, session: Session, who: Principal, data: TreeRequest) -> TreeRead:
    """Train a tree on the user's scope: features as of one cutoff, target in the days after; evaluate on the next."""
    store = platform.store
    labels = _labeller(platform, session, data)
    feats = _parse_features(data.features, {f.key for f in F.catalogue(store)})
    train_cut, holdout_cut = tree_cutoffs(platform=platform, horizon_days=data.horizon_days)
    fr = F.frame(store, cutoff=train_cut, features=feats, scope=who.scope)
    if len(fr.ids) < 2 * data.min_leaf:
        raise Invalid(f"only {len(fr.ids)} customers in your scope: fewer than two leaves of min_leaf",
                      field="min_leaf")
    x, columns, cats = F.encode(fr, feats)
    y = labels(train_cut, fr.ids)
    if y.sum() == 0:
        raise Invalid(f"no customer in your scope reached the target in the {data.horizon_days} days after "
                      f"{train_cut}", field="target" if data.target else "target_value")
    model = tr.train(x, y, max_depth=data.max_depth, min_leaf=data.min_leaf)
    hfr = F.frame(store, cutoff=holdout_cut, features=feats, scope=who.scope)
    hx, _, _ = F.encode(hfr, feats, cats)
    hy = labels(holdout_cut, hfr.ids)
    items = tr.nodes(model, columns, train=(x, y), holdout=(hx, hy))
    score = model.predict_proba(hx)[:, 1] if len(hx) and model.n_classes_ > 1 else np.zeros(len(hy))
    metrics = TreeMetrics(train_cutoff=train_cut, holdout_cutoff=holdout_cut, train_rows=len(y),
                          holdout_rows=len(hy), train_rate=round(float(y.mean()), 4),
                          holdout_rate=round(float(hy.mean()), 4) if len(hy) else 0.0, auc=tr.auc(hy, score),
                          best_leaves=tr.best_leaves(items))
    row = MlModel(kind="tree", name=data.name, owner_org=who.org_code,
                  spec={"request": data.model_dump(mode="json"), **tr.spec_of(columns, cats)},
                  metrics=metrics.model_dump(mode="json"), nodes=[n.model_dump(mode="json") for n in items],
                  active=True, created_by=who.username)
    session.add(row)
    session.flush()
    row.path = repo.save_binary(platform.settings.data_dir, f"tree-{row.id}.joblib", model)
    gov.record(session=session, username=who.username, action="ml.tree.train", target_type="ml_model",
               target_id=str(row.id), detail={"target": data.target_text(), "auc": metrics.auc}, ip=who.ip)
    return _tree_read(row)


def _tree_read(row: MlModel) -> TreeRead:
    items = [TreeNode.model_validate(n) for n in row.nodes]
    return TreeRead(id=row.id, name=row.name, request=TreeRequest.model_validate(row.spec["request"]),
                    owner_org=row.owner_org, created_by=row.created_by, created_at=as_utc(row.created_at),
                    nodes=items, rules=[n.rule for n in items if n.leaf],
                    metrics=TreeMetrics.model_validate(row.metrics))


def _tree_or_404(session: Session, who: Principal, tree_id: int) -> MlModel:
    row = repo.model(session, tree_id)
    if row is None or row.kind != "tree" or not _owns(who, row.owner_org):
        raise NotFound(f"tree {tree_id} not found")
    return row


def get_tree(*, session: Session, who: Principal, tree_id: int) -> TreeRead:
    """One tree trained inside the user's subtree."""
    return _tree_read(_tree_or_404(session, who, tree_id))


def list_trees(*, session: Session, who: Principal) -> list[TreeSummary]:
    """Trees trained inside the user's subtree, newest first."""
    return [TreeSummary(id=r.id, name=r.name, target=TreeRequest.model_validate(r.spec["request"]).target_text(),
                        owner_org=r.owner_org,
                        created_at=as_utc(r.created_at), auc=r.metrics.get("auc"))
            for r in repo.models(session, "tree") if _owns(who, r.owner_org)]


def leaf_condition(*, platform: Platform, session: Session, who: Principal, tree_id: int, node_id: int
                   ) -> Condition:
    """The condition tree equivalent to a node's rule path."""
    row = _tree_or_404(session, who, tree_id)
    model = repo.load_binary(platform.settings.data_dir, row.path)
    columns = [(c[0], c[1]) for c in row.spec["columns"]]
    return tr.leaf_condition(columns, tr.path_to(model, node_id))


def save_leaf(*, platform: Platform, session: Session, who: Principal, tree_id: int, node_id: int,
              data: LeafSegmentRequest) -> SegmentRead:
    """Save a node's customers as a dynamic segment (its rule, evaluated on each day's data)."""
    row = _tree_or_404(session, who, tree_id)
    definition = leaf_condition(platform=platform, session=session, who=who, tree_id=tree_id, node_id=node_id)
    node = next((TreeNode.model_validate(n) for n in row.nodes if n["id"] == node_id), None)
    description = data.description or (node.rule if node else "")
    name = data.name or f"{row.name}·节点{node_id}"
    return seg_service.create(platform=platform, session=session, who=who,
                              data=SegmentCreate(name=name, description=description, kind="dynamic",
                                                 definition=definition))

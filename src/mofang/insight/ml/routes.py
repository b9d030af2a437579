"""HTTP routes of ML insight: decision trees, leaf → segment, churn rules, training, warning list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mofang.insight.ml import churn_service, service
from mofang.insight.ml.contracts import (
    ChurnCustomerPage,
    ChurnRead,
    ChurnRules,
    FeatureInfo,
    LeafSegmentRequest,
    TreeRead,
    TreeRequest,
    TreeSummary,
)
from mofang.insight.segments.contracts import SegmentRead
from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT

router = APIRouter(prefix="/api/insight/ml", tags=["insight"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]


@router.get("/features", response_model=list[FeatureInfo])
def features(who: Reader, platform: PlatformDep) -> list[FeatureInfo]:
    """Features a tree may use."""
    return service.feature_catalogue(platform=platform)


@router.post("/trees", response_model=TreeRead, status_code=201)
def create_tree(body: TreeRequest, who: Editor, platform: PlatformDep, session: SessionDep) -> TreeRead:
    """Train a decision tree on the user's scope and evaluate it on the following period."""
    return service.create_tree(platform=platform, session=session, who=who, data=body)


@router.get("/trees", response_model=list[TreeSummary])
def list_trees(who: Reader, session: SessionDep) -> list[TreeSummary]:
    """Trees trained inside the user's subtree."""
    return service.list_trees(session=session, who=who)


@router.get("/trees/{tree_id}", response_model=TreeRead)
def get_tree(tree_id: int, who: Reader, session: SessionDep) -> TreeRead:
    """One tree: nodes, rules, holdout metrics."""
    return service.get_tree(session=session, who=who, tree_id=tree_id)


@router.post("/trees/{tree_id}/leaves/{node_id}/segment", response_model=SegmentRead, status_code=201)
def save_leaf(tree_id: int, node_id: int, who: Editor, platform: PlatformDep, session: SessionDep,
              body: LeafSegmentRequest | None = None) -> SegmentRead:
    """Save a node's rule as a dynamic segment."""
    return service.save_leaf(platform=platform, session=session, who=who, tree_id=tree_id, node_id=node_id,
                             data=body or LeafSegmentRequest())


@router.get("/churn", response_model=ChurnRead)
def churn(who: Reader, platform: PlatformDep, session: SessionDep) -> ChurnRead:
    """Rules, the model's held-out metrics, today's risk distribution in scope."""
    return churn_service.get_churn(platform=platform, session=session, who=who)


@router.put("/churn/rules", response_model=ChurnRules)
def update_rules(body: ChurnRules, who: Editor, session: SessionDep) -> ChurnRules:
    """Change the churn definition (head office)."""
    return churn_service.update_rules(session=session, who=who, rules=body)


@router.post("/churn/train", response_model=ChurnRead)
def train(who: Editor, platform: PlatformDep, session: SessionDep) -> ChurnRead:
    """Train the churn model, evaluate it on the held-out period, and score today (head office)."""
    return churn_service.train_churn(platform=platform, session=session, who=who)


@router.get("/churn/customers", response_model=ChurnCustomerPage)
def churn_customers(who: Reader, platform: PlatformDep, session: SessionDep, level: str = "高",
                    limit: Annotated[int, Query(ge=1, le=500)] = 50,
                    offset: Annotated[int, Query(ge=0)] = 0) -> ChurnCustomerPage:
    """The warning list inside the viewer's scope (masked), highest score first."""
    return churn_service.churn_customers(platform=platform, session=session, who=who, level=level, limit=limit,
                                   offset=offset)


@router.post("/churn/segment", response_model=SegmentRead, status_code=201)
def churn_segment(who: Editor, platform: PlatformDep, session: SessionDep) -> SegmentRead:
    """The high-risk warning list as a segment owned by the user's org (journeys can enter it)."""
    return churn_service.churn_segment(platform=platform, session=session, who=who)

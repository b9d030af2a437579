"""Template gallery: what each template does, its parameters and a preview of the strategies it compiles into."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from mofang.campaigns.templates.contracts import PreviewGraph, PreviewNode, PreviewRead, PreviewRequest, TemplateRead
from mofang.campaigns.templates.scenarios import SCENARIOS, compile_template
from mofang.platform.deps import require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT

router = APIRouter(prefix="/api/campaigns/templates", tags=["campaigns"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]


@router.get("")
def gallery(_who: Reader) -> list[TemplateRead]:
    """Every template with its parameters."""
    return [s.read for s in SCENARIOS.values()]


@router.post("/{template_id}/preview")
def preview(template_id: str, body: PreviewRequest, _who: Editor) -> PreviewRead:
    """The strategies the parameters compile into, each as a list of nodes (nothing saved)."""
    params, compiled = compile_template(template_id, body.params, segment_id=body.segment_id)
    graphs = []
    for g in compiled.graphs:
        nxt: dict[str, list[str]] = {}
        for e in g.graph.edges:
            nxt.setdefault(e.source, []).append(e.target)
        graphs.append(PreviewGraph(key=g.key, name=g.name, graph=g.graph.model_dump(mode="json"), nodes=[
            PreviewNode(id=n.id, type=n.type, title=n.title, next=nxt.get(n.id, [])) for n in g.graph.nodes]))
    return PreviewRead(template_id=template_id, params=params, strategies=graphs, benefit_ids=compiled.benefit_ids,
                       content_ids=compiled.content_ids, funnel=compiled.funnel)

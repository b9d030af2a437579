"""Canvas model and validation: a strategy as a versioned, validated graph.

Facade for other packages: the graph a published version runs and the strategies running (the engine runtime);
publishing a promoted winner (experiments); creating, publishing and pausing strategies (the campaign centre, which
compiles campaigns into strategies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mofang.platform.context import Platform
    from mofang.platform.governance.contracts import Principal
    from mofang.strategy.canvas.contracts import Graph, PublishRequest, RunningStrategy, StrategyRead


def graph_of(*, session: Session, strategy_id: int, version: int) -> Graph:
    """The typed graph of a published version of a strategy (404 `strategy.no_version` when there is none)."""
    from mofang.strategy.canvas import service

    return service.graph_of(session=session, strategy_id=strategy_id, version=version)


def running(*, session: Session) -> list[RunningStrategy]:
    """Published and paused strategies with their running version, owner org and graph."""
    from mofang.strategy.canvas import service

    return service.running(session=session)


def published_graphs(*, session: Session, strategy_id: int) -> dict[int, Graph]:
    """Version → typed graph of every published version of a strategy, oldest first."""
    from mofang.strategy.canvas import service

    return service.published_graphs(session=session, strategy_id=strategy_id)


def owner_of(*, session: Session, strategy_id: int) -> tuple[str, str] | None:
    """(owner org, status) of a strategy, or None when there is none."""
    from mofang.strategy.canvas import service

    return service.owner_of(session=session, strategy_id=strategy_id)


def draft_winner(*, session: Session, who: Principal, strategy_id: int, node_id: str, winner: str,
                 note: str | None = None) -> tuple[int, int | None]:
    """A new unpublished version: the published graph with an AB node's winner set (needs `strategy:publish`).

    Returns it and the version of a draft that was pending (None if none), to put back with `carry_draft`.
    """
    from mofang.strategy.canvas import service

    return service.draft_winner(session=session, who=who, strategy_id=strategy_id, node_id=node_id, winner=winner,
                                note=note)


def carry_draft(*, session: Session, who: Principal, strategy_id: int, draft_version: int, node_id: str,
                winner: str) -> int:
    """A pending draft put back on top as the latest version after a promotion (winner applied to it too)."""
    from mofang.strategy.canvas import service

    return service.carry_draft(session=session, who=who, strategy_id=strategy_id, draft_version=draft_version,
                               node_id=node_id, winner=winner)


def publish(*, platform: Platform, session: Session, who: Principal, strategy_id: int, data: PublishRequest
            ) -> StrategyRead:
    """Validate and publish the latest version through the audited publish path (the engine runs it)."""
    from mofang.strategy.canvas import service

    return service.publish(platform=platform, session=session, who=who, strategy_id=strategy_id, data=data)


def create_strategy(*, session: Session, who: Principal, name: str, description: str, graph: Graph) -> int:
    """A new draft strategy owned by `who`'s org with this graph (the campaign centre compiles into these)."""
    from mofang.strategy.canvas import service
    from mofang.strategy.canvas.contracts import DraftGraph, StrategyCreate

    return service.create(session=session, who=who, data=StrategyCreate(
        name=name, description=description, graph=DraftGraph.model_validate(graph.model_dump(mode="json")))).id


def save_and_publish(*, platform: Platform, session: Session, who: Principal, strategy_id: int, graph: Graph | None,
                     note: str | None = None) -> None:
    """Save a new graph (when given) and publish the latest version; the engine starts running it."""
    from mofang.strategy.canvas import service
    from mofang.strategy.canvas.contracts import DraftGraph, PublishRequest, StrategyUpdate

    if graph is not None:
        service.update(session=session, who=who, strategy_id=strategy_id, data=StrategyUpdate(
            graph=DraftGraph.model_validate(graph.model_dump(mode="json")), note=note))
    service.publish(platform=platform, session=session, who=who, strategy_id=strategy_id,
                    data=PublishRequest(note=note))


def change_state(*, platform: Platform, session: Session, who: Principal, strategy_id: int,
                 action: Literal["pause", "resume", "stop", "archive"]) -> str:
    """Pause, resume, stop or archive a strategy; answers its new status."""
    from mofang.strategy.canvas import service

    return service.transition(platform=platform, session=session, who=who, strategy_id=strategy_id,
                              action=action).status


def problems_of(*, platform: Platform, session: Session, owner_org: str, graph: Graph) -> list[dict[str, object]]:
    """The errors validating a graph against its owner's catalogue would report (empty: it can be published)."""
    from mofang.strategy.canvas import service
    from mofang.strategy.canvas.contracts import DraftGraph

    _, read = service.check(platform=platform, session=session, owner_org=owner_org,
                            graph=DraftGraph.model_validate(graph.model_dump(mode="json")))
    return [p.model_dump() for p in read.problems if p.severity == "error"]

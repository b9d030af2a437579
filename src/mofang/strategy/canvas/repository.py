"""Strategy storage: strategies and versions in the metadata DB."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from mofang.strategy.canvas.models import Strategy, StrategyVersion


def strategy(session: Session, strategy_id: int, *, lock: bool = False) -> Strategy | None:
    """One strategy (row-locked for a lifecycle change on PostgreSQL)."""
    query = select(Strategy).where(Strategy.id == strategy_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def strategies(session: Session) -> list[Strategy]:
    """All strategies, newest first (the caller filters by scope)."""
    return list(session.scalars(select(Strategy).order_by(Strategy.id.desc())).all())


def version(session: Session, strategy_id: int, number: int) -> StrategyVersion | None:
    """One version of a strategy."""
    return session.scalars(select(StrategyVersion).where(StrategyVersion.strategy_id == strategy_id,
                                                         StrategyVersion.version == number)).first()


def versions(session: Session, strategy_id: int) -> list[StrategyVersion]:
    """A strategy's versions, newest first."""
    return list(session.scalars(select(StrategyVersion).where(StrategyVersion.strategy_id == strategy_id)
                                .order_by(StrategyVersion.version.desc())).all())


def add(session: Session, row: Strategy | StrategyVersion) -> None:
    """Insert a row and assign its id."""
    session.add(row)
    session.flush()


def draft_flags(session: Session) -> dict[int, bool]:
    """Strategy id → whether its latest version is an unpublished draft (one query for the whole list)."""
    rows = session.execute(select(StrategyVersion.strategy_id, StrategyVersion.published_at).join(
        Strategy, and_(Strategy.id == StrategyVersion.strategy_id,
                       Strategy.current_version == StrategyVersion.version))).all()
    return {sid: published is None for sid, published in rows}

"""Saved-analysis, dashboard and item rows in the metadata database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, or_, select, true
from sqlalchemy.orm import Session

from mofang.monitor.dashboards.models import Dashboard, DashboardItem, SavedAnalysis


def _dashboard_visible(username: str, is_admin: bool) -> ColumnElement[bool]:
    return true() if is_admin else or_(Dashboard.owner == username, Dashboard.shared.is_(True))


def _analysis_visible(username: str, is_admin: bool) -> ColumnElement[bool]:
    """Own, shared, or pinned on a dashboard the user sees (whoever sees a dashboard sees what is on it)."""
    if is_admin:
        return true()
    pinned = (select(DashboardItem.analysis_id).join(Dashboard, Dashboard.id == DashboardItem.dashboard_id)
              .where(_dashboard_visible(username, is_admin)))
    return or_(SavedAnalysis.owner == username, SavedAnalysis.shared.is_(True), SavedAnalysis.id.in_(pinned))


def analyses(session: Session, *, username: str, is_admin: bool) -> Sequence[SavedAnalysis]:
    """Saved analyses the user sees, newest change first."""
    query = (select(SavedAnalysis).where(_analysis_visible(username, is_admin))
             .order_by(SavedAnalysis.updated_at.desc(), SavedAnalysis.id.desc()))
    return session.scalars(query).all()


def analysis(session: Session, analysis_id: int, *, username: str, is_admin: bool) -> SavedAnalysis | None:
    """One saved analysis if the user sees it."""
    query = select(SavedAnalysis).where(SavedAnalysis.id == analysis_id, _analysis_visible(username, is_admin))
    return session.scalars(query).first()


def dashboards(session: Session, *, username: str, is_admin: bool) -> Sequence[Dashboard]:
    """Dashboards the user sees, newest change first."""
    query = (select(Dashboard).where(_dashboard_visible(username, is_admin))
             .order_by(Dashboard.updated_at.desc(), Dashboard.id.desc()))
    return session.scalars(query).all()


def dashboard(session: Session, dashboard_id: int, *, username: str, is_admin: bool) -> Dashboard | None:
    """One dashboard if the user sees it."""
    query = select(Dashboard).where(Dashboard.id == dashboard_id, _dashboard_visible(username, is_admin))
    return session.scalars(query).first()


def items(session: Session, dashboard_ids: Sequence[int]) -> Sequence[tuple[DashboardItem, SavedAnalysis]]:
    """Items of some dashboards with their analyses, by dashboard and position."""
    if not dashboard_ids:
        return []
    query = (select(DashboardItem, SavedAnalysis).join(SavedAnalysis, SavedAnalysis.id == DashboardItem.analysis_id)
             .where(DashboardItem.dashboard_id.in_(dashboard_ids))
             .order_by(DashboardItem.dashboard_id, DashboardItem.position, DashboardItem.id))
    return [(i, a) for i, a in session.execute(query).all()]


def item(session: Session, dashboard_id: int, item_id: int) -> DashboardItem | None:
    """One item of a dashboard."""
    query = select(DashboardItem).where(DashboardItem.id == item_id, DashboardItem.dashboard_id == dashboard_id)
    return session.scalars(query).first()


def pinned(session: Session, dashboard_id: int, analysis_id: int) -> bool:
    """Whether the analysis is already on the dashboard."""
    query = select(DashboardItem.id).where(DashboardItem.dashboard_id == dashboard_id,
                                           DashboardItem.analysis_id == analysis_id)
    return session.scalars(query).first() is not None


def ordered_items(session: Session, dashboard_id: int) -> Sequence[DashboardItem]:
    """Items of one dashboard by position."""
    query = (select(DashboardItem).where(DashboardItem.dashboard_id == dashboard_id)
             .order_by(DashboardItem.position, DashboardItem.id))
    return session.scalars(query).all()


def next_position(session: Session, dashboard_id: int) -> int:
    """The position after the last item."""
    last = session.scalar(select(func.max(DashboardItem.position)).where(DashboardItem.dashboard_id == dashboard_id))
    return 0 if last is None else int(last) + 1


def dashboards_showing(session: Session, analysis_id: int) -> Sequence[Dashboard]:
    """Dashboards on which an analysis is pinned."""
    query = (select(Dashboard).join(DashboardItem, DashboardItem.dashboard_id == Dashboard.id)
             .where(DashboardItem.analysis_id == analysis_id))
    return session.scalars(query).all()


def delete_items(session: Session, *, dashboard_id: int | None = None, analysis_id: int | None = None) -> int:
    """Remove the items of a dashboard or of an analysis; returns how many."""
    assert dashboard_id is not None or analysis_id is not None, "never delete every item"
    query = delete(DashboardItem)
    if dashboard_id is not None:
        query = query.where(DashboardItem.dashboard_id == dashboard_id)
    if analysis_id is not None:
        query = query.where(DashboardItem.analysis_id == analysis_id)
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]

"""Saved analyses, dashboards and CSV export of analysis results.

Definitions live in the metadata database; every run goes through the analytics service functions in the
*caller's* data scope, so sharing a definition never shares the owner's data.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.insight.segments import today_of
from mofang.monitor.analytics.csv_headers import header as csv_header
from mofang.monitor.analytics.registry import MODELS, AnalysisModel
from mofang.monitor.dashboards import logic
from mofang.monitor.dashboards import repository as repo
from mofang.monitor.dashboards.contracts import (
    DashboardRead,
    DashboardWrite,
    ItemCreate,
    ItemOrder,
    ItemRead,
    ItemResize,
    SavedAnalysisCreate,
    SavedAnalysisRead,
    SavedRun,
)
from mofang.monitor.dashboards.models import Dashboard, DashboardItem, SavedAnalysis
from mofang.platform.context import Platform
from mofang.platform.csvfile import BOM, Lang, csv_text
from mofang.platform.errors import Conflict, Forbidden, Invalid, MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_USERS
from mofang.platform.storage.models import as_utc, utcnow


def _admin(who: Principal) -> bool:
    return who.can(P_ADMIN_USERS)


def _audit(session: Session, who: Principal, action: str, target_type: str, target_id: Any,
           detail: dict[str, Any]) -> None:
    gov.record(session=session, username=who.username, action=action, target_type=target_type,
               target_id=str(target_id), detail=detail, ip=who.ip, user_agent=who.user_agent)


def _model(name: str) -> AnalysisModel:
    model = MODELS.get(name)
    if model is None:
        raise NotFound(f"no analysis model '{name}'; choose one of {', '.join(MODELS)}", field="model")
    return model


def parse_query(model_name: str, body: dict[str, Any]) -> tuple[AnalysisModel, BaseModel]:
    """The model and its validated query (pydantic's ValidationError when the body does not fit)."""
    model = _model(model_name)
    return model, model.query.model_validate(body)


def _validated(platform: Platform, model: AnalysisModel, query: dict[str, Any], range_: dict[str, Any]) -> BaseModel:
    """The query as it runs today; a contract violation is a 422 naming the field under `query.`."""
    effective = logic.with_range(query, range_, dated=model.dated, today=today_of(platform))
    try:
        return model.query.model_validate(effective)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise Invalid(f"the query does not fit the {model.name} model: {err['msg']}",
                      field=logic.field_name("query", err["loc"])) from None


def _run(platform: Platform, who: Principal, model: AnalysisModel, query: BaseModel, *, prefix: str | None) -> Any:
    """The model's result in the caller's scope; errors of a saved query name its field under `query.`."""
    try:
        return model.run(platform=platform, who=who, query=query)
    except MofangError as exc:
        if prefix and exc.field and not exc.field.startswith(prefix + "."):
            exc.field = f"{prefix}.{exc.field}"
        raise


# ---- saved analyses


def _analysis_read(a: SavedAnalysis, who: Principal) -> SavedAnalysisRead:
    return SavedAnalysisRead(
        id=a.id, name=a.name, description=a.description, model=a.model, query=dict(a.query),  # type: ignore[arg-type]
        range=dict(a.range), shared=a.shared, owner=a.owner, org_code=a.org_code,  # type: ignore[arg-type]
        created_at=as_utc(a.created_at), updated_at=as_utc(a.updated_at),
        can_edit=logic.may_edit(owner=a.owner, username=who.username, is_admin=_admin(who)),
    )


def _analysis_or_404(session: Session, who: Principal, analysis_id: int, *, field: str | None = None
                     ) -> SavedAnalysis:
    a = repo.analysis(session, analysis_id, username=who.username, is_admin=_admin(who))
    if a is None:
        raise NotFound(f"saved analysis {analysis_id} not found", field=field)
    return a


def _editable(owner: str, who: Principal, what: str) -> None:
    if not logic.may_edit(owner=owner, username=who.username, is_admin=_admin(who)):
        raise Forbidden(f"only the owner ({owner}) or an administrator may change this {what}")


def create_analysis(*, platform: Platform, who: Principal, data: SavedAnalysisCreate) -> SavedAnalysisRead:
    """Save a query of a model (validated against the model's contract) owned by the caller."""
    range_ = data.range.model_dump()
    query = _validated(platform, _model(data.model), data.query, range_)
    now = utcnow()
    with platform.metadata.session() as s:
        a = SavedAnalysis(name=data.name, description=data.description, model=data.model,
                          query=query.model_dump(mode="json"), range=range_, shared=bool(data.shared),
                          owner=who.username, org_code=who.org_code, created_at=now, updated_at=now)
        s.add(a)
        s.flush()
        _audit(s, who, "saved_analysis.create", "saved_analysis", a.id, {"name": a.name, "model": a.model})
        return _analysis_read(a, who)


def list_analyses(*, platform: Platform, who: Principal) -> list[SavedAnalysisRead]:
    """Own, shared and dashboard-visible saved analyses."""
    with platform.metadata.session() as s:
        return [_analysis_read(a, who) for a in repo.analyses(s, username=who.username, is_admin=_admin(who))]


def get_analysis(*, platform: Platform, who: Principal, analysis_id: int) -> SavedAnalysisRead:
    """One saved analysis the caller sees."""
    with platform.metadata.session() as s:
        return _analysis_read(_analysis_or_404(s, who, analysis_id), who)


def update_analysis(*, platform: Platform, who: Principal, analysis_id: int, data: SavedAnalysisCreate
                    ) -> SavedAnalysisRead:
    """Replace a saved analysis (owner or administrator); `shared` is kept when not given."""
    range_ = data.range.model_dump()
    query = _validated(platform, _model(data.model), data.query, range_)
    with platform.metadata.session() as s:
        a = _analysis_or_404(s, who, analysis_id)
        _editable(a.owner, who, "saved analysis")
        a.name, a.description, a.model = data.name, data.description, data.model
        a.query, a.range = query.model_dump(mode="json"), range_
        if data.shared is not None:
            a.shared = data.shared
        a.updated_at = utcnow()
        s.flush()
        _audit(s, who, "saved_analysis.update", "saved_analysis", a.id,
               {"name": a.name, "model": a.model, "shared": a.shared})
        return _analysis_read(a, who)


def delete_analysis(*, platform: Platform, who: Principal, analysis_id: int) -> None:
    """Delete a saved analysis (owner or administrator) and unpin it from every dashboard."""
    with platform.metadata.session() as s:
        a = _analysis_or_404(s, who, analysis_id)
        _editable(a.owner, who, "saved analysis")
        now = utcnow()
        for d in repo.dashboards_showing(s, a.id):
            d.updated_at = now
        unpinned = repo.delete_items(s, analysis_id=a.id)
        _audit(s, who, "saved_analysis.delete", "saved_analysis", a.id,
               {"name": a.name, "model": a.model, "unpinned": unpinned})
        s.delete(a)


def _saved_query(platform: Platform, who: Principal, analysis_id: int
                 ) -> tuple[SavedAnalysisRead, AnalysisModel, BaseModel]:
    with platform.metadata.session() as s:
        a = _analysis_or_404(s, who, analysis_id)
        read = _analysis_read(a, who)
    model = _model(read.model)
    return read, model, _validated(platform, model, read.query, read.range.model_dump())


def run_analysis(*, platform: Platform, who: Principal, analysis_id: int) -> SavedRun:
    """Run a saved analysis in the caller's data scope (never the owner's), dates resolved for today."""
    read, model, query = _saved_query(platform, who, analysis_id)
    result = _run(platform, who, model, query, prefix="query")
    return SavedRun(analysis=read, query=query.model_dump(mode="json"), result=result.model_dump(mode="json"))


# ---- export


def _export(platform: Platform, who: Principal, model: AnalysisModel, query: BaseModel, *,
            saved_id: int | None, prefix: str | None, lang: Lang = "zh") -> tuple[str, str]:
    """(file name, CSV text with BOM) of a model's result in the caller's scope; the export is audited."""
    header, rows = model.table(_run(platform, who, model, query, prefix=prefix))
    dumped = query.model_dump(mode="json")
    detail: dict[str, Any] = {"model": model.name, "rows": len(rows), "date_from": dumped.get("date_from"),
                              "date_to": dumped.get("date_to")}
    if saved_id is not None:
        detail["saved_id"] = saved_id
    with platform.metadata.session() as s:
        _audit(s, who, "analytics.export", "saved_analysis" if saved_id is not None else "analysis",
               saved_id if saved_id is not None else model.name, detail)
    return logic.export_filename(model.name, dumped), BOM + csv_text([csv_header(model.name, header, lang), *rows])


def export_query(*, platform: Platform, who: Principal, model: AnalysisModel, query: BaseModel,
                 lang: Lang = "zh") -> tuple[str, str]:
    """The result of a posted query as CSV."""
    return _export(platform, who, model, query, saved_id=None, prefix=None, lang=lang)


def export_saved(*, platform: Platform, who: Principal, analysis_id: int, lang: Lang = "zh") -> tuple[str, str]:
    """The result of a saved analysis (as it runs today) as CSV."""
    _, model, query = _saved_query(platform, who, analysis_id)
    return _export(platform, who, model, query, saved_id=analysis_id, prefix="query", lang=lang)


# ---- dashboards


def _item_read(i: DashboardItem, a: SavedAnalysis, who: Principal) -> ItemRead:
    return ItemRead(id=i.id, analysis_id=i.analysis_id, position=i.position, size=i.size,  # type: ignore[arg-type]
                    analysis=_analysis_read(a, who))


def _dashboard_read(d: Dashboard, items: list[ItemRead], who: Principal) -> DashboardRead:
    return DashboardRead(id=d.id, name=d.name, description=d.description, shared=d.shared, owner=d.owner,
                         org_code=d.org_code, created_at=as_utc(d.created_at), updated_at=as_utc(d.updated_at),
                         can_edit=logic.may_edit(owner=d.owner, username=who.username, is_admin=_admin(who)),
                         items=items)


def _full(s: Session, d: Dashboard, who: Principal) -> DashboardRead:
    return _dashboard_read(d, [_item_read(i, a, who) for i, a in repo.items(s, [d.id])], who)


def _dashboard_or_404(s: Session, who: Principal, dashboard_id: int, *, edit: bool = False) -> Dashboard:
    d = repo.dashboard(s, dashboard_id, username=who.username, is_admin=_admin(who))
    if d is None:
        raise NotFound(f"dashboard {dashboard_id} not found")
    if edit:
        _editable(d.owner, who, "dashboard")
    return d


def create_dashboard(*, platform: Platform, who: Principal, data: DashboardWrite) -> DashboardRead:
    """A new empty dashboard owned by the caller."""
    now = utcnow()
    with platform.metadata.session() as s:
        d = Dashboard(name=data.name, description=data.description, shared=data.shared, owner=who.username,
                      org_code=who.org_code, created_at=now, updated_at=now)
        s.add(d)
        s.flush()
        _audit(s, who, "dashboard.create", "dashboard", d.id, {"name": d.name, "shared": d.shared})
        return _dashboard_read(d, [], who)


def list_dashboards(*, platform: Platform, who: Principal) -> list[DashboardRead]:
    """Own and shared dashboards with their items."""
    with platform.metadata.session() as s:
        boards = repo.dashboards(s, username=who.username, is_admin=_admin(who))
        by_board: dict[int, list[ItemRead]] = {d.id: [] for d in boards}
        for i, a in repo.items(s, list(by_board)):
            by_board[i.dashboard_id].append(_item_read(i, a, who))
        return [_dashboard_read(d, by_board[d.id], who) for d in boards]


def get_dashboard(*, platform: Platform, who: Principal, dashboard_id: int) -> DashboardRead:
    """One dashboard with its items by position."""
    with platform.metadata.session() as s:
        return _full(s, _dashboard_or_404(s, who, dashboard_id), who)


def update_dashboard(*, platform: Platform, who: Principal, dashboard_id: int, data: DashboardWrite
                     ) -> DashboardRead:
    """Rename, describe, share or unshare a dashboard (owner or administrator)."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        d.name, d.description, d.shared, d.updated_at = data.name, data.description, data.shared, utcnow()
        s.flush()
        _audit(s, who, "dashboard.update", "dashboard", d.id, {"name": d.name, "shared": d.shared})
        return _full(s, d, who)


def delete_dashboard(*, platform: Platform, who: Principal, dashboard_id: int) -> None:
    """Delete a dashboard and its items (the saved analyses stay)."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        repo.delete_items(s, dashboard_id=d.id)
        _audit(s, who, "dashboard.delete", "dashboard", d.id, {"name": d.name})
        s.delete(d)


def add_item(*, platform: Platform, who: Principal, dashboard_id: int, data: ItemCreate) -> ItemRead:
    """Pin a saved analysis the caller sees at the end of the dashboard (once per dashboard)."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        a = _analysis_or_404(s, who, data.analysis_id, field="analysis_id")
        if repo.pinned(s, d.id, a.id):
            raise Conflict(f"saved analysis {a.id} is already on this dashboard", field="analysis_id")
        item = DashboardItem(dashboard_id=d.id, analysis_id=a.id, position=repo.next_position(s, d.id),
                             size=data.size)
        s.add(item)
        try:
            s.flush()
        except IntegrityError:  # pinned by a concurrent request since the check above
            raise Conflict(f"saved analysis {a.id} is already on this dashboard", field="analysis_id") from None
        d.updated_at = utcnow()
        _audit(s, who, "dashboard.pin", "dashboard", d.id, {
            "name": d.name, "item_id": item.id, "analysis_id": a.id, "analysis": a.name})
        return _item_read(item, a, who)


def _item_or_404(s: Session, d: Dashboard, item_id: int) -> DashboardItem:
    item = repo.item(s, d.id, item_id)
    if item is None:
        raise NotFound(f"dashboard {d.id} has no item {item_id}")
    return item


def remove_item(*, platform: Platform, who: Principal, dashboard_id: int, item_id: int) -> None:
    """Unpin an item; the others close ranks."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        item = _item_or_404(s, d, item_id)
        analysis_id = item.analysis_id
        analysis = s.get(SavedAnalysis, analysis_id)
        s.delete(item)
        s.flush()
        for pos, rest in enumerate(repo.ordered_items(s, d.id)):
            rest.position = pos
        d.updated_at = utcnow()
        _audit(s, who, "dashboard.unpin", "dashboard", d.id, {
            "name": d.name, "item_id": item_id, "analysis_id": analysis_id,
            "analysis": analysis.name if analysis else None})


def reorder_items(*, platform: Platform, who: Principal, dashboard_id: int, data: ItemOrder) -> DashboardRead:
    """Put the items in the given order (a permutation of the dashboard's item ids)."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        current = {i.id: i for i in repo.ordered_items(s, d.id)}
        logic.check_order(list(current), data.order)
        for pos, item_id in enumerate(data.order):
            current[item_id].position = pos
        d.updated_at = utcnow()
        s.flush()
        _audit(s, who, "dashboard.reorder", "dashboard", d.id, {"name": d.name, "order": data.order})
        return _full(s, d, who)


def resize_item(*, platform: Platform, who: Principal, dashboard_id: int, item_id: int, data: ItemResize
                ) -> ItemRead:
    """Make a pinned analysis half or full width."""
    with platform.metadata.session() as s:
        d = _dashboard_or_404(s, who, dashboard_id, edit=True)
        item = _item_or_404(s, d, item_id)
        item.size = data.size
        d.updated_at = utcnow()
        s.flush()
        _audit(s, who, "dashboard.resize", "dashboard", d.id, {"name": d.name, "item_id": item.id, "size": data.size})
        a = s.get(SavedAnalysis, item.analysis_id)
        assert a is not None
        return _item_read(item, a, who)

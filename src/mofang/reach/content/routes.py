"""HTTP routes of the content library: the variable catalogue, templates, previews and sensitive words."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_USERS, P_CAMPAIGN_EDIT, P_CUSTOMERS_READ
from mofang.reach.content import service
from mofang.reach.content.contracts import (
    CatalogueRead,
    PreviewRead,
    PreviewRequest,
    SensitiveWordCreate,
    SensitiveWordRead,
    ShareRequest,
    StatusChange,
    TemplateCreate,
    TemplateRead,
    TemplateStatus,
    TemplateUpdate,
    TemplateVersionRead,
    ValidateRequest,
    ValidationReport,
)
from mofang.reach.contracts import Channel

router = APIRouter(prefix="/api/reach", tags=["reach"])
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Admin = Annotated[Principal, Depends(require(P_ADMIN_USERS))]


@router.get("/variables", response_model=CatalogueRead)
def variables(_who: Reader) -> CatalogueRead:
    """The placeholders a template may use (客户.姓氏 …), the 27 RM personas and suggested scenes."""
    return service.catalogue()


@router.get("/templates", response_model=list[TemplateRead])
def list_templates(
    who: Reader, session: SessionDep,
    channel: Annotated[Channel | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=64, description="A product or scene tag")] = None,
    persona: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[TemplateStatus | None, Query()] = None,
) -> list[TemplateRead]:
    """Templates your org owns or receives."""
    return service.list_templates(session=session, who=who, channel=channel, tag=tag, persona=persona, status=status)


@router.post("/templates", response_model=TemplateRead, status_code=201)
def create_template(body: TemplateCreate, who: Editor, platform: PlatformDep, session: SessionDep) -> TemplateRead:
    """Save a new draft template (validated for its channel; sensitive words refused)."""
    return service.create(platform=platform, session=session, who=who, data=body)


@router.post("/templates/validate", response_model=ValidationReport)
def validate_template(body: ValidateRequest, _who: Editor, platform: PlatformDep, session: SessionDep
                      ) -> ValidationReport:
    """Every problem of a template being edited, and its SMS parts (nothing saved)."""
    return service.validate(platform=platform, session=session, data=body)


@router.get("/templates/{template_id}", response_model=TemplateRead)
def get_template(template_id: int, who: Reader, session: SessionDep) -> TemplateRead:
    """One template your org owns or receives."""
    return service.get_or_raise(session=session, who=who, template_id=template_id)


@router.patch("/templates/{template_id}", response_model=TemplateRead)
def update_template(template_id: int, body: TemplateUpdate, who: Editor, platform: PlatformDep,
                    session: SessionDep) -> TemplateRead:
    """Change a template you own (changed content saves a new version)."""
    return service.update(platform=platform, session=session, who=who, template_id=template_id, data=body)


@router.post("/templates/{template_id}/status", response_model=TemplateRead)
def set_status(template_id: int, body: StatusChange, who: Editor, platform: PlatformDep, session: SessionDep
               ) -> TemplateRead:
    """Activate, archive or restore a template you own."""
    return service.set_status(platform=platform, session=session, who=who, template_id=template_id, data=body)


@router.post("/templates/{template_id}/share", response_model=TemplateRead)
def share_template(template_id: int, body: ShareRequest, who: Editor, session: SessionDep) -> TemplateRead:
    """Share a template you own with the whole bank or chosen orgs."""
    return service.share(session=session, who=who, template_id=template_id, data=body)


@router.get("/templates/{template_id}/versions", response_model=list[TemplateVersionRead])
def template_versions(template_id: int, who: Reader, session: SessionDep) -> list[TemplateVersionRead]:
    """A template's saved versions, newest first."""
    return service.list_versions(session=session, who=who, template_id=template_id)


@router.post("/templates/{template_id}/preview", response_model=PreviewRead)
def preview_template(template_id: int, body: PreviewRequest, who: Reader, platform: PlatformDep,
                     session: SessionDep) -> PreviewRead:
    """Render for a customer of your scope (personal data masked)."""
    return service.preview(platform=platform, session=session, who=who, template_id=template_id, req=body)


@router.get("/sensitive-words", response_model=list[SensitiveWordRead])
def list_words(_who: Reader, session: SessionDep) -> list[SensitiveWordRead]:
    """Words refused in every template."""
    return service.list_words(session=session)


@router.post("/sensitive-words", response_model=SensitiveWordRead, status_code=201)
def add_word(body: SensitiveWordCreate, who: Admin, session: SessionDep) -> SensitiveWordRead:
    """Add a sensitive word (administrators)."""
    return service.add_word(session=session, who=who, data=body)


@router.delete("/sensitive-words/{word_id}", status_code=204)
def delete_word(word_id: int, who: Admin, session: SessionDep) -> None:
    """Remove a sensitive word (administrators)."""
    service.delete_word(session=session, who=who, word_id=word_id)

"""Content library orchestration: validated, versioned, scoped and audited templates; previews; the render facade."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT
from mofang.platform.pii import mask_text
from mofang.platform.settings import Settings
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.content import logic
from mofang.reach.content import repository as repo
from mofang.reach.content.catalogue import PERSONAS, SCENES, VARIABLES
from mofang.reach.content.contracts import (
    CatalogueRead,
    Limits,
    PreviewRead,
    PreviewRequest,
    SensitiveWordCreate,
    SensitiveWordRead,
    ShareRequest,
    SmsCount,
    StatusChange,
    TemplateContent,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    TemplateVersionRead,
    ValidateRequest,
    ValidationReport,
    VariableRead,
)
from mofang.reach.content.models import SensitiveWord, Template, TemplateVersion
from mofang.reach.content.placeholders import content_keys, content_texts, find_sensitive, longest, parse, sms_count
from mofang.reach.contracts import RenderedMessage


def catalogue() -> CatalogueRead:
    """The variables a template may use, the 27 RM personas and suggested scenes."""
    return CatalogueRead(
        variables=[VariableRead(key=v.key, name=v.name, label_en=v.label_en, source=v.source, max_length=v.max_length,
                                ascii_only=v.ascii_only, example=v.example) for v in VARIABLES],
        personas=list(PERSONAS), scenes=list(SCENES))


def limits_of(settings: Settings) -> Limits:
    """The channel limits of this installation."""
    return Limits(push_title=settings.reach_push_title_max, push_body=settings.reach_push_body_max)


def _words(session: Session) -> list[tuple[str, list[str]]]:
    return [(w.word, list(w.exceptions or [])) for w in repo.words(session)]


def validate(*, platform: Platform, session: Session, data: ValidateRequest) -> ValidationReport:
    """Every problem of a template being edited (nothing saved)."""
    issues, sms = logic.validate(channel=data.channel, purpose=data.purpose, content=data.content,
                                 words=_words(session), limits=limits_of(platform.settings))
    return ValidationReport(ok=not issues, issues=issues, sms=sms)


def _check(platform: Platform, session: Session, channel: str, purpose: str, content: TemplateContent) -> None:
    """Refuse a template with any problem: a 422 naming the field, the rule and (for words) the position."""
    issues, _ = logic.validate(channel=channel, purpose=purpose, content=content, words=_words(session),
                               limits=limits_of(platform.settings))
    if issues:
        first = issues[0]
        raise Invalid(first.message, field=f"content.{first.field}", code=first.code, params=first.params)


def _sms(channel: str, content: TemplateContent) -> SmsCount | None:
    if channel != "sms" or not content.body:
        return None
    return sms_count(longest(parse(content.body)))


def _read(session: Session, row: Template, *, who: Principal | None, shared: list[str] | None = None
          ) -> TemplateRead:
    current = repo.version(session, row.id, row.version)
    content = TemplateContent.model_validate(current.content if current else {})
    return TemplateRead(
        id=row.id, name=row.name, channel=row.channel, purpose=row.purpose, status=row.status,  # type: ignore[arg-type]
        version=row.version, content=content, products=list(row.products or []), scenes=list(row.scenes or []),
        personas=list(row.personas or []), variables=content_keys(content), sms=_sms(row.channel, content),
        owner_org=row.owner_org, owned=who is not None and logic.owns(who.scope, row.owner_org),
        share_all=row.share_all, shared_with=shared if shared is not None else repo.shares(session, row.id),
        created_by=row.created_by, created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at))


def _visible(who: Principal, row: Template, shared: list[str]) -> bool:
    return logic.owns(who.scope, row.owner_org) or logic.receives(user_org=who.org_code, share_all=row.share_all,
                                                                  shared_with=shared)


def _template_or_404(session: Session, who: Principal, template_id: int) -> Template:
    row = repo.template(session, template_id)
    if row is None or not _visible(who, row, repo.shares(session, row.id)):
        raise NotFound(f"template {template_id} not found", field="template_id", code="content.template_not_found")
    return row


def _owned_or_403(who: Principal, row: Template) -> None:
    if not (who.can(P_CAMPAIGN_EDIT) and logic.owns(who.scope, row.owner_org)):
        raise Forbidden(f"template {row.id} belongs to {row.owner_org}: only its owner may change it",
                        field="template_id", code="content.not_owner", params={"name": row.name,
                                                                               "owner": row.owner_org})


def list_templates(*, session: Session, who: Principal, channel: str | None = None, tag: str | None = None,
                   persona: str | None = None, status: str | None = None) -> list[TemplateRead]:
    """Templates the viewer's org owns or receives, filtered by channel, tag (product or scene), persona, status."""
    shares = repo.all_shares(session)
    out = []
    for row in repo.templates(session, channel=channel):
        shared = shares.get(row.id, [])
        if not _visible(who, row, shared) or (status and row.status != status):
            continue
        if tag and tag not in (row.products or []) and tag not in (row.scenes or []):
            continue
        if persona and persona not in (row.personas or []):
            continue
        out.append(_read(session, row, who=who, shared=shared))
    return out


def templates_for_org(*, platform: Platform, org_code: str) -> list[TemplateRead]:
    """Active templates a strategy owned by `org_code` may send: its own, and those shared with it."""
    with platform.metadata.session() as session:
        shares = repo.all_shares(session)
        return [_read(session, row, who=None) for row in repo.templates(session, channel=None)
                if row.status == "active" and (
                    row.owner_org == org_code
                    or logic.receives(user_org=org_code, share_all=row.share_all, shared_with=shares.get(row.id, [])))]


def get_template(*, session: Session, template_id: int) -> TemplateRead | None:
    """One template for other centres (unscoped: the delivery worker and the canvas check their own scope)."""
    row = repo.template(session, template_id)
    return None if row is None else _read(session, row, who=None)


def get_or_raise(*, session: Session, who: Principal, template_id: int) -> TemplateRead:
    """One template the viewer owns or receives."""
    return _read(session, _template_or_404(session, who, template_id), who=who)


def create(*, platform: Platform, session: Session, who: Principal, data: TemplateCreate) -> TemplateRead:
    """A new draft template owned by the user's org, as version 1. Audited."""
    _check(platform, session, data.channel, data.purpose, data.content)
    logic.check_tags(data.personas)
    row = Template(name=data.name, channel=data.channel, purpose=data.purpose, status="draft", version=1,
                   products=data.products, scenes=data.scenes, personas=data.personas, owner_org=who.org_code,
                   share_all=False, created_by=who.username)
    session.add(row)
    session.flush()
    session.add(TemplateVersion(template_id=row.id, version=1, content=data.content.model_dump(),
                                created_by=who.username))
    gov.record(session=session, username=who.username, action="template.create", target_type="template",
               target_id=str(row.id), detail={"name": row.name, "channel": row.channel}, ip=who.ip)
    session.flush()
    return _read(session, row, who=who, shared=[])


def update(*, platform: Platform, session: Session, who: Principal, template_id: int, data: TemplateUpdate
           ) -> TemplateRead:
    """Change a template you own; changed content is saved as a new version (sends record theirs). Audited."""
    row = _template_or_404(session, who, template_id)
    _owned_or_403(who, row)
    if row.status == "archived":
        raise Conflict("an archived template cannot be edited; restore it to draft first", field="status",
                       code="content.archived", params={"name": row.name})
    purpose = data.purpose or row.purpose
    current = repo.version(session, row.id, row.version)
    content = data.content or TemplateContent.model_validate(current.content if current else {})
    _check(platform, session, row.channel, purpose, content)
    if data.personas is not None:
        logic.check_tags(data.personas)
    changed = data.model_dump(exclude_none=True, exclude={"content"})
    for key, value in changed.items():
        setattr(row, key, value)
    if data.content is not None and (current is None or data.content.model_dump() != current.content):
        row.version += 1
        session.add(TemplateVersion(template_id=row.id, version=row.version, content=data.content.model_dump(),
                                    created_by=who.username))
        changed["version"] = row.version
    row.updated_at = utcnow()
    gov.record(session=session, username=who.username, action="template.update", target_type="template",
               target_id=str(row.id), detail={"name": row.name, **changed}, ip=who.ip)
    session.flush()
    return _read(session, row, who=who)


def _rules_need_approval(session: Session, row: Template) -> bool:
    """The campaign centre's approval rules (a rule for `content_template`, and this version not approved yet)."""
    try:
        from mofang.campaigns.lifecycle import content_needs_approval
    except ImportError:
        return False
    return content_needs_approval(session=session, template_id=row.id, version=row.version)


def set_status(*, platform: Platform, session: Session, who: Principal, template_id: int, data: StatusChange
               ) -> TemplateRead:
    """Activate, archive or restore a template you own (activation re-validates it). Audited."""
    row = _template_or_404(session, who, template_id)
    _owned_or_403(who, row)
    if data.status == "active":
        current = repo.version(session, row.id, row.version)
        _check(platform, session, row.channel, row.purpose,
               TemplateContent.model_validate(current.content if current else {}))
        if logic.approval_required(channel=row.channel, purpose=row.purpose, owner_org=row.owner_org) or \
                _rules_need_approval(session, row):
            raise Conflict("this template needs approval before it is used", field="status",
                           code="content.approval_required", params={"name": row.name})
    before, row.status, row.updated_at = row.status, data.status, utcnow()
    gov.record(session=session, username=who.username, action="template.status", target_type="template",
               target_id=str(row.id), detail={"name": row.name, "previous_status": before,
                                                      "template_status": data.status}, ip=who.ip)
    session.flush()
    return _read(session, row, who=who)


def share(*, session: Session, who: Principal, template_id: int, data: ShareRequest) -> TemplateRead:
    """Share with the whole bank or chosen orgs (replacing earlier shares). Audited."""
    row = _template_or_404(session, who, template_id)
    _owned_or_403(who, row)
    known = gov.org_names(session=session)
    for i, code in enumerate(data.org_codes):
        if code not in known:
            raise Invalid(f"unknown org code '{code[:64]}'", field=f"org_codes.{i}", code="org.unknown",
                          params={"org": code[:64]})
    row.share_all = data.all
    repo.replace_shares(session, row.id, data.org_codes)
    gov.record(session=session, username=who.username, action="template.share", target_type="template",
               target_id=str(row.id), detail={"name": row.name, "all": data.all, "org_codes": data.org_codes},
               ip=who.ip)
    session.flush()
    return _read(session, row, who=who)


def list_versions(*, session: Session, who: Principal, template_id: int) -> list[TemplateVersionRead]:
    """A template's saved versions, newest first."""
    row = _template_or_404(session, who, template_id)
    return [TemplateVersionRead(version=v.version, content=TemplateContent.model_validate(v.content),
                                created_by=v.created_by, created_at=as_utc(v.created_at))
            for v in repo.versions(session, row.id)]


def _content(session: Session, row: Template, number: int | None) -> tuple[int, TemplateContent]:
    number = number or row.version
    saved = repo.version(session, row.id, number)
    if saved is None:
        raise NotFound(f"template {row.id} has no version {number}", field="version",
                       code="content.version_not_found", params={"version": number})
    return number, TemplateContent.model_validate(saved.content)


def preview(*, platform: Platform, session: Session, who: Principal, template_id: int, req: PreviewRequest
            ) -> PreviewRead:
    """Render for a customer of the viewer's scope (or the catalogue's examples); personal data masked."""
    row = _template_or_404(session, who, template_id)
    number, content = _content(session, row, req.version)
    if req.customer_id:
        found = repo.customer(platform.store, scope=who.scope, customer_id=req.customer_id)
        if found is None:  # out of scope and absent look the same
            raise NotFound(f"customer '{req.customer_id}' not found", field="customer_id",
                           code="content.customer_not_found")
        facts = logic.facts_of(found)
    else:
        facts = {"surname": "张", "gender": "M", "tier": "财富", "city": "深圳", "rm_name": "李娜"}
    examples = {v.key: v.example for v in VARIABLES if v.source in ("product", "benefit", "trigger")}
    msg = logic.render_message(channel=row.channel, content=content, template_id=row.id, version=number,
                               facts=facts, variables={**examples, **req.variables})

    def masked(text: str | None) -> str | None:
        return None if text is None else mask_text(text)

    return PreviewRead(channel=row.channel, version=number, customer_id=req.customer_id,  # type: ignore[arg-type]
                       title=masked(msg.title), body=mask_text(msg.body), html=masked(msg.html), url=msg.url,
                       data={k: mask_text(v) for k, v in msg.data.items()},
                       sms=sms_count(msg.body) if row.channel == "sms" else None)


def render(*, session: Session, template_id: int, channel: str, variables: Mapping[str, Any],
           facts: Mapping[str, Any]) -> RenderedMessage:
    """The delivery worker's facade: an active template's current version for one customer, escaped per channel.

    `facts` are the customer's `surname` (the only name part ever shown), `gender` (M/F), `tier`, `city` and
    `rm_name`; `variables` the send's trigger payload, product, benefit and link URLs, dotted (`product.name`) or
    nested (`{"product": {"name": ...}}`). A refusal is a MofangError whose `code` says why.
    """
    number, content = _current(session, template_id, channel)
    return logic.render_message(channel=channel, content=content, template_id=template_id, version=number,
                                facts=facts, variables=variables)


_CURRENT = "reach_content_current"  # session.info key: (template, channel) → (version, content) read in it


def _current(session: Session, template_id: int, channel: str) -> tuple[int, TemplateContent]:
    """An active template's current version for a channel, read once per session (refusals are not kept)."""
    # A send batch's session renders one template for many customers: one read and one validation, not one each.
    cache: dict[tuple[int, str], tuple[int, TemplateContent]] = session.info.setdefault(_CURRENT, {})
    hit = cache.get((template_id, channel))
    if hit is not None:
        return hit
    row = repo.template(session, template_id)
    if row is None:
        raise NotFound(f"template {template_id} not found", field="template_id", code="content.template_not_found")
    if row.channel != channel:
        raise Invalid(f"template {template_id} is a {row.channel} template, not {channel}", field="channel",
                      code="content.channel_mismatch", params={"channel": row.channel})
    if row.status != "active":
        raise Invalid(f"template {template_id} is {row.status}, not active", field="template_id",
                      code="content.template_not_active", params={"status": row.status})
    hit = cache[(template_id, channel)] = _content(session, row, None)
    return hit


def _word_read(w: SensitiveWord) -> SensitiveWordRead:
    return SensitiveWordRead(id=w.id, word=w.word, exceptions=list(w.exceptions or []), created_by=w.created_by,
                             created_at=as_utc(w.created_at))


def list_words(*, session: Session) -> list[SensitiveWordRead]:
    """The sensitive-word list."""
    return [_word_read(w) for w in repo.words(session)]


def add_word(*, session: Session, who: Principal, data: SensitiveWordCreate) -> SensitiveWordRead:
    """Add a sensitive word (checked on every later save). Audited."""
    word = data.word.strip()
    if not word:
        raise Invalid("a sensitive word is not blank", field="word", code="content.blank_word")
    for i, e in enumerate(data.exceptions):
        if word not in e:
            raise Invalid(f"an allowed phrase contains the word '{word}'", field=f"exceptions.{i}",
                          code="content.bad_exception", params={"word": word})
    if repo.word_by_text(session, word) is not None:
        raise Conflict(f"'{word}' is already a sensitive word", field="word", code="content.word_exists",
                       params={"word": word})
    row = SensitiveWord(word=word, exceptions=list(data.exceptions), created_by=who.username)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # added by someone else at the same moment
        raise Conflict(f"'{word}' is already a sensitive word", field="word", code="content.word_exists",
                       params={"word": word}) from exc
    gov.record(session=session, username=who.username, action="sensitive_word.add", target_type="sensitive_word",
               target_id=str(row.id), detail={"name": word, "exceptions": data.exceptions}, ip=who.ip)
    return _word_read(row)


def delete_word(*, session: Session, who: Principal, word_id: int) -> None:
    """Remove a sensitive word. Audited."""
    row = session.get(SensitiveWord, word_id)
    if row is None:
        raise NotFound(f"sensitive word {word_id} not found", field="word_id")
    session.delete(row)
    gov.record(session=session, username=who.username, action="sensitive_word.delete", target_type="sensitive_word",
               target_id=str(word_id), detail={"name": row.word}, ip=who.ip)


def sensitive_hits(*, session: Session, template_ids: Sequence[int] = (), texts: Sequence[tuple[str, str]] = ()
                   ) -> list[dict[str, Any]]:
    """Sensitive words in templates (their current versions) and in loose texts: where, which word, at what position."""
    words = _words(session)
    out: list[dict[str, Any]] = []
    found: list[tuple[str, str]] = list(texts)
    for tid in template_ids:
        row = session.get(Template, tid)
        current = repo.version(session, tid, row.version) if row is not None else None
        if current is not None:
            found += [(f"template.{tid}.{f}", t) for f, t in content_texts(TemplateContent.model_validate(
                current.content))]
    for where, text in found:
        hit = find_sensitive(text or "", words)
        if hit is not None:
            out.append({"where": where, "word": hit[0], "position": hit[1]})
    return out

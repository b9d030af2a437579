"""Public types of the content and script library (内容库 / 话术库): templates, versions, the variable catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from mofang.reach.contracts import Channel, Purpose

TemplateStatus = Literal["draft", "active", "archived"]
VariableSource = Literal["profile", "name_part", "product", "benefit", "trigger", "link"]


@dataclass(frozen=True)
class Variable:
    """One placeholder of the fixed catalogue: `{{name}}` (Chinese) or `{{key}}` (English) in a template."""

    key: str  # customer.surname
    name: str  # 客户.姓氏
    label_en: str
    source: VariableSource
    max_length: int  # counted at this length when a template's length is checked (SMS parts, push limits)
    ascii_only: bool  # digits, dates and links: never turns a GSM-7 SMS into UCS-2
    example: str
    fallback: str | None = None  # what a missing value renders as; None: a missing value refuses the render


@dataclass(frozen=True)
class Text:
    """A literal run of template text (never interpreted)."""

    text: str


@dataclass(frozen=True)
class Slot:
    """A placeholder in a template: the catalogue key, where it starts, and how it was written."""

    key: str
    position: int
    raw: str


Token = Text | Slot


class VariableRead(BaseModel):
    """A catalogue entry as the editor's variable picker shows it."""

    key: str
    name: str
    label_en: str
    source: VariableSource
    max_length: int
    ascii_only: bool
    example: str


class CatalogueRead(BaseModel):
    """What a template may use: variables, RM personas (3 性格 × 9 爱好 = 27 人设) and suggested scenes."""

    variables: list[VariableRead]
    personas: list[str]
    scenes: list[str]


class TemplateContent(BaseModel):
    """The channel-specific parts of a template; which are required depends on the channel."""

    title: str | None = Field(default=None, max_length=200)  # push / inbox / placement / RM task
    body: str = Field(default="", max_length=20_000)  # SMS text, push body, e-mail text part, call or RM script
    subject: str | None = Field(default=None, max_length=500)  # e-mail
    html: str | None = Field(default=None, max_length=200_000)  # e-mail
    wechat_template_id: str | None = Field(default=None, max_length=128)
    fields: dict[str, str] = Field(default_factory=dict, max_length=30)  # WeChat template data: name → text
    call_script_id: str | None = Field(default=None, max_length=128)  # the AI call vendor's script id
    call_variables: list[str] = Field(default_factory=list, max_length=30)  # catalogue variables passed to it
    links: dict[str, str] = Field(default_factory=dict, max_length=5)  # link slot key → URL


class TemplateCreate(BaseModel):
    """A new template (saved as version 1, status draft)."""

    name: str = Field(min_length=1, max_length=128)
    channel: Channel
    purpose: Purpose = "marketing"
    content: TemplateContent
    products: list[str] = Field(default_factory=list, max_length=20)
    scenes: list[str] = Field(default_factory=list, max_length=20)
    personas: list[str] = Field(default_factory=list, max_length=27)


class TemplateUpdate(BaseModel):
    """A change; a changed `content` saves a new version."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    purpose: Purpose | None = None
    content: TemplateContent | None = None
    products: list[str] | None = Field(default=None, max_length=20)
    scenes: list[str] | None = Field(default=None, max_length=20)
    personas: list[str] | None = Field(default=None, max_length=27)


class StatusChange(BaseModel):
    """Move a template between draft, active and archived."""

    status: TemplateStatus


class ShareRequest(BaseModel):
    """Share with the whole bank or with chosen orgs (replacing earlier shares)."""

    all: bool = False
    org_codes: list[str] = Field(default_factory=list, max_length=200)


class SmsCount(BaseModel):
    """How carriers bill an SMS: encoding, characters (variables at their longest) and parts."""

    encoding: Literal["GSM-7", "UCS-2"]
    characters: int
    parts: int


class ValidationIssue(BaseModel):
    """One problem of a template: the field, a code the console translates, and its parameters."""

    field: str
    code: str
    message: str
    params: dict[str, str | int] = Field(default_factory=dict)


class ValidationReport(BaseModel):
    """Every problem of a template at once (the editor shows them while typing), and the SMS count."""

    ok: bool
    issues: list[ValidationIssue]
    sms: SmsCount | None = None


class ValidateRequest(BaseModel):
    """A template being edited, checked without saving."""

    channel: Channel
    purpose: Purpose = "marketing"
    content: TemplateContent


class TemplateRead(BaseModel):
    """A template with its current version."""

    id: int
    name: str
    channel: Channel
    purpose: Purpose
    status: TemplateStatus
    version: int
    content: TemplateContent
    products: list[str]
    scenes: list[str]
    personas: list[str]
    variables: list[str]  # catalogue keys the current version uses
    sms: SmsCount | None = None
    owner_org: str
    owned: bool = False  # the viewer's org subtree owns it (may edit); otherwise it was shared with them
    share_all: bool
    shared_with: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class TemplateVersionRead(BaseModel):
    """One saved version of a template's content."""

    version: int
    content: TemplateContent
    created_by: str | None
    created_at: datetime


class PreviewRequest(BaseModel):
    """Render for a sample customer of the viewer's scope (or the catalogue's examples) and sample variables."""

    customer_id: str | None = Field(default=None, max_length=64)
    variables: dict[str, Any] = Field(default_factory=dict, max_length=50)
    version: int | None = Field(default=None, ge=1)


class PreviewRead(BaseModel):
    """A rendered template as the console shows it (personal data masked)."""

    channel: Channel
    version: int
    customer_id: str | None
    title: str | None
    body: str
    html: str | None
    url: str | None
    data: dict[str, str]
    sms: SmsCount | None = None


class SensitiveWordCreate(BaseModel):
    """A word refused in every template; `exceptions` are phrases containing it that are allowed (不保本)."""

    word: str = Field(min_length=1, max_length=32)
    exceptions: list[str] = Field(default_factory=list, max_length=20)


class SensitiveWordRead(BaseModel):
    """A sensitive word."""

    id: int
    word: str
    exceptions: list[str]
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class Limits:
    """Per-channel length limits checked at save (characters, variables at their declared maximum)."""

    push_title: int = 20
    push_body: int = 100
    inbox_title: int = 30
    inbox_body: int = 1000
    placement_title: int = 20
    placement_body: int = 100
    rm_title: int = 40
    email_subject: int = 78
    sms_max_parts: int = 10

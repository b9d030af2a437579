"""Public types of campaigns, approvals, checks, the calendar, MGM and the customer API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["draft", "submitted", "approved", "rejected", "scheduled", "running", "paused", "ended", "archived"]
Action = Literal["launch", "pause", "resume", "end", "archive"]
ObjectType = Literal["campaign", "strategy", "content_template", "benefit_budget"]
RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _aware(v: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC (the console sends ISO times with Z)."""
    return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


class CampaignWrite(_Strict):
    """A campaign as the wizard saves it (a draft; editing an approved one needs approval again)."""

    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    template_id: str = Field(min_length=1, max_length=32)
    params: dict[str, Any] = Field(default_factory=dict)
    segment_id: int | None = Field(default=None, ge=1)
    budget: float | None = Field(default=None, ge=0, le=1e12)
    stock: int | None = Field(default=None, ge=0, le=1_000_000_000)
    products: list[str] = Field(default_factory=list, max_length=20)  # offered products (适当性 at submit)
    starts_at: datetime
    ends_at: datetime

    _zone = field_validator("starts_at", "ends_at")(_aware)

    @model_validator(mode="after")
    def _period(self) -> CampaignWrite:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CampaignUpdate(_Strict):
    """Change any part of a campaign (absent: unchanged)."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    params: dict[str, Any] | None = None
    segment_id: int | None = Field(default=None, ge=1)
    budget: float | None = Field(default=None, ge=0, le=1e12)
    stock: int | None = Field(default=None, ge=0, le=1_000_000_000)
    products: list[str] | None = Field(default=None, max_length=20)
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    _zone = field_validator("starts_at", "ends_at")(_aware)


class Check(BaseModel):
    """One check at submit: its code, whether it passed (or only warns), and what it found."""

    code: str
    ok: bool
    severity: Literal["error", "warning", "info"] = "info"
    params: dict[str, Any] = Field(default_factory=dict)


class CampaignRead(BaseModel):
    """A campaign as listed and shown."""

    id: int
    name: str
    description: str
    template_id: str
    template_name: str
    params: dict[str, Any]
    segment_id: int | None
    owner_org: str
    budget: float | None
    stock: int | None
    products: list[str]
    starts_at: datetime
    ends_at: datetime
    status: Status
    revision: int
    approved_revision: int | None
    reject_reason: str | None
    strategy_ids: list[int]
    analysis_id: int | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class ApprovalRead(BaseModel):
    """A request for approval with what changed since the last approved revision and the checks."""

    id: int
    object_type: str
    object_id: str
    revision: int
    title: str
    owner_org: str
    approver_org: str | None
    amount: float | None
    maker: str
    status: Literal["pending", "approved", "rejected", "withdrawn"]
    decided_by: str | None
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    diff: list[dict[str, Any]]
    checks: list[Check]
    can_decide: bool = False


class ApprovalRequest(_Strict):
    """Ask for approval of a strategy, a content template or a benefit budget (campaigns use submit)."""

    object_type: Literal["strategy", "content_template", "benefit_budget"]
    object_id: str = Field(min_length=1, max_length=64)
    revision: int = Field(default=1, ge=1)
    title: str = Field(min_length=1, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict)
    amount: float | None = Field(default=None, ge=0, le=1e12)


class Decision(_Strict):
    """Approve, or reject with a reason."""

    approve: bool
    reason: str | None = Field(default=None, max_length=500)


class RuleRead(BaseModel):
    """An approval rule."""

    id: int
    object_type: str
    min_amount: float | None
    approver_org: str | None
    enabled: bool


class RuleWrite(_Strict):
    """A new approval rule."""

    object_type: ObjectType
    min_amount: float | None = Field(default=None, ge=0, le=1e12)
    approver_org: str | None = Field(default=None, max_length=64)
    enabled: bool = True


class CalendarEntry(BaseModel):
    """A campaign on the calendar with the campaigns it overlaps (same customers, same period)."""

    id: int
    name: str
    status: str
    owner_org: str
    starts_at: datetime
    ends_at: datetime
    segment_id: int | None
    conflicts: list[int]


class ReviewDecision(_Strict):
    """An administrator's verdict on a referral held by the velocity rules."""

    release: bool
    reason: str | None = Field(default=None, max_length=200)


class ReferralRead(BaseModel):
    """A referral (customer numbers masked for the review queue)."""

    id: int
    campaign_id: int
    inviter: str
    invitee: str
    status: str
    reason: str | None
    created_at: datetime


# --- customer-facing API -----------------------------------------------------------------------------------------


class CustomerCall(_Strict):
    """The customer a server-to-server call is made for, and what the bank's app knows about the device."""

    customer_id: str = Field(min_length=1, max_length=64)
    device_id: str | None = Field(default=None, max_length=128)
    ip: str | None = Field(default=None, max_length=64)


class IdentityCall(CustomerCall):
    """A call that may carry the customer's phone and ID number (compared as keyed hashes, never stored in clear)."""

    phone: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)


class AcceptInvite(IdentityCall):
    """An invitee accepting an invite code."""

    code: str = Field(min_length=4, max_length=16)


class ReportAction(CustomerCall):
    """The bank's systems report that the customer did something (测额, a fund purchase, a task)."""

    action: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_$.:-]{1,128}$")


class TokenRequest(_Strict):
    """Mint a signed H5 link for a customer (server-to-server)."""

    customer_id: str = Field(min_length=1, max_length=64)
    ttl_minutes: int = Field(default=60 * 24, ge=1, le=60 * 24 * 30)


# --- detail page: participation funnel and MGM invite tree ------------------------------------------------------


class ParticipationStage(BaseModel):
    """One stage of a campaign's participation funnel; None when it cannot be counted (strategy never ran)."""

    stage: Literal["targeted", "reached", "joined", "completed", "rewarded"]
    count: int | None


class CampaignFunnel(BaseModel):
    """Targeted → reached (the effects funnel of its strategies) → joined → completed → rewarded (its records)."""

    campaign_id: int
    stages: list[ParticipationStage]
    as_of: datetime


class InviteNode(BaseModel):
    """A customer in the invite tree (masked), the status of their own acceptance, and whom they invited."""

    customer: str
    name: str | None
    status: str  # inviter (a root who shared a code) | pending | held | completed | refused | expired
    reason: str | None = None
    referral_id: int | None = None
    invited: int  # direct invitees within the viewer's scope
    completed: int  # of which completed
    more: int = 0  # invitees below the depth limit, not listed
    children: list[InviteNode] = Field(default_factory=list)


class InviteTree(BaseModel):
    """A page of the invite tree's roots, each with invitees down to `depth` levels."""

    campaign_id: int
    total_roots: int
    depth: int
    offset: int
    limit: int
    roots: list[InviteNode]

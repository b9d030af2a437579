"""Public types of benefits (权益): definitions, pools and allocations, the issue answer, ledger and reconciliation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["full_reduction", "discount", "cash", "points", "rate_boost", "physical"]
Reason = Literal["stock_exhausted", "budget_exhausted", "limit_per_customer", "expired", "not_started",
                 "no_pool", "inactive"]
Fulfilment = Literal["shipped", "delivered", "returned"]
Fen = Annotated[int, Field(ge=0, le=10**13)]  # amounts are integers in fen (分): never floats


class FullReduction(BaseModel):
    """满减券: take `amount_fen` off an order of at least `threshold_fen`."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["full_reduction"] = "full_reduction"
    threshold_fen: Fen
    amount_fen: Annotated[int, Field(gt=0, le=10**11)]


class Discount(BaseModel):
    """折扣券: pay `rate` of the price (0.88 = 88折), saving at most `cap_fen`."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["discount"] = "discount"
    rate: Annotated[float, Field(gt=0, lt=1)]
    cap_fen: Annotated[int, Field(gt=0, le=10**11)]


class Cash(BaseModel):
    """现金红包 / 返现: money paid to the customer's account."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["cash"] = "cash"
    amount_fen: Annotated[int, Field(gt=0, le=10**11)]


class Points(BaseModel):
    """积分: loyalty points credited."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["points"] = "points"
    points: Annotated[int, Field(gt=0, le=10**9)]


class RateBoost(BaseModel):
    """加息券: `boost_bp` basis points more on `product_code` for `days` days after the customer uses it."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["rate_boost"] = "rate_boost"
    boost_bp: Annotated[int, Field(gt=0, le=1000)]
    product_code: Annotated[str, Field(min_length=1, max_length=64)]
    days: Annotated[int, Field(gt=0, le=3650)]


class Physical(BaseModel):
    """实物: a physical gift, fulfilled (shipped → delivered, or returned) by the bank."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["physical"] = "physical"
    item: Annotated[str, Field(min_length=1, max_length=64)]


Spec = Annotated[FullReduction | Discount | Cash | Points | RateBoost | Physical, Field(discriminator="kind")]


class BenefitCreate(BaseModel):
    """A new benefit; validity is either fixed dates (valid_from/valid_to) or `valid_days` from issue."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=64)]
    spec: Spec
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    valid_days: Annotated[int | None, Field(gt=0, le=3650)] = None
    per_customer_limit: Annotated[int, Field(ge=1, le=1000)] = 1
    stackable: bool = False
    cost_fen: Fen | None = None  # cost of one benefit; derived from the spec for money kinds when omitted
    owner_org: Annotated[str | None, Field(min_length=1, max_length=64)] = None


class BenefitUpdate(BaseModel):
    """Changes to a benefit; what was already issued keeps its terms."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    per_customer_limit: Annotated[int | None, Field(ge=1, le=1000)] = None
    stackable: bool | None = None
    valid_to: datetime | None = None
    status: Literal["active", "archived"] | None = None


class BenefitRead(BaseModel):
    """A benefit as listed."""

    id: int
    name: str
    kind: Kind
    spec: Spec
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    per_customer_limit: int
    stackable: bool
    cost_fen: int
    cost_on: Literal["issue", "redeem"]
    owner_org: str
    status: str
    created_by: str | None
    created_at: datetime


class PoolCreate(BaseModel):
    """Stock and budget of a benefit in a campaign (campaign 0: the benefit used outside campaigns)."""

    model_config = ConfigDict(extra="forbid")
    benefit_id: int = Field(ge=1, le=2**31 - 1)
    campaign_id: int = Field(default=0, ge=0, le=2**31 - 1)
    org_code: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    stock: Annotated[int, Field(ge=0, le=10**9)]
    budget_fen: Fen


class AllocationCreate(BaseModel):
    """A share of a pool handed down to an org below it (总行下发额度到分行)."""

    model_config = ConfigDict(extra="forbid")
    org_code: Annotated[str, Field(min_length=1, max_length=64)]
    stock: Annotated[int, Field(ge=0, le=10**9)]
    budget_fen: Fen


class PoolRead(BaseModel):
    """A pool or allocation and what is left of it."""

    id: int
    benefit_id: int
    campaign_id: int
    org_code: str
    parent_id: int | None
    stock_total: int
    stock_remaining: int
    budget_fen: int
    budget_remaining_fen: int


class IssueResult(BaseModel):
    """The answer to an issue or claim: the same for every retry with the same idempotency key."""

    model_config = ConfigDict(frozen=True)
    status: Literal["issued", "refused"]
    reason: Reason | None = None
    grant_id: int | None = None
    cost_fen: int = 0
    expires_at: datetime | None = None


class ClaimsStatus(BaseModel):
    """Where claims are decided and whether an answer given survives a Redis crash (`code`: for the console)."""

    store: Literal["embedded", "redis"]
    durability: Literal["durable", "not_durable", "unknown"]
    code: str
    appendonly: str | None = None
    appendfsync: str | None = None


class ClaimRequest(BaseModel):
    """A customer-initiated claim (抢券) posted by the bank's app server."""

    model_config = ConfigDict(extra="forbid")
    benefit_id: int = Field(ge=1, le=2**31 - 1)
    customer_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
    campaign_id: int | None = Field(default=None, ge=0, le=2**31 - 1)


class RedemptionReport(BaseModel):
    """The bank's system says an issued benefit was used; `redemption_id` makes the report idempotent."""

    model_config = ConfigDict(extra="forbid")
    redemption_id: Annotated[str, Field(min_length=1, max_length=128)]
    grant_id: int = Field(ge=1, le=2**63 - 1)
    amount_fen: Fen | None = None  # the saving actually given (折扣券); other kinds cost their fixed amount
    order_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    redeemed_at: datetime | None = None


class RedemptionResult(BaseModel):
    """What became of a redemption report (the same for every retry)."""

    status: Literal["redeemed"]
    grant_id: int
    cost_fen: int
    redeemed_at: datetime


class FulfilmentUpdate(BaseModel):
    """A fulfilment step of a physical gift."""

    model_config = ConfigDict(extra="forbid")
    status: Fulfilment


class LedgerRow(BaseModel):
    """One issue answer with what happened to it since (customer name masked)."""

    id: int
    benefit_id: int
    campaign_id: int
    customer_id: str
    customer_name: str | None
    org_code: str
    status: str
    reason: str | None
    state: str  # issued | redeemed | expired | refused
    fulfilment: str | None
    cost_fen: int
    source: str
    issued_at: datetime
    expires_at: datetime | None


class LedgerPage(BaseModel):
    """A page of the ledger."""

    items: list[LedgerRow]
    total: int


class ReconciliationRow(BaseModel):
    """Issued vs redeemed vs expired vs budget of a benefit in a campaign at one org."""

    benefit_id: int
    benefit_name: str
    campaign_id: int
    org_code: str
    issued: int
    redeemed: int
    expired: int
    outstanding: int
    refused: dict[str, int]
    stock_total: int
    stock_remaining: int
    budget_fen: int
    budget_remaining_fen: int
    reserved_fen: int  # cost of every issue, held against the budget when issued
    cost_fen: int  # cost counted so far: at issue, or at redemption, per kind


class BurnPoint(BaseModel):
    """Stock and budget left at the end of one day."""

    day: date
    issued: int
    stock_remaining: int
    budget_remaining_fen: int

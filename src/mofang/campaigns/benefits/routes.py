"""HTTP routes of benefits: the console's catalogue, pools, ledger and reconciliation; the bank's key-authenticated
redemption reports and customer claims."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from mofang.campaigns.benefits import service
from mofang.campaigns.benefits.contracts import (
    AllocationCreate,
    BenefitCreate,
    BenefitRead,
    BenefitUpdate,
    BurnPoint,
    ClaimRequest,
    ClaimsStatus,
    FulfilmentUpdate,
    IssueResult,
    LedgerPage,
    LedgerRow,
    PoolCreate,
    PoolRead,
    ReconciliationRow,
    RedemptionReport,
    RedemptionResult,
)
from mofang.platform.csvfile import BOM, MEDIA_TYPE, attachment, csv_text
from mofang.platform.deps import PlatformDep, require
from mofang.platform.errors import BadRequest, Unauthorized
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT, P_EXPORT
from mofang.tracking import keys

router = APIRouter(prefix="/api/benefits", tags=["benefits"])
bank_router = APIRouter(tags=["benefits"])
Reader = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Exporter = Annotated[Principal, Depends(require(P_EXPORT))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
OptId = Annotated[int | None, Query(ge=0, le=2**31 - 1)]


def _key_of(header: str | None) -> str | None:
    """The API key from `Authorization: Basic base64(key:)` (as /v1 takes write keys), or None."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0] or None
    except (binascii.Error, UnicodeDecodeError):
        return None


async def bank_system(request: Request, platform: PlatformDep) -> str:
    """The bank's server, authenticated by an API key (an administrator's write key); 401 otherwise."""
    key = _key_of(request.headers.get("authorization"))
    if key is None:
        raise Unauthorized("send the API key as HTTP Basic user name (empty password)", code="benefits.key_missing")
    # The verdict cache of /v1 (a revocation here clears it; another process's is seen within a minute): a claim
    # costs no thread and no database read for its key once the key was seen.
    verdict = keys.write_key_cached(platform, key)
    if verdict is None:
        verdict = await run_in_threadpool(keys.write_key_ok, platform, key)
    if not verdict:
        raise Unauthorized("the API key is unknown or revoked", code="benefits.key_invalid")
    return key[:10]


BankSystem = Annotated[str, Depends(bank_system)]


@router.get("", response_model=list[BenefitRead])
def list_benefits(who: Reader, platform: PlatformDep) -> list[BenefitRead]:
    """Benefits of your org subtree and of the orgs above it."""
    return service.list_definitions(platform=platform, who=who)


@router.post("", response_model=BenefitRead, status_code=201)
def create_benefit(body: BenefitCreate, who: Editor, platform: PlatformDep) -> BenefitRead:
    """Define a benefit (kind, terms, validity, limit, stackability, cost, owner org); audited."""
    return service.create(platform=platform, who=who, data=body)


@router.get("/status", response_model=ClaimsStatus)
def claims_status(_who: Reader, platform: PlatformDep) -> ClaimsStatus:
    """Where claims are decided and whether an answer given survives a crash of Redis (AOF with fsync always)."""
    return service.claims_status(platform=platform)


@router.get("/pools", response_model=list[PoolRead])
def list_pools(who: Reader, platform: PlatformDep, benefit_id: OptId = None,
               campaign_id: OptId = None) -> list[PoolRead]:
    """Stock and budget pools and allocations within your scope, with what is left."""
    return service.list_pools(platform=platform, who=who, benefit_id=benefit_id, campaign_id=campaign_id)


@router.post("/pools", response_model=PoolRead, status_code=201)
def create_pool(body: PoolCreate, who: Editor, platform: PlatformDep) -> PoolRead:
    """Give a benefit stock and a money budget in a campaign; audited."""
    return service.create_pool(platform=platform, who=who, data=body)


@router.post("/pools/{pool_id}/allocations", response_model=PoolRead, status_code=201)
def allocate(pool_id: Id, body: AllocationCreate, who: Editor, platform: PlatformDep) -> PoolRead:
    """Hand a share of a pool to an org below it; its issues then draw from that share; audited."""
    return service.allocate(platform=platform, who=who, pool_id=pool_id, data=body)


@router.get("/ledger", response_model=LedgerPage)
def ledger(who: Reader, platform: PlatformDep, benefit_id: OptId = None, campaign_id: OptId = None,
           customer_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50,
           offset: Annotated[int, Query(ge=0, le=10**7)] = 0) -> LedgerPage:
    """Issue answers (issued, refused and why) and what became of them, within your scope; names masked."""
    return service.ledger(platform=platform, who=who, benefit_id=benefit_id, campaign_id=campaign_id,
                          customer_id=customer_id, limit=limit, offset=offset)


@router.post("/grants/{grant_id}/fulfilment", response_model=LedgerRow)
def fulfil(grant_id: Id, body: FulfilmentUpdate, who: Editor, platform: PlatformDep) -> LedgerRow:
    """Record a fulfilment step of a physical gift (shipped, delivered, returned); audited."""
    return service.fulfil(platform=platform, who=who, grant_id=grant_id, status=body.status)


@router.get("/reconciliation", response_model=list[ReconciliationRow])
def reconciliation(who: Reader, platform: PlatformDep, benefit_id: OptId = None,
                   campaign_id: OptId = None) -> list[ReconciliationRow]:
    """Issued vs redeemed vs expired vs budget per benefit, campaign and org, within your scope."""
    return service.reconciliation(platform=platform, who=who, benefit_id=benefit_id, campaign_id=campaign_id)


HEADER = {"zh": ["权益ID", "权益", "活动ID", "机构", "已发放", "已核销", "已过期", "未使用", "拒绝", "库存", "剩余库存",
                 "预算(分)", "剩余预算(分)", "占用(分)", "成本(分)"],
          "en": ["benefit_id", "benefit", "campaign_id", "org", "issued", "redeemed", "expired", "outstanding",
                 "refused", "stock", "stock_left", "budget_fen", "budget_left_fen", "reserved_fen", "cost_fen"]}


@router.get("/reconciliation/export.csv", response_class=Response)
def export_reconciliation(who: Exporter, platform: PlatformDep, benefit_id: OptId = None,
                          campaign_id: OptId = None,
                          lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    """The reconciliation as CSV, within your scope (audited)."""
    rows = service.reconciliation(platform=platform, who=who, benefit_id=benefit_id, campaign_id=campaign_id)
    service.audit_export(platform=platform, who=who, what="reconciliation", rows=len(rows))
    lines = [[r.benefit_id, r.benefit_name, r.campaign_id, r.org_code, r.issued, r.redeemed, r.expired,
              r.outstanding, " ".join(f"{k}:{v}" for k, v in sorted(r.refused.items())), r.stock_total,
              r.stock_remaining, r.budget_fen, r.budget_remaining_fen, r.reserved_fen, r.cost_fen] for r in rows]
    body = csv_text([HEADER[lang], *lines])
    return Response(BOM + body, media_type=MEDIA_TYPE, headers=attachment("benefits-reconciliation.csv"))


@router.post("/redemptions", response_model=RedemptionResult)
def redeem(body: RedemptionReport, system: BankSystem, platform: PlatformDep) -> RedemptionResult:
    """The bank's system reports a benefit used (key-authenticated; idempotent by redemption_id)."""
    return service.redeem(platform=platform, report=body, actor=f"key:{system}")


@router.get("/{benefit_id}", response_model=BenefitRead)
def get_benefit(benefit_id: Id, who: Reader, platform: PlatformDep) -> BenefitRead:
    """One benefit."""
    return service.get_or_raise(platform=platform, who=who, benefit_id=benefit_id)


@router.patch("/{benefit_id}", response_model=BenefitRead)
def update_benefit(benefit_id: Id, body: BenefitUpdate, who: Editor, platform: PlatformDep) -> BenefitRead:
    """Change a benefit's name, limit, stackability, end date or status (owner org); audited."""
    return service.update(platform=platform, who=who, benefit_id=benefit_id, data=body)


@router.get("/{benefit_id}/burndown", response_model=list[BurnPoint])
def burndown(benefit_id: Id, who: Reader, platform: PlatformDep,
             campaign_id: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> list[BurnPoint]:
    """Stock and budget left at the end of each day, over the pools within your scope."""
    return service.burndown(platform=platform, who=who, benefit_id=benefit_id, campaign_id=campaign_id)


@bank_router.post("/api/campaign-api/claim", response_model=IssueResult)
async def claim(body: ClaimRequest, _system: BankSystem, platform: PlatformDep,
                idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> IssueResult:
    """A customer claims a benefit (抢券), via the bank's app server; a retry with the same key answers the same."""
    if not idempotency_key or len(idempotency_key) > 160:
        raise BadRequest("send an Idempotency-Key header of 1 to 160 characters", field="idempotency_key",
                         code="benefits.bad_key")
    # Awaited on the loop: concurrent claims share one batch (one Redis script call), no thread per request.
    return await service.issue_benefit_async(platform=platform, benefit_id=body.benefit_id,
                                             customer_id=body.customer_id, idempotency_key=idempotency_key,
                                             campaign_id=body.campaign_id, source="claim")

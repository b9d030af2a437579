"""HTTP routes of the contact policy (策略中心 → 触达策略)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from mofang.platform.context import now_of
from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT, P_CUSTOMERS_READ, P_POLICY_EDIT
from mofang.strategy.contact_policy import admin, service
from mofang.strategy.contact_policy.contracts import (
    CheckRead,
    CheckWrite,
    ControlGroupRead,
    ControlGroupWrite,
    DncRead,
    DncWrite,
    OptOutRead,
    QuietHoursRule,
    RuleRead,
    RuleWrite,
    SuppressionRead,
)

router = APIRouter(prefix="/api/policy", tags=["contact policy"])
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
Operator = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Editor = Annotated[Principal, Depends(require(P_POLICY_EDIT))]
CustomerId = Annotated[str | None, Query(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=500)]
RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CustomerPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/rules", response_model=list[RuleRead])
def list_rules(_who: Reader, session: SessionDep) -> list[RuleRead]:
    """Every rule: caps, quiet hours, consent requirements."""
    return admin.list_rules(session=session)


@router.post("/rules", response_model=RuleRead, status_code=201)
def create_rule(body: RuleWrite, who: Editor, session: SessionDep) -> RuleRead:
    """Add a rule (head office, policy:edit; audited)."""
    return admin.create_rule(session=session, who=who, data=body)


@router.put("/rules/{rule_id}", response_model=RuleRead)
def update_rule(rule_id: RuleId, body: RuleWrite, who: Editor, session: SessionDep) -> RuleRead:
    """Replace a rule (audited with before and after)."""
    return admin.update_rule(session=session, who=who, rule_id=rule_id, data=body)


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: RuleId, who: Editor, session: SessionDep) -> None:
    """Delete a rule (audited)."""
    admin.delete_rule(session=session, who=who, rule_id=rule_id)


@router.get("/quiet-hours", response_model=RuleRead | None)
def get_quiet_hours(_who: Reader, session: SessionDep) -> RuleRead | None:
    """The bank-wide quiet hours (勿扰时段)."""
    return admin.quiet_hours(session=session)


@router.put("/quiet-hours", response_model=RuleRead)
def put_quiet_hours(body: QuietHoursRule, who: Editor, session: SessionDep,
                    enabled: Annotated[bool, Query()] = True) -> RuleRead:
    """Set the bank-wide quiet hours (audited)."""
    return admin.set_quiet_hours(session=session, who=who, rule=body, enabled=enabled)


@router.get("/control-group", response_model=ControlGroupRead)
def get_control_group(_who: Reader, session: SessionDep) -> ControlGroupRead:
    """The global control group (全行对照组)."""
    return admin.control_group(session=session)


@router.put("/control-group", response_model=ControlGroupRead)
def put_control_group(body: ControlGroupWrite, who: Editor, session: SessionDep) -> ControlGroupRead:
    """Change its percentage (audited); the same customers stay in."""
    return admin.set_control_group(session=session, who=who, data=body)


@router.post("/control-group/redraw", response_model=ControlGroupRead)
def redraw_control_group(who: Editor, session: SessionDep) -> ControlGroupRead:
    """Draw a new control group (audited)."""
    return admin.redraw_control_group(session=session, who=who)


@router.get("/dnc", response_model=list[DncRead])
def list_dnc(who: Reader, platform: PlatformDep, session: SessionDep, customer_id: CustomerId = None,
             limit: Limit = 100) -> list[DncRead]:
    """The do-not-contact list (勿扰名单) inside your scope, masked."""
    return admin.list_dnc(platform=platform, session=session, who=who, customer_id=customer_id, limit=limit)


@router.post("/dnc", response_model=DncRead, status_code=201)
def add_dnc(body: DncWrite, who: Operator, platform: PlatformDep, session: SessionDep) -> DncRead:
    """Put a customer of your scope on the list (audited)."""
    return admin.add_dnc(platform=platform, session=session, who=who, data=body)


@router.delete("/dnc/{customer_id}", status_code=204)
def remove_dnc(customer_id: CustomerPath, who: Operator, platform: PlatformDep, session: SessionDep) -> None:
    """Take a customer of your scope off the list (audited)."""
    admin.remove_dnc(platform=platform, session=session, who=who, customer_id=customer_id)


@router.get("/opt-outs", response_model=list[OptOutRead])
def list_opt_outs(who: Reader, platform: PlatformDep, session: SessionDep, customer_id: CustomerId = None,
                  limit: Limit = 100) -> list[OptOutRead]:
    """Opt-outs (退订) inside your scope, masked."""
    return admin.list_opt_outs(platform=platform, session=session, who=who, customer_id=customer_id, limit=limit)


@router.get("/suppressions", response_model=list[SuppressionRead])
def list_suppressions(who: Reader, platform: PlatformDep, session: SessionDep, customer_id: CustomerId = None,
                      strategy_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                      limit: Limit = 100) -> list[SuppressionRead]:
    """Suppressions and deferrals of customers in your scope, newest first, masked."""
    return admin.list_suppressions(platform=platform, session=session, who=who, customer_id=customer_id,
                                   strategy_id=strategy_id, limit=limit)


@router.post("/check", response_model=CheckRead)
def dry_run(body: CheckWrite, who: Reader, platform: PlatformDep) -> CheckRead:
    """试算: would this message go to this customer now, and how much of each cap is used? Nothing is counted."""
    return service.dry_run(platform=platform, who=who, data=body, now=now_of(platform))

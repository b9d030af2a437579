"""HTTP routes of effect evaluation (效果评估): per strategy or campaign, portfolio, global control group."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from mofang.monitor.effects import attributed, goals, service
from mofang.monitor.effects import global_control as gc
from mofang.monitor.effects.contracts import (
    AttributedEffect,
    AttributionRule,
    FixedCostCreate,
    FixedCostRead,
    GlobalControl,
    GoalCreate,
    GoalProgress,
    GoalRead,
    IncrementalPart,
    Portfolio,
    StrategyEffect,
)
from mofang.platform.context import now_of
from mofang.platform.deps import PlatformDep, require
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ANALYTICS, P_CAMPAIGN_EDIT, P_EXPORT

router = APIRouter(prefix="/api/effects", tags=["effects"])
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Exporter = Annotated[Principal, Depends(require(P_EXPORT))]
Window = Annotated[int, Query(ge=1, le=365, description="days after entry the AUM change is measured over")]
Rate = Annotated[float, Query(ge=0, le=1, description="share of net new AUM counted as value (yuan per yuan)")]
PerConversion = Annotated[float, Query(ge=0, le=1e7, description="value of one conversion in yuan")]
Basis = Annotated[Literal["issued", "redeemed"], Query(description="benefit cost when issued or when redeemed")]
Line = Annotated[Literal["retail", "card", "wealth", "loan"] | None, Query()]
Org = Annotated[str | None, Query(max_length=64)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Ids = Annotated[list[Annotated[int, Query(ge=1, le=2**31 - 1)]], Query(min_length=1, max_length=200)]


@router.get("/strategies/{strategy_id}", response_model=StrategyEffect)
def strategy_effect(
    strategy_id: Id, who: Analyst, platform: PlatformDep,
    date_from: date | None = None, date_to: date | None = None, window_days: Window = 30,
    value_per_conversion: PerConversion = 0.0, aum_value_rate: Rate = 0.01, benefit_basis: Basis = "issued",
) -> StrategyEffect:
    """Funnel, lift against the holdout, AUM difference-in-differences, costs and ROI of a strategy (scoped)."""
    return service.strategy_effect(platform=platform, scope=who.scope, strategy_ids=[strategy_id],
                                   date_from=date_from, date_to=date_to, window_days=window_days,
                                   value_per_conversion=value_per_conversion, aum_value_rate=aum_value_rate,
                                   benefit_basis=benefit_basis, now=now_of(platform))


@router.get("/campaigns/{campaign_id}", response_model=StrategyEffect)
def campaign_effect(
    campaign_id: Id, who: Analyst, platform: PlatformDep, strategy_ids: Ids,
    date_from: date | None = None, date_to: date | None = None, window_days: Window = 30,
    value_per_conversion: PerConversion = 0.0, aum_value_rate: Rate = 0.01, benefit_basis: Basis = "issued",
) -> StrategyEffect:
    """The same over a campaign's strategies, with its messages and benefits by campaign id (scoped)."""
    return service.strategy_effect(platform=platform, scope=who.scope, strategy_ids=strategy_ids,
                                   campaign_id=campaign_id, date_from=date_from, date_to=date_to,
                                   window_days=window_days, value_per_conversion=value_per_conversion,
                                   aum_value_rate=aum_value_rate, benefit_basis=benefit_basis,
                                   now=now_of(platform))


@router.get("/strategies/{strategy_id}/fixed-costs", response_model=list[FixedCostRead])
def fixed_costs(strategy_id: Id, who: Analyst, platform: PlatformDep) -> list[FixedCostRead]:
    """Fixed costs entered for a strategy."""
    return service.list_fixed_costs(platform=platform, who=who, strategy_id=strategy_id)


@router.post("/fixed-costs", response_model=FixedCostRead, status_code=201)
def add_fixed_cost(data: FixedCostCreate, who: Editor, platform: PlatformDep) -> FixedCostRead:
    """Enter a fixed cost of a strategy your org owns (audited)."""
    return service.add_fixed_cost(platform=platform, who=who, data=data)


@router.get("/portfolio", response_model=Portfolio)
def portfolio(who: Analyst, platform: PlatformDep, date_from: date, date_to: date, org_code: Org = None,
              business_line: Line = None, window_days: Window = 30, aum_value_rate: Rate = 0.01) -> Portfolio:
    """Strategies with customers entering in the period, ranked by ROI and incremental AUM (scoped)."""
    return service.portfolio(platform=platform, scope=who.scope, date_from=date_from, date_to=date_to,
                             org_code=org_code, business_line=business_line, window_days=window_days,
                             aum_value_rate=aum_value_rate, now=now_of(platform))


@router.get("/portfolio.csv")
def portfolio_csv(who: Exporter, platform: PlatformDep, date_from: date, date_to: date, org_code: Org = None,
                  business_line: Line = None) -> Response:
    """The portfolio as CSV (audited, scoped)."""
    body = service.portfolio_csv(platform=platform, who=who, date_from=date_from, date_to=date_to,
                                 org_code=org_code, business_line=business_line, now=now_of(platform))
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="effects_portfolio.csv"'})


@router.get("/global-control", response_model=GlobalControl)
def global_control(who: Analyst, platform: PlatformDep, month_from: date, month_to: date) -> GlobalControl:
    """The global control group against everybody else per month: active rate, adoption, AUM (scoped)."""
    return gc.global_control(platform=platform, scope=who.scope, month_from=month_from, month_to=month_to)


CampaignOpt = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Lookback = Annotated[int, Query(ge=1, le=90, description="days before a conversion a touch may lie")]


@router.post("/goals", response_model=GoalRead, status_code=201)
def add_goal(data: GoalCreate, who: Editor, platform: PlatformDep) -> GoalRead:
    """State a target (metric, value, period) for strategies your org owns (audited)."""
    return goals.create_goal(platform=platform, who=who, data=data)


@router.get("/goals", response_model=list[GoalProgress])
def list_goals(who: Analyst, platform: PlatformDep, strategy_ids: Ids, campaign_id: CampaignOpt = None,
               window_days: Window = 30, value_per_conversion: PerConversion = 0.0,
               aum_value_rate: Rate = 0.01) -> list[GoalProgress]:
    """A strategy's (or campaign's) targets against what was achieved, now and by entry day (scoped)."""
    return goals.list_goals(platform=platform, who=who, strategy_ids=strategy_ids, campaign_id=campaign_id,
                            window_days=window_days, value_per_conversion=value_per_conversion,
                            aum_value_rate=aum_value_rate, now=now_of(platform))


@router.delete("/goals/{goal_id}", status_code=204)
def delete_goal(goal_id: Id, who: Editor, platform: PlatformDep) -> Response:
    """Withdraw a target (audited)."""
    goals.delete_goal(platform=platform, who=who, goal_id=goal_id)
    return Response(status_code=204)


@router.get("/attribution", response_model=AttributedEffect)
def attribution(who: Analyst, platform: PlatformDep, strategy_ids: Ids, campaign_id: CampaignOpt = None,
                rule: AttributionRule = "last", date_from: date | None = None, date_to: date | None = None,
                window_days: Lookback = 7, value_per_conversion: PerConversion = 0.0) -> AttributedEffect:
    """Conversions credited to this strategy (or campaign) when overlapping campaigns' touches share them."""
    return attributed.attributed_effect(platform=platform, scope=who.scope, strategy_ids=strategy_ids,
                                        campaign_id=campaign_id, rule=rule, date_from=date_from, date_to=date_to,
                                        window_days=window_days, value_per_conversion=value_per_conversion,
                                        now=now_of(platform))


@router.get("/incremental", response_model=IncrementalPart)
def incremental(who: Analyst, platform: PlatformDep, date_from: date, date_to: date,
                window_days: Window = 30) -> IncrementalPart:
    """The part of MAU/AUM movement campaigns added: their holdout estimates summed (an estimate; scoped)."""
    return attributed.incremental_part(platform=platform, scope=who.scope, date_from=date_from, date_to=date_to,
                                       window_days=window_days, now=now_of(platform))

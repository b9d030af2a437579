"""A demo campaign through the real door: 新客礼 from its template, a benefit with stock and budget, submitted by the
maker, approved by another user, launched — its compiled strategy then runs in the simulated week beside the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mofang.campaigns.benefits import service as benefits
from mofang.campaigns.benefits.contracts import BenefitCreate, PoolCreate
from mofang.campaigns.lifecycle import approvals
from mofang.campaigns.lifecycle import service as campaigns
from mofang.campaigns.lifecycle.contracts import CampaignWrite, Decision
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal

MAKER, APPROVER = "hq_ops", "approver"
NAME = "登录有礼·新客礼"
STOCK, BUDGET_FEN, GIFT_FEN = 1000, 1000 * 500, 500  # 1,000 cash gifts of ¥5


def prepare_campaign(*, platform: Platform, users: dict[str, Principal], now: datetime) -> str:
    """Create, approve and launch the demo campaign (started a week before `now`); a line to print."""
    maker, approver = users.get(MAKER), users.get(APPROVER)
    if maker is None or approver is None:
        return "showcase campaign skipped: demo users hq_ops and approver are needed"
    gift = benefits.create(platform=platform, who=maker, data=BenefitCreate(
        name="登录礼·5元红包", spec={"kind": "cash", "amount_fen": GIFT_FEN}, valid_days=30))  # type: ignore[arg-type]
    with platform.metadata.session() as session:
        made = campaigns.create(session=session, who=maker, data=CampaignWrite(
            name=NAME, description="一周内登录App即送5元红包（每人一次）", template_id="first_action",
            params={"event": "login", "benefit_id": gift.id}, budget=BUDGET_FEN / 100, stock=STOCK,
            starts_at=now - timedelta(days=7), ends_at=now + timedelta(days=23)))
    benefits.create_pool(platform=platform, who=maker, data=PoolCreate(
        benefit_id=gift.id, campaign_id=made.id, stock=STOCK, budget_fen=BUDGET_FEN))
    with platform.metadata.session() as session:
        asked = campaigns.submit(platform=platform, session=session, who=maker, campaign_id=made.id)
    with platform.metadata.session() as session:
        approvals.decide(session=session, who=approver, approval_id=asked.id, decision=Decision(approve=True))
    with platform.metadata.session() as session:
        campaigns.transition(platform=platform, session=session, who=maker, campaign_id=made.id, action="launch")
    return f"showcase campaign '{NAME}' approved by {APPROVER} and launched ({STOCK} gifts, ¥{BUDGET_FEN / 100:,.0f})"

"""The journey engine's 发放权益 node issues through the benefits ledger: once per command key, refusals as results."""

from __future__ import annotations

from benefit_fixtures import benefit, who

from mofang.platform.context import Platform
from mofang.strategy.engine.service.effects import DefaultEffects


def test_a_grant_command_issues_once_and_a_refusal_is_a_failed_result_with_its_reason(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=1, budget_fen=10**6)
    fx = DefaultEffects()
    first = fx.grant_benefit(platform=platform, key="9:grant:3", customer_id="a", benefit_id=bid, strategy_id=9)
    again = fx.grant_benefit(platform=platform, key="9:grant:3", customer_id="a", benefit_id=bid, strategy_id=9)
    assert first.outcome == "ok" and again == first  # a redelivered command never issues twice
    other = fx.grant_benefit(platform=platform, key="9:grant:4", customer_id="b", benefit_id=bid, strategy_id=9)
    assert (other.outcome, other.detail["reason"]) == ("failed", "stock_exhausted")


def test_a_strategy_compiled_from_a_campaign_draws_on_that_campaigns_pool(platform: Platform) -> None:
    from mofang.campaigns.lifecycle.models import Campaign
    from mofang.platform.storage.models import utcnow

    with platform.metadata.session() as session:
        c = Campaign(name="新客礼", template_id="first_action", params={}, owner_org="HQ", created_by="t",
                     status="running", strategy_ids=[31, 32], starts_at=utcnow(), ends_at=utcnow())
        session.add(c)
        session.flush()
        campaign_id = c.id
    bid, _ = benefit(platform, stock=5, budget_fen=10**6, campaign_id=campaign_id)  # only the campaign has stock
    fx = DefaultEffects()
    got = fx.grant_benefit(platform=platform, key="31:gift:1", customer_id="a", benefit_id=bid, strategy_id=32)
    assert got.outcome == "ok", got.detail
    from mofang.campaigns.benefits import service

    [grant] = service.ledger(platform=platform, who=who(), benefit_id=bid).items  # type: ignore[attr-defined]
    assert grant.campaign_id == campaign_id
    # A strategy of its own (no campaign) has no pool for this benefit: refused, with the reason.
    alone = fx.grant_benefit(platform=platform, key="77:gift:1", customer_id="b", benefit_id=bid, strategy_id=77)
    assert (alone.outcome, alone.detail["reason"]) == ("failed", "no_pool")

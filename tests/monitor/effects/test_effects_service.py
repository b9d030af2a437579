"""Effect evaluation end to end over a simulated strategy: lift, AUM DiD with CUPED, costs, ROI, honesty notes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from world import NOW, ORG_A, add_benefits, build

from mofang.monitor.effects import service
from mofang.monitor.effects.contracts import FixedCostCreate
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of

ALL = Scope(kind="all")


def test_lift_and_aum_equal_statsmodels_and_scipy(platform: Platform) -> None:
    w = build(platform, n=3000, seed=3)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    t, c = ~w.holdout, w.holdout
    xt, nt, xc, nc = int(w.converted[t].sum()), int(t.sum()), int(w.converted[c].sum()), int(c.sum())
    assert (eff.lift.treated.customers, eff.lift.treated.conversions) == (nt, xt)
    assert (eff.lift.reference.customers, eff.lift.reference.conversions) == (nc, xc)
    _z, p = proportions_ztest([xt, xc], [nt, nc])
    lo, hi = confint_proportions_2indep(xt, nt, xc, nc, method="newcomb", compare="diff")
    test = eff.lift.test
    assert test.p_value == pytest.approx(p, abs=1e-9)
    assert (test.ci_lower, test.ci_upper) == (pytest.approx(lo, abs=1e-9), pytest.approx(hi, abs=1e-9))
    assert eff.lift.incremental_conversions == pytest.approx(test.difference * nt, rel=1e-12)
    change = w.post - w.pre
    ref = sps.ttest_ind(change[t], change[c], equal_var=False)
    assert eff.aum.unadjusted.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    assert eff.aum.unadjusted.difference == pytest.approx(change[t].mean() - change[c].mean(), rel=1e-9)
    # CUPED: Welch on y - theta (x - mean x) with the within-arm pooled slope, as scipy sees it.
    x = w.pre
    sxy = sum(((x[m] - x[m].mean()) * (change[m] - change[m].mean())).sum() for m in (t, c))
    sxx = sum(((x[m] - x[m].mean()) ** 2).sum() for m in (t, c))
    adj = change - sxy / sxx * (x - x.mean())
    ref2 = sps.ttest_ind(adj[t], adj[c], equal_var=False)
    assert eff.aum.cuped.p_value == pytest.approx(ref2.pvalue, abs=1e-9)


def test_cuped_narrows_the_aum_interval_and_holds_the_truth(platform: Platform) -> None:
    build(platform, n=4000, seed=5, aum_effect=5000.0)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    plain, cuped = eff.aum.unadjusted, eff.aum.cuped
    assert cuped.ci_upper - cuped.ci_lower < 0.8 * (plain.ci_upper - plain.ci_lower)
    assert cuped.ci_lower <= 5000.0 <= cuped.ci_upper
    assert eff.aum.incremental_aum == pytest.approx(cuped.difference * eff.lift.treated.customers)


def test_srm_is_flagged_on_a_skewed_split(platform: Platform) -> None:
    build(platform, n=4000, seed=7, holdout_percent=10, holdout_share=0.2)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert eff.srm_p_value is not None and eff.srm_p_value < 1e-6
    assert "srm" in eff.notes


def test_no_srm_on_a_fair_split(platform: Platform) -> None:
    build(platform, n=4000, seed=8, holdout_percent=10)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert "srm" not in eff.notes and eff.lift.control == "holdout"


def test_without_holdout_the_page_shows_before_after_labelled(platform: Platform) -> None:
    w = build(platform, n=500, seed=9, no_control=True, holdout_percent=0)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert eff.notes[0] == "no_holdout"
    assert eff.lift.test is None and eff.roi.roi is None and eff.aum.cuped is None
    assert eff.aum.before_after == pytest.approx((w.post - w.pre).mean())


def test_an_ab_control_is_used_when_there_is_no_holdout(platform: Platform) -> None:
    build(platform, n=2000, seed=10, ab=True, holdout_percent=0)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert eff.lift.control == "ab_control" and "ab_control" in eff.notes
    assert eff.lift.reference.customers + eff.lift.treated.customers == 2000


def test_small_sample_says_so(platform: Platform) -> None:
    build(platform, n=150, seed=11)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert "sample_too_small" in eff.notes and eff.lift.mde_relative is not None


def test_costs_add_messages_benefits_and_fixed(platform: Platform) -> None:
    w = build(platform, n=1000, seed=12, sms_cost_fen=7, campaign_id=42)
    given = list(zip(w.customer_id[:30], w.org[:30], strict=True))
    add_benefits(platform, campaign_id=42, customers=given, cost_fen=500)
    admin = Principal(user_id=1, username="owner", display_name="o", role="admin", org_code="HQ", rm_id=None,
                      permissions=permissions_of("admin"), scope=ALL)
    fixed = FixedCostCreate(strategy_id=1, amount=88.5, note="设计费")
    service.add_fixed_cost(platform=platform, who=admin, data=fixed)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], campaign_id=42, now=NOW)
    sent = next(st.count for st in eff.funnel.stages if st.stage == "sent")
    assert eff.costs.messages == {"sms": round(sent * 7 / 100, 2)}
    assert eff.costs.benefits == {"cash": 150.0}
    assert eff.costs.fixed == 88.5
    assert eff.costs.total == pytest.approx(round(sent * 7 / 100, 2) + 150.0 + 88.5)
    assert eff.roi.roi == pytest.approx(eff.roi.incremental_value / eff.costs.total)
    assert eff.roi.lower <= eff.roi.roi <= eff.roi.upper


def test_funnel_is_monotone_and_counts_suppressions(platform: Platform) -> None:
    build(platform, n=2000, seed=13)
    eff = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    counts = [st.count for st in eff.funnel.stages]
    assert counts[:6] == sorted(counts[:6], reverse=True)
    assert set(eff.funnel.suppressed) == {"cap_daily_channel"}
    assert {g.key for g in eff.funnel.by_branch} == {"GD-GZ-001", "GD-SZ-001"}
    assert [g.key for g in eff.funnel.by_channel] == ["sms"]


def test_a_branch_sees_only_its_subtree(platform: Platform) -> None:
    w = build(platform, n=2000, seed=14)
    eff = service.strategy_effect(platform=platform, scope=Scope(kind="org", org_code="GD-GZ"), strategy_ids=[1],
                                  now=NOW)
    mine = w.org == ORG_A
    assert eff.lift.treated.customers == int((mine & ~w.holdout).sum())
    assert eff.lift.reference.customers == int((mine & w.holdout).sum())
    assert {g.key for g in eff.funnel.by_branch} == {ORG_A}
    sent_a = eff.funnel.stages[2].count
    full = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW)
    assert sent_a < full.funnel.stages[2].count
    assert eff.aum.customers_with_aum == int(mine.sum())


def test_bootstrap_is_seeded(platform: Platform) -> None:
    build(platform, n=1500, seed=15)
    a = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW, value_per_conversion=100)
    b = service.strategy_effect(platform=platform, scope=ALL, strategy_ids=[1], now=NOW, value_per_conversion=100)
    assert (a.roi.lower, a.roi.upper) == (b.roi.lower, b.roi.upper)
    assert np.isfinite(a.roi.roi)

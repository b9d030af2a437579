"""Budgets, branch allocations, redemption, expiry and reconciliation as an operator sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from benefit_fixtures import T0, benefit, who

from mofang import campaigns
from mofang.campaigns.benefits import service
from mofang.campaigns.benefits.contracts import AllocationCreate, BenefitCreate, RedemptionReport
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Invalid, MofangError, NotFound


def _claim(platform: Platform, bid: int, customer: str, key: str, org: str = "GD-SZ-001", **kw):  # type: ignore[no-untyped-def]
    return campaigns.claim(platform=platform, benefit_id=bid, customer_id=customer, idempotency_key=key,
                           org_code=org, now=kw.pop("now", T0), **kw)


def test_budget_running_out_mid_run_stops_issuing_and_says_why(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=100, budget_fen=1_000, spec={"kind": "cash", "amount_fen": 300})
    answers = [_claim(platform, bid, f"c{i}", f"k{i}") for i in range(6)]
    assert [a.status for a in answers] == ["issued"] * 3 + ["refused"] * 3
    assert {a.reason for a in answers[3:]} == {"budget_exhausted"}
    (row,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert (row.issued, row.stock_remaining, row.budget_remaining_fen, row.cost_fen) == (3, 97, 100, 900)
    assert row.refused == {"budget_exhausted": 3}
    ledger = service.ledger(platform=platform, who=who(), benefit_id=bid)
    assert [g.reason for g in ledger.items if g.status == "refused"] == ["budget_exhausted"] * 3


def test_stock_limit_and_validity_refusals_have_their_reasons(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=2, budget_fen=10**6, limit=1)
    assert _claim(platform, bid, "a", "1").status == "issued"
    assert _claim(platform, bid, "a", "2").reason == "limit_per_customer"
    assert _claim(platform, bid, "b", "3").status == "issued"
    assert _claim(platform, bid, "c", "4").reason == "stock_exhausted"
    fixed = service.create(platform=platform, who=who(), data=BenefitCreate.model_validate({
        "name": "限时", "spec": {"kind": "points", "points": 100}, "cost_fen": 10,
        "valid_from": T0 + timedelta(days=1), "valid_to": T0 + timedelta(days=2)}))
    service.create_pool(platform=platform, who=who(), data=service.PoolCreate(benefit_id=fixed.id, stock=5,
                                                                             budget_fen=100))
    assert _claim(platform, fixed.id, "a", "f1").reason == "not_started"
    assert _claim(platform, fixed.id, "a", "f2", now=T0 + timedelta(days=3)).reason == "expired"
    ok = _claim(platform, fixed.id, "a", "f3", now=T0 + timedelta(days=1, hours=1))
    assert ok.status == "issued" and ok.expires_at == T0 + timedelta(days=2)


def test_a_retry_answers_the_first_answer_and_a_reused_key_is_refused(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=1, budget_fen=10**6)
    first = _claim(platform, bid, "a", "k1")
    refused = _claim(platform, bid, "b", "k2")
    assert refused.reason == "stock_exhausted"
    assert _claim(platform, bid, "a", "k1") == first
    assert _claim(platform, bid, "b", "k2") == refused
    with pytest.raises(Conflict) as err:
        _claim(platform, bid, "someone-else", "k1")
    assert err.value.code == "benefits.key_reused"


def test_head_office_hands_branches_their_share_and_branches_draw_from_it(platform: Platform) -> None:
    bid, hq = benefit(platform, stock=10, budget_fen=1_000)  # cash 100 fen each
    sz = service.allocate(platform=platform, who=who(), pool_id=hq, data=AllocationCreate(
        org_code="GD-SZ", stock=3, budget_fen=300))
    with pytest.raises(MofangError) as err:
        service.allocate(platform=platform, who=who(), pool_id=hq, data=AllocationCreate(
            org_code="GD-GZ", stock=8, budget_fen=100))
    assert err.value.code == "benefits.allocation_exceeds"
    with pytest.raises(Invalid):  # only to an org below, and only within the allocator's own scope
        service.allocate(platform=platform, who=who("branch_operator", "GD-SZ"), pool_id=sz.id,
                         data=AllocationCreate(org_code="GD-GZ-001", stock=1, budget_fen=100))
    got = [_claim(platform, bid, f"s{i}", f"s{i}", org="GD-SZ-001").status for i in range(4)]
    assert got == ["issued"] * 3 + ["refused"]
    # Hangzhou has no allocation: it draws from head office's remaining 7.
    assert all(_claim(platform, bid, f"h{i}", f"h{i}", org="ZJ-HZ-001").status == "issued" for i in range(7))
    assert _claim(platform, bid, "h8", "h8", org="ZJ-HZ-001").reason == "stock_exhausted"
    rows = {r.org_code: r for r in service.reconciliation(platform=platform, who=who(), benefit_id=bid)}
    assert (rows["HQ"].issued, rows["HQ"].stock_remaining) == (7, 0)
    assert (rows["GD-SZ"].issued, rows["GD-SZ"].stock_remaining, rows["GD-SZ"].refused) == \
        (3, 0, {"stock_exhausted": 1})
    # A Shenzhen operator sees Shenzhen's allocation and its customers only.
    sz_view = service.reconciliation(platform=platform, who=who("branch_operator", "GD-SZ"), benefit_id=bid)
    assert [r.org_code for r in sz_view] == ["GD-SZ"]
    sz_ledger = service.ledger(platform=platform, who=who("branch_operator", "GD-SZ"), benefit_id=bid)
    assert {g.org_code for g in sz_ledger.items} == {"GD-SZ-001"} and sz_ledger.total == 4
    burn = service.burndown(platform=platform, who=who(), benefit_id=bid)
    assert [(p.issued, p.stock_remaining, p.budget_remaining_fen) for p in burn] == [(0, 10, 1_000), (10, 0, 0)]


def test_redemption_is_idempotent_and_costs_count_per_kind(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=10, budget_fen=10**6,
                     spec={"kind": "discount", "rate": 0.9, "cap_fen": 2_000})
    g1, g2, g3 = (_claim(platform, bid, c, c) for c in ("a", "b", "c"))
    assert g1.cost_fen == 2_000  # the budget holds the cap of every discount issued
    rep = RedemptionReport(redemption_id="pos-1", grant_id=g1.grant_id, amount_fen=750, order_id="o1")
    done = service.redeem(platform=platform, report=rep, now=T0 + timedelta(days=1))
    assert (done.status, done.cost_fen) == ("redeemed", 750)
    assert service.redeem(platform=platform, report=rep, now=T0 + timedelta(days=2)) == done
    with pytest.raises(Conflict) as err:
        service.redeem(platform=platform, report=rep.model_copy(update={"redemption_id": "pos-2"}))
    assert err.value.code == "benefits.already_redeemed"
    with pytest.raises(Conflict) as err:  # discounts do not stack: not two on one order
        service.redeem(platform=platform, report=RedemptionReport(redemption_id="pos-3", grant_id=g2.grant_id,
                                                                  order_id="o1"), now=T0)
    assert err.value.code == "benefits.not_stackable"
    with pytest.raises(NotFound):
        service.redeem(platform=platform, report=RedemptionReport(redemption_id="pos-4", grant_id=999_999))
    assert service.expire_due(platform=platform, now=T0 + timedelta(days=31)) == 2
    assert service.expire_due(platform=platform, now=T0 + timedelta(days=32)) == 0
    with pytest.raises(Conflict) as err:
        service.redeem(platform=platform, report=RedemptionReport(redemption_id="pos-5", grant_id=g3.grant_id))
    assert err.value.code == "benefits.grant_expired"
    (row,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert (row.issued, row.redeemed, row.expired, row.outstanding) == (3, 1, 2, 0)
    assert (row.reserved_fen, row.cost_fen, row.budget_remaining_fen) == (6_000, 750, 10**6 - 6_000)


def test_a_physical_gift_moves_through_fulfilment(platform: Platform) -> None:
    bid, _ = benefit(platform, stock=1, budget_fen=5_000, spec={"kind": "physical", "item": "保温杯"},
                     cost_fen=4_500)
    g = _claim(platform, bid, "a", "a")
    assert g.cost_fen == 4_500
    with pytest.raises(Invalid):
        service.fulfil(platform=platform, who=who(), grant_id=g.grant_id, status="delivered")
    for step in ("shipped", "delivered"):
        row = service.fulfil(platform=platform, who=who(), grant_id=g.grant_id, status=step)
    assert row.fulfilment == "delivered"


def test_definitions_refuse_what_cannot_be_costed_or_dated(platform: Platform) -> None:
    with pytest.raises(Invalid) as err:
        service.create(platform=platform, who=who(), data=BenefitCreate.model_validate({
            "name": "积分", "spec": {"kind": "points", "points": 10}, "valid_days": 3}))
    assert err.value.field == "cost_fen"
    with pytest.raises(Invalid) as err:
        service.create(platform=platform, who=who(), data=BenefitCreate.model_validate({
            "name": "券", "spec": {"kind": "cash", "amount_fen": 10}}))
    assert err.value.field == "valid_days"
    with pytest.raises(Invalid) as err:
        service.create(platform=platform, who=who("branch_operator", "GD-SZ"), data=BenefitCreate.model_validate({
            "name": "券", "spec": {"kind": "cash", "amount_fen": 10}, "valid_days": 3, "owner_org": "GD-GZ"}))
    assert err.value.field == "owner_org"


def test_redemptions_arrive_as_events_too_and_a_repeat_changes_nothing(platform: Platform) -> None:
    from mofang.campaigns.benefits import tasks

    bid, _ = benefit(platform, stock=5, budget_fen=10**6)
    g = _claim(platform, bid, "a", "a")
    ev = {"event": "benefit_redeemed", "message_id": "m-1", "ts": (T0 + timedelta(hours=1)).isoformat(),
          "properties": {"grant_id": g.grant_id}}
    bad = {"event": "benefit_redeemed", "message_id": "m-2", "properties": {"grant_id": "x"}}
    assert tasks.handle_redeemed(platform, [ev, bad, ev]) == 2  # the repeat is answered, not redone
    (row,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
    assert (row.issued, row.redeemed) == (1, 1)


def test_a_redemption_event_published_on_the_bus_reaches_the_ledger(platform: Platform) -> None:
    import time

    import orjson

    from mofang.campaigns.benefits import tasks
    from mofang.platform.bus import bus_of, event_subject

    bid, _ = benefit(platform, stock=5, budget_fen=10**6)
    g = _claim(platform, bid, "a", "a")
    tasks.start(platform)
    try:
        bus_of(platform).publish(event_subject("benefit_redeemed"), [orjson.dumps({
            "event": "benefit_redeemed", "message_id": "bus-1", "ts": (T0 + timedelta(hours=1)).isoformat(),
            "properties": {"grant_id": g.grant_id}})])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            (row,) = service.reconciliation(platform=platform, who=who(), benefit_id=bid)
            if row.redeemed:
                break
            time.sleep(0.1)
        assert (row.issued, row.redeemed) == (1, 1)
    finally:
        tasks.stop(platform)

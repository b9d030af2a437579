"""Every template compiles into graphs the canvas validator accepts; parameters are typed and bounded."""

from __future__ import annotations

from typing import Any

import pytest

from mofang.campaigns.templates import SCENARIOS, compile_template
from mofang.platform.errors import Invalid
from mofang.strategy.canvas.contracts import DraftGraph
from mofang.strategy.canvas.logic import CatalogueSnapshot, validate

BENEFITS = {"benefit_id": 11, "inviter_benefit_id": 12, "invitee_benefit_id": 13, "coupon_benefit_id": 14,
            "cashback_benefit_id": 15, "milestone_benefit_id": 16}
PARAMS: dict[str, dict[str, Any]] = {
    "first_action": {"benefit_id": 11, "content_id": 3},
    "mgm": {"inviter_benefit_id": 12, "invitee_benefit_id": 13, "invite_content_id": 3},
    "loan_cashback": {"coupon_benefit_id": 14, "cashback_benefit_id": 15, "content_id": 3, "invite_content_id": 3},
    "checkin": {"milestone_benefit_id": 16, "content_id": 3},
    "task": {"benefit_id": 11},
    "lottery": {"prizes": [{"name": "一等奖", "benefit_id": 11, "probability": 0.1, "stock": 5},
                           {"name": "二等奖", "benefit_id": 12, "probability": 0.3, "stock": 50}], "content_id": 3},
    "flash": {"benefit_id": 11, "content_id": 3},
    "aum_growth": {"benefit_id": 11, "content_id": 3},
}
EVENTS = ("loan_quota_check", "loan_disbursed", "login", "fund_view")


def _catalogue(segment: int | None) -> CatalogueSnapshot:
    return CatalogueSnapshot(segments=frozenset({segment} if segment else set()),
                             events={e: frozenset({"amount"}) for e in EVENTS},
                             templates={"sms": frozenset({3})}, benefits=frozenset(range(11, 17)))


def test_the_gallery_has_every_scenario_of_the_issue() -> None:
    assert set(SCENARIOS) >= {"first_action", "mgm", "loan_cashback", "checkin", "task", "lottery", "flash",
                              "aum_growth"}
    assert set(PARAMS) == set(SCENARIOS)


@pytest.mark.parametrize("segment", [None, 7])
@pytest.mark.parametrize("tid", sorted(PARAMS))
def test_each_template_compiles_to_graphs_the_canvas_accepts(tid: str, segment: int | None) -> None:
    _, compiled = compile_template(tid, PARAMS[tid], segment_id=segment)
    assert compiled.graphs
    for g in compiled.graphs:
        typed, problems = validate(DraftGraph.model_validate(g.graph.model_dump(mode="json")), _catalogue(segment))
        errors = [p for p in problems if p.severity == "error"]
        assert typed is not None and not errors, (tid, g.key, errors)
        assert not [p for p in problems if p.code == "strategy.dangling_branch"], (tid, problems)
        refs = {n.benefit_id for n in typed.nodes if n.type == "benefit"}
        assert refs <= set(compiled.benefit_ids)
        if segment:
            # The audience is the campaign's: every strategy enters it, or lets only its members go on.
            assert f"'segment_id': {segment}" in str(g.graph.model_dump())


def test_loan_template_is_the_seed_three_steps_with_a_funnel() -> None:
    params, compiled = compile_template("loan_cashback", PARAMS["loan_cashback"])
    loan = compiled.graphs[0].graph
    types = [n.type for n in loan.nodes]
    assert types[:2] == ["event_entry", "benefit"] and "wait_event" in types
    wait = next(n for n in loan.nodes if n.type == "wait_event")
    assert wait.filters[0].value == 500000 and wait.filters[0].op == "gte"
    assert compiled.funnel is not None and compiled.funnel.steps[0] == "loan_quota_check"
    assert params["friends_needed"] == 1 and compiled.rules["activates"] == 14


@pytest.mark.parametrize(("tid", "params", "field"), [
    ("mgm", {"inviter_benefit_id": 1}, "params.invitee_benefit_id"),
    ("mgm", {**PARAMS["mgm"], "cap_per_inviter": 0}, "params.cap_per_inviter"),
    ("mgm", {**PARAMS["mgm"], "cap_per_inviter": "10"}, "params.cap_per_inviter"),
    ("mgm", {**PARAMS["mgm"], "nope": 1}, "params.nope"),
    ("lottery", {"prizes": [{"name": "a", "probability": 0.6, "stock": 1},
                            {"name": "b", "probability": 0.4, "stock": 1}]}, "params.prizes"),
    ("task", {"benefit_id": 1, "required_count": 5}, "params.required_count"),
    ("flash", {"benefit_id": 1, "date": "2026-02-30"}, "params.date"),
    ("flash", {"benefit_id": 1, "at": "25:00"}, "params.at"),
])
def test_bad_parameters_are_refused_naming_the_field(tid: str, params: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as err:
        compile_template(tid, params)
    assert err.value.field == field and err.value.code and err.value.code.startswith("campaign.param_")


def test_a_wealth_offer_carries_its_product_risk_to_the_send_node() -> None:
    params, compiled = compile_template("aum_growth", PARAMS["aum_growth"])
    [send] = [node for node in compiled.graphs[0].graph.nodes if node.type == "send"]
    assert params["product_risk"] == "R2" and send.product_risk == "R2"  # 理财 is R2 unless the maker says
    _, compiled = compile_template("aum_growth", {**PARAMS["aum_growth"], "product_risk": "R4"})
    assert [n.product_risk for n in compiled.graphs[0].graph.nodes if n.type == "send"] == ["R4"]
    with pytest.raises(Invalid) as err:
        compile_template("aum_growth", {**PARAMS["aum_growth"], "product_risk": "R9"})
    assert err.value.field == "params.product_risk"
    # Templates that offer no product leave the check out.
    _, other = compile_template("first_action", PARAMS["first_action"])
    assert all(n.product_risk is None for g in other.graphs for n in g.graph.nodes if n.type == "send")

"""One population rule for every model: known customers by default; unidentified users only when asked for,
by a user who sees the whole bank (docs/analytics.md)."""

from __future__ import annotations

import pytest
from analytics_bank import h

from factories import events_for

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-10"}
ALL = {"population": "all_users"}


@pytest.fixture
def stranger(bank):
    """`u9` is a userId the app sent that is no customer of the bank: it opens, views and buys like c1."""
    events_for(bank, {"u9": [("app_open", h(0.5), {}), ("product_view", h(1.5), {"product": "P9", "amount": 5}),
                             ("purchase", h(2.5), {"amount": 70}), ("app_open", h(24.5), {})]})
    return "u9"


def _openers(analyst, extra: dict) -> dict[str, int]:
    """Users counted as having opened the app, as each model sees them."""
    trends = analyst("trends", {**RANGE, **extra, "series": [{"event": "app_open", "measure": "uniques"}]})
    funnel = analyst("funnel", {**RANGE, **extra, "steps": [{"event": "app_open"}, {"event": "purchase"}]})
    retention = analyst("retention", {**RANGE, **extra, "initial": {"event": "app_open"},
                                      "returning": {"event": "app_open"}, "periods": 3, "first_time": True})
    distribution = analyst("distribution", {**RANGE, **extra, "event": {"event": "app_open"}})
    interval = analyst("interval", {**RANGE, **extra, "first": {"event": "app_open"},
                                    "then": {"event": "product_view"}})
    return {
        "trends": int(trends["lines"][0]["total"]),
        "funnel": funnel["overall"]["steps"][0]["customers"],
        "retention": sum(c["size"] for c in retention["cohorts"]),
        "distribution": distribution["customers"],
        "interval": interval["customers"],  # every opener here views afterwards
    }


def test_every_model_counts_known_customers_by_default(analyst, stranger):
    counts = _openers(analyst, {})
    assert counts == dict.fromkeys(counts, 4)  # c1..c4; u9 is nobody's customer


def test_every_model_counts_unidentified_users_when_asked(analyst, stranger):
    counts = _openers(analyst, ALL)
    assert counts == dict.fromkeys(counts, 5)


def test_paths_and_attribution_follow_the_same_rule(analyst, stranger):
    body = {**RANGE, "anchor": {"event": "app_open"}, "depth": 3, "session_gap_minutes": 120}
    assert analyst("paths", body)["sessions"] == 7
    assert analyst("paths", {**body, **ALL})["sessions"] == 9
    body = {**RANGE, "conversion": {"event": "purchase"}, "touches": [{"event": "product_view"}]}
    assert analyst("attribution", body)["conversions"] == 3
    assert analyst("attribution", {**body, **ALL})["conversions"] == 4


def test_funnel_counts_the_stranger_through_every_step_only_when_asked(analyst, stranger):
    body = {**RANGE, "steps": [{"event": "app_open"}, {"event": "product_view"}, {"event": "purchase"}]}
    assert [s["customers"] for s in analyst("funnel", body)["overall"]["steps"]] == [4, 3, 1]
    assert [s["customers"] for s in analyst("funnel", {**body, **ALL})["overall"]["steps"]] == [5, 4, 2]
    grouped = analyst("funnel", {**body, **ALL, "group_by": {"kind": "attribute", "name": "tier"}})
    assert {g["group"]: g["steps"][0]["customers"] for g in grouped["groups"]}[None] == 1  # no tier: u9
    by_product = analyst("funnel", {**body, **ALL, "steps": [{"event": "product_view"}, {"event": "purchase"}],
                                    "group_by": {"kind": "property", "name": "product"}})
    assert {g["group"]: g["steps"][1]["customers"] for g in by_product["groups"]}["P9"] == 1


def test_distribution_without_is_known_customers_who_did_not(analyst, stranger):
    body = {**RANGE, "event": {"event": "purchase"}}
    default, everyone = analyst("distribution", body), analyst("distribution", {**body, **ALL})
    assert (default["customers"], default["customers_without"]) == (3, 2)  # c1, c3, c4 bought; c2, c5 did not
    assert (everyone["customers"], everyone["customers_without"]) == (4, 2)  # u9 is no customer "without"


def test_a_customer_filter_selects_customers_either_way(analyst, stranger):
    body = {**RANGE, "series": [{"event": "app_open", "measure": "uniques"}],
            "customers": {"attributes": [{"attribute": "tier", "op": "eq", "value": "财富"}]}}
    assert analyst("trends", body)["lines"][0]["total"] == analyst("trends", {**body, **ALL})["lines"][0]["total"] == 1


def test_a_branch_user_may_not_include_unidentified_users(analyst, stranger, make_user, login):
    headers = login(make_user("sz", "analyst", "GD-SZ"))
    body = {**RANGE, "series": [{"event": "app_open", "measure": "uniques"}]}
    assert analyst("trends", body, as_headers=headers)["lines"][0]["total"] == 2  # c1, c2
    err = analyst("trends", {**body, **ALL}, expect=403, as_headers=headers)
    assert err["field"] == "population" and err["code"] == "analytics.population_scope"
    err = analyst("funnel", {**RANGE, **ALL, "steps": [{"event": "app_open"}, {"event": "purchase"}]},
                  expect=403, as_headers=headers)
    assert err["field"] == "population"


@pytest.mark.parametrize(("model", "body"), [
    ("properties", {"dimensions": [{"attribute": "tier"}]}),
    ("ltv", {"date_from": "2020-01-01", "date_to": "2020-01-31", "months": 2}),
    ("rfm", RANGE),
    ("mau-aum", {"month_from": "2026-03-01", "month_to": "2026-03-01"}),
])
def test_customer_data_models_are_customers_only(analyst, model, body):
    assert analyst(model, {**body, "population": "customers"})
    err = analyst(model, {**body, **ALL}, expect=422)
    assert err["detail"][0]["loc"][-1] == "population"

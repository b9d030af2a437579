"""Attribution across overlapping campaigns: reach touches fed to the analytics model, credited by the chosen rule."""

from __future__ import annotations

from datetime import datetime

import pytest
from world import NOW, ORG_A, ORG_B, build

from factories import add_customers, events_for


def _at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 3, day, hour)


def _touches(platform) -> None:
    """A1: delivered by strategy 1, then clicked from strategy 2, converts; A2: strategy 1 only; B1: strategy 2
    twice; B2 converts untouched; A3's only touch is older than the lookback."""
    add_customers(platform, {c: {"name": "客户", "org_code": org} for c, org in (
        ("A1", ORG_A), ("A2", ORG_A), ("A3", ORG_A), ("B1", ORG_B), ("B2", ORG_B))})
    d = "message_delivered"
    events_for(platform, {
        "A1": [(d, _at(2), {"strategy_id": 1, "campaign_id": 7}),
               ("message_clicked", _at(3), {"strategy_id": 2, "campaign_id": 8}), ("loan_applied", _at(4), {})],
        "A2": [(d, _at(5), {"strategy_id": 1, "campaign_id": 7}), ("loan_applied", _at(6), {})],
        "A3": [(d, _at(1), {"strategy_id": 1, "campaign_id": 7}), ("loan_applied", _at(20), {})],
        "B1": [(d, _at(5), {"strategy_id": 2, "campaign_id": 8}),
               ("message_clicked", _at(5, 3), {"strategy_id": 2, "campaign_id": 8}), ("loan_applied", _at(6), {})],
        "B2": [("loan_applied", _at(7), {})],
    })


@pytest.fixture
def touched(platform):
    build(platform, strategy_id=1, n=40, seed=51, goal_event="loan_applied")
    build(platform, strategy_id=2, n=40, seed=52, goal_event="loan_applied", prefix="d")
    _touches(platform)
    platform.extras["clock"] = lambda: NOW
    return platform


PERIOD = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _get(client, headers, sid: int, **params):
    r = client.get("/api/effects/attribution", params={"strategy_ids": [sid], **PERIOD, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_credit_follows_the_rule_and_sums_to_the_conversions(touched, app_client, make_user, login) -> None:
    hq = login(make_user("hq", "analyst", "HQ"))
    last1, last2 = _get(app_client, hq, 1), _get(app_client, hq, 2)
    assert last1["rule"] == "last" and last1["conversion_event"] == "loan_applied"
    assert (last1["conversions"], last1["attributed"]) == (5, 3)
    assert (last1["credited"], last2["credited"]) == (1.0, 2.0)
    first1, first2 = _get(app_client, hq, 1, rule="first"), _get(app_client, hq, 2, rule="first")
    assert (first1["credited"], first2["credited"]) == (2.0, 1.0)
    lin1 = _get(app_client, hq, 1, rule="linear", value_per_conversion=300)
    # A1's two touches share its conversion (1/2 to strategy 1); A2's is strategy 1's alone.
    assert lin1["credited"] == pytest.approx(1.5) and lin1["credited_value"] == pytest.approx(450.0)
    for rule in ("first", "last", "linear", "position", "time_decay"):
        got = _get(app_client, hq, 1, rule=rule)
        assert sum(o["credit"] for o in got["others"]) == pytest.approx(got["attributed"])


def test_equals_the_analytics_attribution_model_on_the_same_touches(touched, app_client, make_user, login) -> None:
    hq = login(make_user("hq", "analyst", "HQ"))
    body = {**PERIOD, "conversion": {"event": "loan_applied"}, "touch_property": "strategy_id", "window_days": 7,
            "touches": [{"event": "message_delivered"}, {"event": "message_clicked"}]}
    model = app_client.post("/api/analytics/attribution", json=body, headers=hq).json()
    for rule in ("first", "last", "linear", "position", "time_decay"):
        got = _get(app_client, hq, 1, rule=rule)
        want = sum(r[rule] for r in model["rows"] if r["value"] is not None and float(r["value"]) == 1)
        assert got["credited"] == pytest.approx(want, abs=1e-6)
        assert (got["conversions"], got["attributed"]) == (model["conversions"], model["attributed"])


def test_a_campaign_is_credited_by_its_campaign_id(touched, app_client, make_user, login) -> None:
    hq = login(make_user("hq", "analyst", "HQ"))
    got = _get(app_client, hq, 2, campaign_id=8)
    assert got["by"] == "campaign_id" and got["credited"] == 2.0
    assert {o["key"] for o in got["others"]} == {"7", "8"}


def test_a_branch_counts_only_its_subtrees_conversions(touched, app_client, make_user, login) -> None:
    gz = login(make_user("gz", "branch_operator", "GD-GZ"))
    mine1, mine2 = _get(app_client, gz, 1), _get(app_client, gz, 2)
    assert (mine1["conversions"], mine1["attributed"]) == (3, 2)
    assert (mine1["credited"], mine2["credited"]) == (1.0, 1.0)


def test_a_strategy_without_a_goal_has_nothing_to_attribute(platform, app_client, make_user, login) -> None:
    build(platform, strategy_id=3, n=20, seed=53)
    hq = login(make_user("hq", "analyst", "HQ"))
    got = _get(app_client, hq, 3)
    assert got["conversion_event"] is None and got["credited"] == 0.0
    r = app_client.get("/api/effects/attribution", params={"strategy_ids": [3], "rule": "middle"}, headers=hq)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "rule"

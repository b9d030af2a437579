"""Smart-node facts on profiles: each customer's best hour from their events, propensity scores and ranks by event."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from factories import add_customers, events_for
from mofang.insight import profiles
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Scope

DAY = date(2026, 11, 20)


def utc(day_offset: int, local_hour: int) -> datetime:
    """A naive-UTC event time at a Shanghai hour, `day_offset` days before DAY."""
    d = DAY - timedelta(days=day_offset)
    return datetime(d.year, d.month, d.day, local_hour) - timedelta(hours=8)


def _bank(platform: Platform) -> None:
    add_customers(platform, {
        "R1": {"name": "甲", "org_code": "GD-GZ-001"},  # logs in mornings, opens and clicks messages at 20:00
        "R2": {"name": "乙", "org_code": "GD-SZ-001"},  # only two events: too little to know
        "R3": {"name": "丙", "org_code": "GD-SZ-001"},  # plain activity, mostly at 13:00
        "R4": {"name": "丁", "org_code": "GD-SZ-001"},  # many sends and deliveries, no response: the bank's doing
        "R5": {"name": "戊", "org_code": "GD-SZ-001"},  # responses long ago (outside the 90 days)
    })
    events_for(platform, {
        "R1": [("login", utc(i, 9), {}) for i in range(1, 5)]
              + [("message_opened", utc(i, 20), {}) for i in (1, 3)] + [("message_clicked", utc(2, 20), {})]
              + [("message_opened", utc(4, 7), {})],
        "R2": [("login", utc(1, 8), {}), ("message_opened", utc(2, 8), {})],
        "R3": [("page_view", utc(i, 13), {}) for i in range(1, 4)] + [("login", utc(5, 22), {})],
        "R4": [(e, utc(i, 11), {}) for i in range(1, 6) for e in ("message_sent", "message_delivered")],
        "R5": [("message_clicked", utc(100 + i, 21), {}) for i in range(5)] + [("login", utc(1, 9), {})],
    })
    profiles.refresh_profiles(platform=platform)


def _get(platform: Platform, cid: str) -> profiles.Profile:
    with platform.metadata.session() as session:
        p = profiles.get_profile(session=session, customer_id=cid)
    assert p is not None
    return p


def test_best_hour_is_the_response_hour_and_unknown_on_sparse_data(platform: Platform) -> None:
    _bank(platform)
    assert profiles.refresh_best_hours(platform=platform, day=DAY) == 2
    # Four morning logins lose to three responses at 20:00 (a response weighs more than a login).
    assert _get(platform, "R1").best_hour == 20
    assert _get(platform, "R3").best_hour == 13  # no responses: the mode of plain activity, in bank time
    assert _get(platform, "R2").best_hour is None  # fewer than three observations
    assert _get(platform, "R4").best_hour is None  # sends and deliveries are not the customer's behaviour
    assert _get(platform, "R5").best_hour is None  # old responses have aged out; one login is too little
    # A later refresh with new data replaces the hour; one with the data gone clears it.
    events_for(platform, {"R2": [("message_clicked", utc(0, 18), {})]})
    assert profiles.refresh_best_hours(platform=platform, day=DAY) == 3
    assert _get(platform, "R2").best_hour == 18
    profiles.refresh_best_hours(platform=platform, day=DAY + timedelta(days=200))
    assert _get(platform, "R1").best_hour is None


def test_scores_are_kept_per_event_and_counted_in_scope(platform: Platform) -> None:
    _bank(platform)
    profiles.refresh_best_hours(platform=platform, day=DAY)
    assert profiles.write_scores(platform=platform, event="fund_purchase",
                                 values={"R1": (0.9, 20.0), "R2": (0.1, 100.0), "R3": (0.5, 60.0)}) == 3
    assert profiles.write_scores(platform=platform, event="loan_apply", values={"R1": (0.2, 50.0)}) == 1
    r1 = _get(platform, "R1")
    assert r1.scores == {"fund_purchase": 0.9, "loan_apply": 0.2}
    assert r1.score_ranks == {"fund_purchase": 20.0, "loan_apply": 50.0}
    # Rescoring an event replaces its values and drops customers no longer scored, other events untouched.
    profiles.write_scores(platform=platform, event="fund_purchase", values={"R3": (0.7, 10.0)})
    assert _get(platform, "R1").scores == {"loan_apply": 0.2}
    assert _get(platform, "R2").scores == {} and _get(platform, "R2").score_ranks == {}
    assert _get(platform, "R3").score_ranks == {"fund_purchase": 10.0}
    # A profile refresh (loads, tag runs) keeps them: they are the smart job's to change.
    profiles.refresh_profiles(platform=platform)
    assert _get(platform, "R3").scores == {"fund_purchase": 0.7}
    with platform.metadata.session() as session:
        assert profiles.smart_counts(session=session, scope=Scope(kind="all"), event="fund_purchase") == (5, 2, 1)
        gz = Scope(kind="org", org_code="GD-GZ")
        assert profiles.smart_counts(session=session, scope=gz, event="fund_purchase") == (1, 1, 0)
        assert profiles.smart_counts(session=session, scope=gz, event="loan_apply") == (1, 1, 1)

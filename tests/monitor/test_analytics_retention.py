"""Retention through the API, cross-checked against plain Python over the same events."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from analytics_bank import EVENTS

from factories import events_for

LOCAL = timedelta(hours=8)


def python_retention(events, initial, returning, days, first_time, d0, d1):
    """Cohort day -> (size, returned per offset), the obvious way."""
    def local_day(ts: datetime) -> date:
        return (ts + LOCAL).date()

    cohorts: dict[date, set[str]] = {}
    for cid, items in events.items():
        init_days = sorted(local_day(ts) for ev, ts, _ in items if ev == initial)
        if first_time:
            init_days = init_days[:1]
        for d in init_days:
            if d0 <= d <= d1:
                cohorts.setdefault(d, set()).add(cid)
    out = {}
    for d, members in cohorts.items():
        ret = []
        for k in range(days + 1):
            day = d + timedelta(days=k)
            ret.append(sum(1 for cid in members
                           if any(ev == returning and local_day(ts) == day for ev, ts, _ in events[cid])))
        out[d.isoformat()] = (len(members), ret)
    return out


def test_daily_retention_matches_python(analyst):
    body = {"date_from": "2026-03-01", "date_to": "2026-03-05", "initial": {"event": "app_open"},
            "returning": {"event": "app_open"}, "period": "day", "periods": 4}
    res = analyst("retention", body)
    got = {c["cohort"]: (c["size"], c["returned"]) for c in res["cohorts"]}
    expected = python_retention(EVENTS, "app_open", "app_open", 4, False, date(2026, 3, 1), date(2026, 3, 5))
    assert got == expected
    assert got["2026-03-01"] == (4, [4, 1, 1, 1, 0])


def test_first_time_counts_only_the_first_ever_initial_event(analyst, bank):
    # c2 had opened the app in February: not a new customer in March.
    events_for(bank, {"c2": [("app_open", datetime(2026, 2, 10, 3), {})]})
    body = {"date_from": "2026-03-01", "date_to": "2026-03-05", "initial": {"event": "app_open"},
            "returning": {"event": "app_open"}, "period": "day", "periods": 2}
    any_time = {c["cohort"]: c["size"] for c in analyst("retention", body)["cohorts"]}
    first = {c["cohort"]: c["size"] for c in analyst("retention", {**body, "first_time": True})["cohorts"]}
    assert any_time == {"2026-03-01": 4, "2026-03-02": 1, "2026-03-03": 1, "2026-03-04": 1}
    assert first == {"2026-03-01": 3}


def test_weekly_and_grouped(analyst):
    body = {"date_from": "2026-03-01", "date_to": "2026-03-14", "initial": {"event": "app_open"},
            "returning": {"event": "product_view"}, "period": "week", "periods": 2,
            "group_by": {"kind": "attribute", "name": "tier"}}
    res = analyst("retention", body)
    # 1 March 2026 is a Sunday: its week starts on Monday 23 February.
    rows = {(c["cohort"], c["group"]): (c["size"], c["returned"]) for c in res["cohorts"]}
    assert rows[("2026-02-23", "大众")] == (2, [2, 0, 0])
    assert rows[("2026-02-23", "潜力")] == (1, [0, 0, 1])  # viewed on 9 March, two weeks on
    assert rows[("2026-03-02", "财富")] == (1, [0, 0, 0])


def test_bad_period_names_the_field(analyst):
    body = {"date_from": "2026-03-01", "date_to": "2026-03-05", "initial": {"event": "a"},
            "returning": {"event": "b"}, "period": "fortnight"}
    assert analyst("retention", body, expect=422)["detail"][0]["loc"][-1] == "period"
    too_long = {**body, "period": "day", "date_to": "2026-06-30", "periods": 30}
    assert analyst("retention", too_long, expect=422)["field"] == "periods"

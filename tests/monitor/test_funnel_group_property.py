"""Funnels grouped by a property of the first step's event, checked against a plain Python funnel."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import add_customers, events_for
from mofang.monitor.analytics import service
from mofang.monitor.analytics.contracts import FunnelQuery
from mofang.monitor.analytics.funnel_pass import NONE, FunnelSpec, run
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal, Scope

T0 = datetime(2026, 3, 2, 1, 0)  # 09:00 on 2 March in Shanghai
RANGE = {"date_from": "2026-03-02", "date_to": "2026-03-05"}
STEPS = ["app_open", "product_view", "purchase"]
WINDOW_H = 24


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


EVENTS = {
    # Straight through, from a push.
    "d1": [("app_open", h(0), {"src": "push"}), ("product_view", h(1), {}), ("purchase", h(2), {})],
    # Two opens reach the view at the same moment: the later open started the attempt.
    "d2": [("app_open", h(0), {"src": "push"}), ("app_open", h(10), {"src": "sms"}), ("product_view", h(11), {})],
    # Views after an SMS open but buys only in a later attempt from a push open (the window is a day).
    "d3": [("app_open", h(0), {"src": "sms"}), ("product_view", h(1), {}), ("app_open", h(30), {"src": "push"}),
           ("product_view", h(31), {}), ("purchase", h(32), {})],
    # Two opens in the same second: the smaller value.
    "d4": [("app_open", h(0), {"src": "wechat"}), ("app_open", h(0), {"src": "app"}), ("product_view", h(2), {})],
    # An open without the property.
    "d5": [("app_open", h(0), {}), ("product_view", h(1), {})],
    # Never opens: not in any group.
    "d6": [("product_view", h(1), {}), ("purchase", h(2), {})],
    # An open before the range does not start an attempt; the one inside does.
    "d7": [("app_open", h(-40), {"src": "push"}), ("app_open", h(5), {"src": "sms"})],
    # Buys before viewing: reaches step 2 only.
    "d8": [("app_open", h(0), {"src": "push"}), ("purchase", h(1), {}), ("product_view", h(2), {})],
    # Strict mode: a page view between the open and the view breaks the attempt.
    "d9": [("app_open", h(0), {"src": "sms"}), ("page_view", h(0.5), {}), ("product_view", h(1), {}),
           ("purchase", h(1.5), {})],
    # Deepest attempt starts at the second open, which has a different value than the first.
    "d10": [("app_open", h(0), {"src": "app"}), ("app_open", h(40), {"src": "wechat"}),
            ("product_view", h(41), {}), ("purchase", h(42), {})],
}


@pytest.fixture
def bank(platform: Platform) -> Platform:
    """Ten customers in one branch with the events above."""
    add_customers(platform, {cid: {"name": f"客户{cid}", "org_code": "GD-SZ-001"} for cid in EVENTS})
    events_for(platform, EVENTS)
    return platform


def attempts(rows: list[tuple[str, datetime, dict]], strict: bool) -> list[tuple[int, datetime, datetime, str | None]]:
    """Every attempt from a first-step event in range: (depth, when that depth was reached, start, src)."""
    start, end = datetime(2026, 3, 1, 16), datetime(2026, 3, 5, 16)  # the bank days in UTC
    rows = sorted(rows, key=lambda r: (r[1], STEPS.index(r[0]) if r[0] in STEPS else 99))
    out = []
    for i, (name, t0, props) in enumerate(rows):
        if name != STEPS[0] or not start <= t0 < end:
            continue
        depth, when = 1, t0
        for name_j, tj, _ in rows[i + 1:]:
            if depth == len(STEPS) or tj > t0 + timedelta(hours=WINDOW_H):
                break
            if name_j == STEPS[depth]:
                depth, when = depth + 1, tj
            elif strict:
                break
        out.append((depth, when, t0, props.get("src")))
    return out


def expected(strict: bool) -> dict[str | None, list[int]]:
    """Customers at each step per first-step value, by brute force over every attempt."""
    by: dict[str | None, Counter] = {}
    for rows in EVENTS.values():
        tries = attempts(rows, strict)
        if not tries:
            continue
        depth = max(d for d, *_ in tries)
        when = min(w for d, w, *_ in tries if d == depth)
        t_start = max(s for d, w, s, _ in tries if d == depth and w == when)
        src = min((v for d, w, s, v in tries if d == depth and w == when and s == t_start and v is not None),
                  default=None)
        c = by.setdefault(src, Counter())
        for k in range(depth):
            c[k] += 1
    return {g: [c[k] for k in range(len(STEPS))] for g, c in by.items()}


def grouped(res: dict) -> dict[str | None, list[int]]:
    return {g["group"]: [s["customers"] for s in g["steps"]] for g in res["groups"]}


def body(**extra) -> dict:
    return {**RANGE, "steps": [{"event": e} for e in STEPS], "window": WINDOW_H, "window_unit": "hour",
            "group_by": {"kind": "property", "name": "src"}, **extra}


def test_groups_by_the_first_step_of_the_deepest_attempt(analyst):
    res = analyst("funnel", body())
    assert grouped(res) == expected(strict=False)
    # Spelled out: d1, d3 and d10 bought (push, push, wechat); d2 and d7 came from SMS opens.
    assert grouped(res) == {"push": [3, 3, 2], "sms": [3, 2, 1], "wechat": [1, 1, 1], "app": [1, 1, 0],
                            None: [1, 1, 0]}
    # The groups add up to the ungrouped funnel, which is unchanged by grouping.
    plain = analyst("funnel", {k: v for k, v in body().items() if k != "group_by"})
    totals = [sum(col) for col in zip(*grouped(res).values(), strict=True)]
    assert totals == [s["customers"] for s in plain["overall"]["steps"]] == [9, 8, 4]


def test_strict_mode_groups_match_plain_python(analyst):
    res = analyst("funnel", body(mode="strict"))
    assert grouped(res) == expected(strict=True)
    assert grouped(res)["sms"] == [3, 1, 0]  # d9's page view breaks its attempt after the open


def test_groups_follow_step_filters_and_exclusions(analyst):
    # Only opens from a push start attempts: the group is then always push.
    steps = [{"event": "app_open", "filters": [{"property": "src", "value": "push"}]},
             {"event": "product_view"}, {"event": "purchase"}]
    res = analyst("funnel", body(steps=steps))
    # d1 and d3 buy; d2 (its push open now starts the attempt) and d8 only view.
    assert grouped(res) == {"push": [4, 4, 2]}
    # A purchase between open and view breaks d8's attempt at the open.
    excl = analyst("funnel", body(steps=steps, exclusions=[{"event": "purchase", "from_step": 1, "to_step": 2}]))
    assert grouped(excl) == {"push": [4, 3, 2]}


def test_any_order_groups_by_the_first_step_inside_the_deepest_window(analyst):
    res = analyst("funnel", body(mode="any_order"))
    by = grouped(res)
    # d6 did two steps without opening the app: counted, but under no value.
    assert by[None] == [2, 2, 0]
    assert sum(v[0] for v in by.values()) == len(EVENTS)


def test_analysts_grouping_at_the_same_time_each_get_their_own_groups(bank):
    # Each lookup joins its own start pairs, registered on its own cursor: concurrent queries never mix them.
    who = Principal(user_id=1, username="t", display_name="t", role="admin", org_code="HQ", rm_id=None,
                    permissions=frozenset(), scope=Scope(kind="all"))
    push_only = [{"event": "app_open", "filters": [{"property": "src", "value": "push"}]},
                 {"event": "product_view"}, {"event": "purchase"}]
    queries = [FunnelQuery(**body()), FunnelQuery(**body(steps=push_only)), FunnelQuery(**body(mode="strict"))]

    def run_one(q: FunnelQuery) -> dict:
        return grouped(service.funnel_analysis(platform=bank, who=who, query=q).model_dump())

    with ThreadPoolExecutor(max_workers=3) as pool:
        got = list(pool.map(run_one, queries * 4))
    assert got[:3] == [expected(strict=False), {"push": [4, 4, 2]}, expected(strict=True)]
    assert got[3:] == got[:3] * 3


def test_retention_still_groups_by_attributes_only(analyst):
    err = analyst("retention", {**RANGE, "initial": {"event": "app_open"}, "returning": {"event": "app_open"},
                                "group_by": {"kind": "property", "name": "src"}}, expect=422)
    assert err["detail"][0]["loc"][-1] == "group_by"
    err = analyst("funnel", body(group_by={"kind": "property", "name": "src'; drop"}), expect=422)
    assert "group_by" in err["detail"][0]["loc"]


events = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 60), st.integers(0, 7)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(rows=events, window=st.integers(0, 30), mode=st.sampled_from(["ordered", "strict", "any_order"]))
def test_the_start_is_a_first_step_that_reaches_the_depth_in_time(rows, window, mode):
    spec = FunnelSpec(steps=3, window=window, span=45, mode=mode)
    code, t, mask = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    plain, tracked = run(spec, code, t, mask), run(replace(spec, track_start=True), code, t, mask)
    # Tracking the start leaves every count as it was.
    assert plain.start is None
    assert np.array_equal(plain.reached, tracked.reached) and np.array_equal(plain.depth, tracked.depth)
    firsts = {(int(c), int(x)) for c, x, m in zip(code, t, mask, strict=True) if m & 1}
    for c, d, s, reached in zip(tracked.codes, tracked.depth, tracked.start, tracked.reached, strict=True):
        if s == NONE:
            assert d == 0 or mode == "any_order"
            continue
        assert (int(c), int(s)) in firsts and d > 0
        if mode != "any_order":
            assert s < spec.span and s <= reached[d - 1] <= s + window

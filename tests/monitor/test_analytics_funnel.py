"""Funnels through the API on a small bank: modes, windows, exclusions, groups, scope and bad requests."""

from __future__ import annotations

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-10"}
STEPS = [{"event": "app_open"}, {"event": "product_view"}, {"event": "purchase"}]


def counts(result: dict) -> list[int]:
    return [s["customers"] for s in result["overall"]["steps"]]


def test_ordered_funnel_counts_deepest_step_within_window(analyst):
    res = analyst("funnel", {**RANGE, "steps": STEPS, "window": 7})
    # app_open: c1..c4; then a view within 7 days: c1, c2, c3 (c4 too late); then a purchase: c1 only
    # (c3 bought before viewing).
    assert counts(res) == [4, 3, 1]
    steps = res["overall"]["steps"]
    assert steps[1]["conversion_from_first"] == 0.75
    assert steps[2]["dropped"] == 2
    # Step 2 came 1 h (c1), 5 h (c2) and 2 h (c3) after step 1: median 2 h.
    assert steps[1]["median_seconds_from_previous"] == 2 * 3600


def test_window_boundary_is_included(analyst):
    # c4's view is exactly 8 days (192 h) after its app_open.
    assert counts(analyst("funnel", {**RANGE, "steps": STEPS[:2], "window": 192, "window_unit": "hour"})) == [4, 4]
    assert counts(analyst("funnel", {**RANGE, "steps": STEPS[:2], "window": 191, "window_unit": "hour"})) == [4, 3]


def test_any_order_counts_steps_done_in_any_order(analyst):
    res = analyst("funnel", {**RANGE, "steps": STEPS, "window": 1, "mode": "any_order"})
    # Within a day: c1 and c3 did all three steps; c2 two; c4 two (view and buy on day 9); c5 one.
    assert counts(res) == [5, 4, 2]
    assert res["overall"]["steps"][1]["median_seconds_from_previous"] is None


def test_strict_mode_needs_consecutive_events(analyst):
    steps = [{"event": "app_open"}, {"event": "app_open"}]
    # c1 opens three times in a row; c2's second open comes after a view.
    assert counts(analyst("funnel", {**RANGE, "steps": steps, "window": 7})) == [4, 2]
    assert counts(analyst("funnel", {**RANGE, "steps": steps, "window": 7, "mode": "strict"})) == [4, 1]


def test_exclusion_between_steps_stops_the_attempt(analyst):
    body = {**RANGE, "steps": [{"event": "app_open"}, {"event": "purchase"}], "window": 7}
    assert counts(analyst("funnel", body)) == [4, 2]
    excl = {**body, "exclusions": [{"event": "product_view", "from_step": 1, "to_step": 2}]}
    # c1 viewed between opening and buying; c3 bought before viewing.
    assert counts(analyst("funnel", excl)) == [4, 1]


def test_property_filter_on_a_step(analyst):
    steps = [{"event": "app_open"}, {"event": "product_view", "filters": [{"property": "product", "value": "P1"}]}]
    assert counts(analyst("funnel", {**RANGE, "steps": steps, "window": 7})) == [4, 2]
    numeric = [{"event": "app_open"},
               {"event": "product_view", "filters": [{"property": "amount", "op": "gte", "value": 5}]}]
    assert counts(analyst("funnel", {**RANGE, "steps": numeric, "window": 7})) == [4, 1]


def test_group_by_customer_attribute(analyst):
    res = analyst("funnel", {**RANGE, "steps": STEPS, "window": 7,
                             "group_by": {"kind": "attribute", "name": "tier"}})
    by = {g["group"]: [s["customers"] for s in g["steps"]] for g in res["groups"]}
    assert by == {"大众": [2, 2, 0], "财富": [1, 1, 1], "潜力": [1, 0, 0]}


def test_range_limits_first_step_but_not_later_steps(analyst):
    # Only 1 March: first steps on that day, later steps may follow within the window.
    res = analyst("funnel", {"date_from": "2026-03-01", "date_to": "2026-03-01", "steps": STEPS, "window": 7})
    assert counts(res) == [4, 3, 1]


def test_branch_operator_sees_only_their_customers(analyst, make_user, login):
    headers = login(make_user("sz", "branch_operator", "GD-SZ"))
    res = analyst("funnel", {**RANGE, "steps": STEPS, "window": 7}, as_headers=headers)
    assert counts(res) == [2, 2, 1]


def test_bad_requests_name_the_field(analyst):
    err = analyst("funnel", {**RANGE, "steps": STEPS[:1]}, expect=422)
    assert err["detail"][0]["loc"][-1] == "steps"
    err = analyst("funnel", {**RANGE, "steps": STEPS * 4}, expect=422)
    assert err["detail"][0]["loc"][-1] == "steps"
    err = analyst("funnel", {**RANGE, "steps": STEPS, "mode": "sideways"}, expect=422)
    assert err["detail"][0]["loc"][-1] == "mode"
    err = analyst("funnel", {**RANGE, "steps": STEPS, "exclusions": [{"event": "x", "from_step": 3}]}, expect=422)
    assert err["detail"][0]["loc"][-1] == "exclusions"
    err = analyst("funnel", {**RANGE, "steps": [{"event": "a", "filters": [{"property": "x'; drop", "value": 1}]},
                                                 {"event": "b"}]}, expect=422)
    assert "property" in err["detail"][0]["loc"]
    err = analyst("funnel", {"date_from": "2026-03-05", "date_to": "2026-03-01", "steps": STEPS}, expect=422)
    assert err["detail"][0]["loc"][-1] == "date_to"
    err = analyst("funnel", {**RANGE, "steps": [{"event": "a", "filters": [{"property": "x", "op": "gt",
                                                                             "value": "abc"}]}, {"event": "b"}]},
                  expect=422)
    assert err["field"] == "steps[0].filters[0].value"


def test_dropoffs_saved_as_a_static_segment_of_exactly_those_customers(analyst, app_client, admin_headers):
    body = {"query": {**RANGE, "steps": STEPS, "window": 7}, "step": 3, "name": "看了没买"}
    res = analyst("funnel/dropoffs", body, expect=201)
    assert res["customers"] == 2
    seg = app_client.get(f"/api/insight/segments/{res['segment_id']}", headers=admin_headers).json()
    assert seg["name"] == "看了没买" and seg["kind"] == "static"
    members = app_client.get(f"/api/insight/segments/{res['segment_id']}/members", headers=admin_headers).json()
    assert sorted(m["customer_id"] for m in members["items"]) == ["c2", "c3"]


def test_needs_analytics_permission(app_client, make_user, login, bank):
    headers = login(make_user("rm1", "rm", "GD-SZ-001", rm_id="r1"))
    res = app_client.post("/api/analytics/funnel", json={**RANGE, "steps": STEPS}, headers=headers)
    assert res.status_code == 403


def test_long_range_with_many_steps_uses_the_unpacked_rows(analyst):
    # 700 days and 10 steps leave too few key bits for a customer code: rows come unpacked, same answer.
    steps = [*STEPS, *({"event": f"never_{i}"} for i in range(7))]
    res = analyst("funnel", {"date_from": "2025-04-01", "date_to": "2027-02-28", "steps": steps, "window": 7})
    assert counts(res) == [4, 3, 1, 0, 0, 0, 0, 0, 0, 0]

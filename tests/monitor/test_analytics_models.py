"""Trends, distribution, interval, paths, attribution, properties, LTV, RFM and MAU/AUM on the small bank."""

from __future__ import annotations

from datetime import date, datetime

from analytics_bank import EVENTS, h

from factories import events_for

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-10"}


def test_trends_daily_counts_and_uniques(analyst):
    res = analyst("trends", {**RANGE, "series": [{"event": "app_open"}, {"event": "app_open", "measure": "uniques"},
                                                 {"event": "purchase", "measure": "sum", "property": "amount"}]})
    assert len(res["buckets"]) == 10 and res["buckets"][0] == "2026-03-01"
    total, uniques, amount = res["lines"]
    opens = [ts for items in EVENTS.values() for ev, ts, _ in items if ev == "app_open"]
    assert total["total"] == len(opens) == 7
    assert total["values"][:4] == [4, 1, 1, 1]
    assert uniques["total"] == 4 and uniques["values"][0] == 4
    assert amount["total"] == 600


def test_trends_local_day_boundary_and_previous_period(analyst, bank):
    # 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    events_for(bank, {"c5": [("login", datetime(2026, 3, 1, 23, 30), {}), ("login", datetime(2026, 2, 27, 1), {})]})
    res = analyst("trends", {"date_from": "2026-03-01", "date_to": "2026-03-02", "series": [{"event": "login"}],
                             "compare_previous": True})
    assert res["lines"][0]["values"] == [0, 1]
    assert res["previous_buckets"] == ["2026-02-27", "2026-02-28"]
    assert res["previous"][0]["values"] == [1, 0]


def test_trends_grouped_by_property_and_attribute(analyst):
    res = analyst("trends", {**RANGE, "series": [{"event": "product_view"}],
                             "group_by": {"kind": "property", "name": "product"}})
    assert {ln["group"]: ln["total"] for ln in res["lines"]} == {"P1": 3, "P2": 1, "P3": 1}
    res = analyst("trends", {**RANGE, "granularity": "week", "series": [{"event": "app_open"}],
                             "group_by": {"kind": "attribute", "name": "gender"}})
    assert {ln["group"]: ln["total"] for ln in res["lines"]} == {"M": 4, "F": 3}


def test_distribution_buckets_customers(analyst):
    res = analyst("distribution", {**RANGE, "event": {"event": "app_open"}, "edges": [1, 2, 4]})
    # c1 opened 3 times, c2 twice, c3 and c4 once; c5 never.
    assert [(b["label"], b["customers"]) for b in res["buckets"]] == [("1", 2), ("2–3", 2), ("4+", 0)]
    assert res["customers"] == 4 and res["customers_without"] == 1
    assert res["median"] == 1.5


def test_interval_from_a_to_next_b(analyst):
    res = analyst("interval", {**RANGE, "first": {"event": "app_open"}, "then": {"event": "product_view"}})
    # c1: 1 h (and its later opens have no view after them); c2: 5 h, then none; c3: 2 h; c4: 192 h.
    assert res["pairs"] == 4 and res["customers"] == 4
    assert res["median_seconds"] == 3.5 * 3600
    assert sum(b["customers"] for b in res["buckets"]) == 4


def test_paths_from_an_event(analyst):
    res = analyst("paths", {**RANGE, "anchor": {"event": "app_open"}, "depth": 3, "session_gap_minutes": 120})
    top = {tuple(p["events"]): p["sessions"] for p in res["top"]}
    # Events an hour apart share a session; c2's view 5 h after opening starts a new one.
    assert top[("app_open", "product_view", "purchase")] == 1
    assert top[("app_open", "purchase", "product_view")] == 1
    assert top[("app_open",)] == 5
    assert res["sessions"] == 7
    assert {"source": "0:app_open", "target": "1:product_view", "sessions": 1} in res["links"]
    # At the default 30 minutes, an hour apart is two sessions.
    short = analyst("paths", {**RANGE, "anchor": {"event": "app_open"}, "depth": 3})
    assert [(p["events"], p["sessions"]) for p in short["top"]] == [(["app_open"], 7)]
    ending = analyst("paths", {**RANGE, "anchor": {"event": "purchase"}, "direction": "ending", "depth": 2,
                              "session_gap_minutes": 120})
    assert {tuple(p["events"]) for p in ending["top"]} == {("product_view", "purchase"), ("app_open", "purchase")}


def test_attribution_models(analyst, bank):
    events_for(bank, {"c2": [("push_click", h(100), {"campaign": "A"}), ("sms_click", h(101), {"campaign": "B"}),
                             ("push_click", h(102), {"campaign": "C"}), ("purchase", h(103), {})]})
    res = analyst("attribution", {**RANGE, "conversion": {"event": "purchase"},
                                  "touches": [{"event": "push_click"}, {"event": "sms_click"}], "window_days": 1,
                                  "touch_property": "campaign"})
    assert res["conversions"] == 4 and res["attributed"] == 1
    rows = {r["value"]: r for r in res["rows"]}
    assert rows["A"]["first"] == 1 and rows["C"]["last"] == 1
    assert abs(rows["B"]["linear"] - 1 / 3) < 1e-6
    assert rows["A"]["position"] == 0.4 and rows["B"]["position"] == 0.2
    assert abs(sum(r["time_decay"] for r in res["rows"]) - 1) < 1e-6
    assert rows["C"]["time_decay"] > rows["B"]["time_decay"] > rows["A"]["time_decay"]


def test_properties_cross_tab(analyst):
    res = analyst("properties", {"dimensions": [{"attribute": "tier"}, {"attribute": "gender"}]})
    cells = {tuple(c["values"]): c["customers"] for c in res["cells"]}
    assert res["customers"] == 5
    assert cells == {("财富", "M"): 1, ("财富", "F"): 1, ("大众", "F"): 2, ("潜力", "M"): 1}
    res = analyst("properties", {"dimensions": [{"attribute": "aum", "edges": [50000, 500000]}]})
    assert {c["values"][0]: c["customers"] for c in res["cells"]} == {"<50000": 2, "50000–500000": 1, "500000+": 2}


def test_ltv_rfm_and_mau_aum(analyst, bank, make_user, login):
    with bank.store.write() as cur:
        cur.execute("UPDATE customers SET open_date = DATE '2026-02-15'")
        cur.executemany("INSERT INTO aum_daily VALUES (?, ?, ?)", [
            ["c1", date(2026, 2, 20), 120_000.0], ["c1", date(2026, 3, 31), 120_000.0],
            ["c4", date(2026, 3, 10), 60_000.0]])
        cur.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, NULL, 'app', NULL)", [
            ["t1", "c1", h(1), "salary", "in", 10_000.0], ["t2", "c1", h(30), "card_spend", "out", 2_000.0],
            ["t3", "c4", h(5), "transfer_in", "in", 500.0]])
    ltv = analyst("ltv", {"date_from": "2026-02-01", "date_to": "2026-02-28", "months": 2, "margin_bps": 120})
    cohort = ltv["cohorts"][0]
    assert cohort["cohort"] == "2026-02-01" and cohort["customers"] == 5
    # Feb: c1 120k; Mar: c1 120k + c4 60k; value = AUM × 1.2% / 12 averaged over 5 customers.
    assert cohort["values"] == [24.0, 60.0, None]
    rfm = analyst("rfm", RANGE)
    assert rfm["customers"] == 2 and rfm["inactive"] == 3
    assert sum(sum(row) for row in rfm["grid"]) == 2
    assert {s["segment"] for s in rfm["segments"]} == {"important_value", "general_winback"}
    dash = analyst("mau-aum", {"month_from": "2026-03-01", "month_to": "2026-03-01"})
    rows = {r["org_code"]: r for r in dash["rows"]}
    assert rows["GD"]["customers"] == 3 and rows["GD"]["mau"] == 3 and rows["ZJ"]["mau"] == 2
    assert rows["GD"]["aum"] == 120_000 and rows["GD"]["net_inflow"] == 8_000
    assert dash["totals"][0]["mau"] == 5 and dash["totals"][0]["active_rate"] == 1.0
    headers = login(make_user("gz", "branch_operator", "GD-GZ"))
    mine = analyst("mau-aum", {"month_from": "2026-03-01", "month_to": "2026-03-01"}, as_headers=headers)
    assert [(r["org_code"], r["customers"]) for r in mine["rows"]] == [("GD-GZ-001", 1)]

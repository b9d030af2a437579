"""MAU/AUM dashboard: a month before the bank recorded any event or transaction shows no MAU, active rate or net
inflow (null), not 0 active customers and no money moved; months with data keep their real zeros."""

from __future__ import annotations

import csv
import io


def test_months_before_any_event_or_transaction_have_no_mau_and_no_net_inflow(analyst, bank):
    # The small bank's events start in March 2026; one February transaction gives February a net inflow only.
    with bank.store.write() as cur:
        cur.execute("INSERT INTO transactions VALUES ('tf', 'c1', TIMESTAMP '2026-02-10 02:00:00', 'salary', 'in', "
                    "8000.0, NULL, 'app', NULL)")
    dash = analyst("mau-aum", {"month_from": "2026-01-01", "month_to": "2026-03-01"})
    totals = {t["month"]: t for t in dash["totals"]}
    jan, feb, mar = totals["2026-01"], totals["2026-02"], totals["2026-03"]
    assert jan["customers"] == 5 and jan["mau"] is None and jan["active_rate"] is None and jan["net_inflow"] is None
    assert feb["mau"] is None and feb["net_inflow"] == 8000
    assert mar["mau"] == 5 and mar["active_rate"] == 1.0
    rows = {(r["month"], r["org_code"]): r for r in dash["rows"]}
    assert rows[("2026-01", "GD")]["mau"] is None and rows[("2026-01", "ZJ")]["net_inflow"] is None
    # February has data (one transaction), so a branch without any there moved no money: a real 0.
    assert rows[("2026-02", "GD")]["net_inflow"] == 8000 and rows[("2026-02", "ZJ")]["net_inflow"] == 0


def test_csv_export_leaves_months_without_data_empty(app_client, analyst, bank, login, make_user):
    headers = login(make_user("exp", "analyst", "HQ"))
    res = app_client.post("/api/analytics/mau-aum/export",
                          json={"month_from": "2026-01-01", "month_to": "2026-03-01"}, headers=headers,
                          params={"lang": "en"})
    assert res.status_code == 200, res.text
    rows = list(csv.DictReader(io.StringIO(res.content.decode("utf-8-sig"))))
    totals = {r["month"]: r for r in rows if r["level"] == "total"}
    assert [totals["2026-01"][k] for k in ("mau", "active_rate", "net_inflow")] == ["", "", ""]
    assert totals["2026-03"]["mau"] == "5"


def test_a_user_of_a_leaf_branch_sees_their_own_branch(analyst, app_client, login, make_user):
    # A sub-branch has no child orgs: its customers all sit in the branch itself (this answered 500 before).
    headers = login(make_user("leaf", "branch_operator", "GD-SZ-001"))
    dash = analyst("mau-aum", {"month_from": "2026-03-01", "month_to": "2026-03-01"}, as_headers=headers)
    assert {r["org_code"] for r in dash["rows"]} == {"GD-SZ-001"}
    assert dash["totals"][0]["customers"] == 2  # c1 and c2 bank at 深圳南山支行
    res = app_client.post("/api/analytics/mau-aum/export", json={"month_from": "2026-03-01", "month_to": "2026-03-01"},
                          headers=login(make_user("leafx", "analyst", "GD-SZ-001")))
    assert res.status_code == 200, res.text

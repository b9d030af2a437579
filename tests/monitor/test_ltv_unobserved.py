"""LTV: a cohort that opened before the first AUM snapshot has no observed lifetime start, so its curve stays
empty instead of showing zeros for the months nobody recorded."""

from __future__ import annotations

from datetime import date


def test_cohorts_opened_before_the_first_aum_snapshot_show_no_value(analyst, bank):
    with bank.store.write() as cur:
        cur.execute("UPDATE customers SET open_date = DATE '2026-02-15'")
        cur.execute("UPDATE customers SET open_date = DATE '2026-01-10' WHERE customer_id = 'c4'")
        cur.executemany("INSERT INTO aum_daily VALUES (?, ?, ?)", [
            ["c1", date(2026, 2, 20), 120_000.0], ["c1", date(2026, 3, 31), 120_000.0],
            ["c4", date(2026, 3, 10), 60_000.0]])
    ltv = analyst("ltv", {"date_from": "2026-01-01", "date_to": "2026-02-28", "months": 2, "margin_bps": 120})
    cohorts = {c["cohort"]: c for c in ltv["cohorts"]}
    # January opened before any snapshot (the first is 20 February): not observed, not 0 then 60.
    assert cohorts["2026-01-01"]["customers"] == 1 and cohorts["2026-01-01"]["values"] == [None, None, None]
    # February is observed from its opening month: c1 120k in Feb and Mar over 4 customers, × 1.2% / 12.
    assert cohorts["2026-02-01"]["customers"] == 4 and cohorts["2026-02-01"]["values"] == [30.0, 60.0, None]

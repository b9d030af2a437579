"""MAU/AUM dashboard: a month only partly covered by data (collection started or stopped mid-month) is marked
with its first and last day of data, so it is not read as comparable with full months."""

from __future__ import annotations


def test_months_report_their_days_with_data_and_partial_ones_are_marked(analyst, bank):
    with bank.store.write() as cur:
        # February: first data on the 24th (a transaction at 09:00 Shanghai), an AUM snapshot on the 27th.
        cur.execute("INSERT INTO transactions VALUES ('tp1', 'c1', TIMESTAMP '2026-02-24 01:00:00', 'salary', 'in', "
                    "8000.0, NULL, 'app', NULL)")
        cur.execute("INSERT INTO aum_daily VALUES ('c1', DATE '2026-02-27', 120000.0)")
        # April: 00:30 on 1 April in Shanghai is still 31 March in UTC; the bank's days count.
        cur.execute("INSERT INTO transactions VALUES ('tp2', 'c2', TIMESTAMP '2026-03-31 16:30:00', 'salary', 'in', "
                    "100.0, NULL, 'app', NULL)")
        cur.execute("INSERT INTO transactions VALUES ('tp3', 'c2', TIMESTAMP '2026-04-30 10:00:00', 'fee', 'out', "
                    "5.0, NULL, 'app', NULL)")
    dash = analyst("mau-aum", {"month_from": "2026-01-01", "month_to": "2026-04-01"})
    months = {m["month"]: m for m in dash["months"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    # January has no data at all: a gap, not a partial month.
    assert months["2026-01"] == {"month": "2026-01", "first_day": None, "last_day": None, "partial": False}
    assert months["2026-02"] == {"month": "2026-02", "first_day": "2026-02-24", "last_day": "2026-02-27",
                                 "partial": True}
    # The small bank's events run from 1 to 9 March only.
    assert months["2026-03"]["first_day"] == "2026-03-01" and months["2026-03"]["last_day"] == "2026-03-09"
    assert months["2026-03"]["partial"] is True
    assert months["2026-04"] == {"month": "2026-04", "first_day": "2026-04-01", "last_day": "2026-04-30",
                                 "partial": False}
    # The figures themselves are unchanged: February's net inflow is its one transaction.
    feb = next(t for t in dash["totals"] if t["month"] == "2026-02")
    assert feb["net_inflow"] == 8000 and feb["aum"] == 120000

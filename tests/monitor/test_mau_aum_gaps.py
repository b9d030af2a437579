"""MAU/AUM dashboard: a month without any AUM snapshot is "no data" (null, a gap in the chart), never 0."""

from __future__ import annotations

from datetime import date

from factories import add_aum_snapshots


def test_months_without_snapshots_have_null_aum_not_zero(analyst, bank):
    add_aum_snapshots(bank, [
        ["c1", date(2026, 2, 20), 120_000.0], ["c1", date(2026, 3, 31), 125_000.0],
        ["c4", date(2026, 3, 10), 60_000.0]])
    dash = analyst("mau-aum", {"month_from": "2026-01-01", "month_to": "2026-03-01"})
    aum = {(r["month"], r["org_code"]): r["aum"] for r in dash["rows"]}
    # January: no snapshot anywhere yet; February: only Guangdong has one; March: both.
    assert aum[("2026-01", "GD")] is None and aum[("2026-01", "ZJ")] is None
    assert aum[("2026-02", "GD")] == 120_000 and aum[("2026-02", "ZJ")] is None
    assert aum[("2026-03", "GD")] == 125_000 and aum[("2026-03", "ZJ")] == 60_000
    totals = {t["month"]: t["aum"] for t in dash["totals"]}
    assert totals == {"2026-01": None, "2026-02": 120_000, "2026-03": 185_000}
    # Customers are still counted in a month without snapshots.
    jan = next(t for t in dash["totals"] if t["month"] == "2026-01")
    assert jan["customers"] == 5 and jan["mau"] is None  # no event recorded in January: no data, not 0

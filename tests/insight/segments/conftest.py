"""A small bank for segment tests: fund browsers of every shape around the boundaries, on a fixed today."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from factories import add_customers, add_products_and_holdings, events_for

TODAY = date(2026, 11, 20)


def ago(days: int, hour: int = 10) -> datetime:
    """A timestamp `days` before TODAY."""
    d = TODAY - timedelta(days=days)
    return datetime(d.year, d.month, d.day, hour)


def views(n: int, product_type: str = "基金", start: int = 1) -> list[tuple[str, datetime, dict]]:
    """n product views, one a day from `start` days ago."""
    return [("product_view", ago(start + i), {"product_type": product_type, "product_id": f"P-{product_type}"})
            for i in range(n)]


# (org, birth date, aum): who should match "25–40 岁、近30天浏览基金≥3次、未购买基金、AUM 5–50万".
PEOPLE = {
    "S01": ("GD-SZ-001", date(1995, 3, 1), 100_000.0),   # match
    "S02": ("GD-SZ-001", date(1990, 6, 1), 200_000.0),   # bought a fund: no
    "S03": ("GD-GZ-001", date(1988, 1, 1), 300_000.0),   # match, other city
    "S04": ("ZJ-HZ-001", date(1992, 1, 1), 60_000.0),    # match, other province
    "S05": ("GD-SZ-001", date(1970, 1, 1), 100_000.0),   # too old
    "S06": ("GD-SZ-001", date(1996, 1, 1), 20_000.0),    # AUM too low
    "S07": ("GD-SZ-001", date(1994, 1, 1), 100_000.0),   # only 2 fund views
    "S08": ("GD-SZ-001", date(1993, 1, 1), 100_000.0),   # 3 views but 2 outside the window
    "S09": ("GD-SZ-001", date(2001, 11, 20), 50_000.0),  # 25 today, AUM at the low edge: match
    "S10": ("GD-SZ-001", date(1985, 11, 21), 500_000.0),  # 40 until tomorrow, AUM at the high edge: match
    "S11": ("GD-SZ-001", date(1985, 11, 20), 100_000.0),  # 41 today: no
    "S12": ("GD-SZ-001", date(1991, 1, 1), 80_000.0),    # never browsed
}


@pytest.fixture
def bank(platform) -> None:
    """Twelve customers with events, holdings and the clock fixed at TODAY."""
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 15, 0)
    add_customers(platform, {
        cid: {"name": f"客户{cid}", "org_code": org, "birth_date": bd, "aum": aum,
              "gender": "M" if i % 2 else "F", "phone": f"1380000{i:04d}"}
        for i, (cid, (org, bd, aum)) in enumerate(PEOPLE.items())
    })
    events_for(platform, {
        "S01": [*views(3), ("login", ago(1, 9), {})],
        "S02": [*views(3), ("fund_purchase", ago(10), {"product_type": "基金", "amount": 5000})],
        "S03": [*views(4), ("wealth_purchase", ago(5), {"product_type": "理财", "amount": 5000})],
        "S04": views(3),
        "S05": views(5),
        "S06": views(3),
        "S07": views(2) + views(1, "理财", start=5),
        "S08": views(1) + views(2, start=40),
        "S09": views(3, start=0),
        "S10": views(3, start=27),
        "S11": views(3),
        "S12": [("login", ago(3), {})],
    })
    add_products_and_holdings(platform, "S01", [("P-FUND", "魔方成长基金", "基金", 30_000.0)])
    add_products_and_holdings(platform, "S03", [("P-FUND", "魔方成长基金", "基金", 80_000.0),
                                                ("P-TD", "三年定期", "定期", 100_000.0)])


def fund_prospects() -> dict:
    """The done-means definition, as the console would post it."""
    return {"type": "group", "op": "and", "conditions": [
        {"type": "attribute", "field": "age", "op": "between", "value": [25, 40]},
        {"type": "behaviour", "event": "product_view", "op": "gte", "value": 3, "window": {"last_days": 30},
         "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]},
        {"type": "behaviour", "event": "fund_purchase", "did": False, "window": {"last_days": 30},
         "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]},
        {"type": "attribute", "field": "aum", "op": "between", "value": [50_000, 500_000]},
    ]}

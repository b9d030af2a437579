"""A small bank for tag tests: RFM shapes, lifecycle stages and timing habits on a fixed today."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from factories import add_customers, add_products_and_holdings, events_for

TODAY = date(2026, 11, 20)


def at(days_ago: int, hour: int = 10) -> datetime:
    """A timestamp `days_ago` before TODAY at `hour`."""
    d = TODAY - timedelta(days=days_ago)
    return datetime(d.year, d.month, d.day, hour)


def add_transactions(platform, rows: list[tuple[str, datetime, str, str, float]]) -> None:
    """Insert transactions given as (customer_id, ts, txn_type, direction, amount)."""
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, '餐饮', 'app', NULL)",
                        [[f"T{i}", c, ts, t, d, a] for i, (c, ts, t, d, a) in enumerate(rows)])


@pytest.fixture
def tag_bank(platform) -> None:
    """Six customers: a champion, a lapsed big spender, a newcomer, a sleeper, a prospect, a steady one."""
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18)
    add_customers(platform, {
        "V1": {"name": "冠军", "org_code": "GD-SZ-001", "aum": 800_000.0, "open_date": date(2015, 1, 1)},
        "V2": {"name": "流失大户", "org_code": "GD-SZ-001", "aum": 300_000.0, "open_date": date(2016, 1, 1)},
        "V3": {"name": "新客", "org_code": "GD-GZ-001", "aum": 20_000.0, "open_date": date(2026, 10, 1)},
        "V4": {"name": "沉睡", "org_code": "ZJ-HZ-001", "aum": 60_000.0, "open_date": date(2018, 1, 1)},
        "V5": {"name": "潜客", "org_code": "ZJ-HZ-001", "aum": 0.0, "open_date": date(2019, 1, 1)},
        "V6": {"name": "稳健", "org_code": "GD-GZ-001", "aum": 100_000.0, "open_date": date(2017, 1, 1)},
    })
    add_transactions(platform, [
        # V1: recent, frequent, big; paid on the 10th.
        *[("V1", at(d), "card_spend", "out", 20_000.0) for d in (1, 3, 5, 8, 12, 20)],
        ("V1", datetime(2026, 10, 10, 9), "salary", "in", 30_000.0),
        ("V1", datetime(2026, 11, 10, 9), "salary", "in", 30_000.0),
        # V2: frequent and big, but long ago.
        *[("V2", at(d), "purchase", "out", 50_000.0) for d in (70, 72, 75, 80)],
        # V3: one small recent payment.
        ("V3", at(2), "card_spend", "out", 100.0),
        # V6: recent, rare, small; paid on the 25th.
        ("V6", at(4), "card_spend", "out", 50.0),
        ("V6", datetime(2026, 10, 25, 9), "salary", "in", 8_000.0),
    ])
    events_for(platform, {
        # Timestamps are UTC: 13:00 is 21:00 in Beijing.
        "V1": [*[("login", at(d, 13), {}) for d in (0, 1, 2, 7)],
               ("product_view", at(1, 13), {"product_type": "基金"})],
        "V3": [("login", at(1, 1), {}), ("product_view", at(1, 1), {"product_type": "理财"})],
        "V4": [("login", at(60, 4), {})],
        "V6": [("login", at(3, 0), {}), ("login", at(10, 0), {})],
    })
    add_products_and_holdings(platform, "V1", [("P-FUND", "魔方成长基金", "基金", 300_000.0)])

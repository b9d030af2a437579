"""The small bank analytics tests share: customers in three branches and their events (UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta

T0 = datetime(2026, 3, 1, 1, 0)  # 09:00 on 1 March in Shanghai

CUSTOMERS = {
    "c1": {"name": "张一", "org_code": "GD-SZ-001", "tier": "财富", "aum": 500_000.0, "gender": "M"},
    "c2": {"name": "张二", "org_code": "GD-SZ-001", "tier": "大众", "aum": 20_000.0},
    "c3": {"name": "张三", "org_code": "GD-GZ-001", "tier": "大众", "aum": 10_000.0},
    "c4": {"name": "张四", "org_code": "ZJ-HZ-001", "tier": "潜力", "aum": 80_000.0, "gender": "M"},
    "c5": {"name": "张五", "org_code": "ZJ-HZ-001", "tier": "财富", "aum": 900_000.0},
}


def h(hours: float) -> datetime:
    """T0 plus some hours."""
    return T0 + timedelta(hours=hours)


EVENTS = {
    # c1 converts through all three steps within a day.
    "c1": [("app_open", h(0), {}), ("product_view", h(1), {"product": "P1", "amount": 10}),
           ("purchase", h(2), {"amount": 500}), ("app_open", h(24), {}), ("app_open", h(48), {})],
    # c2 views but never buys; opens again on day 3.
    "c2": [("app_open", h(0), {}), ("product_view", h(5), {"product": "P2", "amount": 3}),
           ("app_open", h(72), {})],
    # c3 buys before viewing (out of order), then views.
    "c3": [("app_open", h(0), {}), ("purchase", h(1), {"amount": 100}), ("product_view", h(2), {"product": "P1"})],
    # c4 views 8 days after opening: outside a 7-day window.
    "c4": [("app_open", h(0), {}), ("product_view", h(24 * 8), {"product": "P1"}), ("purchase", h(24 * 8 + 1), {})],
    # c5 only views.
    "c5": [("product_view", h(3), {"product": "P3"})],
}

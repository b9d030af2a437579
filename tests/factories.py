"""Declarative test data: customers and events written straight into the event store."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson

from mofang.platform.context import Platform
from mofang.platform.governance.contracts import OrgRead
from mofang.platform.governance.logic import mask_email, mask_id_number, mask_phone

PASSWORD = "Test@Pass2026"

# A small org tree used by governance and customer tests.
ORGS = [
    OrgRead(code="HQ", name="总行", parent_code=None, level=0),
    OrgRead(code="GD", name="广东省分行", parent_code="HQ", level=1),
    OrgRead(code="GD-SZ", name="深圳市分行", parent_code="GD", level=2),
    OrgRead(code="GD-SZ-001", name="深圳南山支行", parent_code="GD-SZ", level=3),
    OrgRead(code="GD-GZ", name="广州市分行", parent_code="GD", level=2),
    OrgRead(code="GD-GZ-001", name="广州天河支行", parent_code="GD-GZ", level=3),
    OrgRead(code="ZJ", name="浙江省分行", parent_code="HQ", level=1),
    OrgRead(code="ZJ-HZ", name="杭州市分行", parent_code="ZJ", level=2),
    OrgRead(code="ZJ-HZ-001", name="杭州西湖支行", parent_code="ZJ-HZ", level=3),
]


def postgres_url() -> str | None:
    """The PostgreSQL URL for tests, or None (then those tests skip, saying why)."""
    return os.environ.get("MOFANG_TEST_POSTGRES_URL")

CUSTOMER_DEFAULTS: dict[str, Any] = {
    "gender": "F", "birth_date": date(1990, 5, 17), "province": "广东", "city": "深圳", "occupation": "职员",
    "income_band": "10-20万", "risk_level": "C3", "open_date": date(2020, 1, 1), "acquisition_channel": "网点",
    "rm_id": None, "tier": "潜力", "aum": 100_000.0, "consent_sms": True, "consent_push": True,
    "consent_inbox": True, "consent_wechat": False, "consent_email": True, "consent_call": False,
    "phone": "13800001234", "id_number": "440301199005171234", "email": "kh@example.com",
}

CUSTOMER_COLUMNS = (
    "customer_id", "name", "gender", "birth_date", "province", "city", "occupation", "income_band", "risk_level",
    "open_date", "acquisition_channel", "org_code", "rm_id", "tier", "aum", "consent_sms", "consent_push",
    "consent_inbox", "consent_wechat", "consent_email", "consent_call", "phone_enc", "phone_masked",
    "phone_last4", "id_enc", "id_masked", "email_enc", "email_masked", "updated_at",
)


def add_customers(platform: Platform, customers: dict[str, dict[str, Any]], *, profiles: bool = True) -> None:
    """Insert customers given as {customer_id: {field: value}} (name and org_code required), and refresh their
    profiles as a load does (`profiles=False`: leave that to the test)."""
    rows = []
    for cid, given in customers.items():
        c = {**CUSTOMER_DEFAULTS, **given}
        enc = platform.cipher.encrypt
        c |= {
            "customer_id": cid, "phone_enc": enc(c["phone"]), "phone_masked": mask_phone(c["phone"]),
            "phone_last4": c["phone"][-4:], "id_enc": enc(c["id_number"]), "id_masked": mask_id_number(c["id_number"]),
            "email_enc": enc(c["email"]), "email_masked": mask_email(c["email"]), "updated_at": datetime(2026, 1, 1),
        }
        rows.append([c[k] for k in CUSTOMER_COLUMNS])
    marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
    with platform.store.write() as cur:
        cur.executemany(f"INSERT INTO customers ({', '.join(CUSTOMER_COLUMNS)}) VALUES ({marks})", rows)
    if profiles:
        from mofang.insight.profiles import refresh_profiles

        refresh_profiles(platform=platform, customer_ids=list(customers))


def add_rms(platform: Platform, rms: dict[str, tuple[str, str]]) -> None:
    """Insert relationship managers given as {rm_id: (name, org_code)}."""
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO relationship_managers VALUES (?, ?, ?)",
                        [[k, name, org] for k, (name, org) in rms.items()])
        managed = [r[0] for r in cur.execute("SELECT customer_id FROM customers WHERE rm_id IN (SELECT unnest(?))",
                                             [list(rms)]).fetchall()]
    if managed:  # as a staff load does: the profiles of their customers show the RM's name
        from mofang.insight.profiles import refresh_profiles

        refresh_profiles(platform=platform, customer_ids=managed)


def events_for(platform: Platform, spec: dict[str, list[tuple[str, datetime, dict[str, Any]]]]) -> None:
    """Insert track events given as {customer_id: [(event, ts, properties), ...]}."""
    rows = []
    for cid, items in spec.items():
        for i, (name, ts, props) in enumerate(items):
            rows.append([f"t-{cid}-{i}-{name}", "track", name, cid, cid, None, ts, ts, "app",
                         orjson.dumps(props).decode(), "{}"])
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def add_aum_snapshots(platform: Platform, rows: Iterable[Sequence[Any]]) -> None:
    """Insert daily AUM snapshots given as [(customer_id, day, aum), ...]."""
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO aum_daily VALUES (?, ?, ?)", [list(r) for r in rows])


def add_products_and_holdings(
    platform: Platform, customer_id: str, holdings: list[tuple[str, str, str, float]]
) -> None:
    """Insert products and the customer's holdings as [(product_id, name, type, balance), ...]."""
    with platform.store.write() as cur:
        for pid, name, ptype, balance in holdings:
            cur.execute("INSERT INTO products VALUES (?, ?, ?, 'R2', 2.1, 365, false) ON CONFLICT DO NOTHING",
                        [pid, name, ptype])
            cur.execute("INSERT INTO holdings VALUES (?, ?, ?, DATE '2025-01-01')", [customer_id, pid, balance])

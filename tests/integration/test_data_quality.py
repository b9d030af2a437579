"""The data-quality view (数据质量): rows, freshness, null rates, orphans and coverage, scoped to the viewer;
and the load history counting the events a transactions load emitted."""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from integration_files import CUSTOMER_HEADER, customer_line

from mofang.platform.context import Platform


def _upload(client: TestClient, headers: dict[str, str], entity: str, name: str, body: bytes) -> dict:
    res = client.post("/api/data/loads", headers=headers, data={"entity": entity}, files={"file": (name, body)})
    assert res.status_code == 201, res.text
    return res.json()


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _table(body: dict, name: str) -> dict:
    (table,) = [t for t in body["tables"] if t["table"] == name]
    return table


@pytest.fixture
def bank(app_client: TestClient, admin_headers: dict[str, str], platform: Platform) -> None:
    """Two products, one RM; K1 (Guangzhou, with an RM), K2 and K3 (Shenzhen, no e-mail); holdings, txns, AUM."""
    _upload(app_client, admin_headers, "products", "p.csv", _csv(
        "product_id,name,product_type,risk_level,rate", "DEP,活期储蓄,活期,R1,0.2", "WM,稳享90天,理财,,2.85"))
    _upload(app_client, admin_headers, "staff", "s.csv", _csv("rm_id,name,org_code", "RM1,王芳,GD-GZ-001"))
    _upload(app_client, admin_headers, "customers", "c.csv", _csv(
        CUSTOMER_HEADER, customer_line("K1", "张三", rm="RM1"), customer_line("K2", "李四", org="GD-SZ-001"),
        customer_line("K3", "王五", org="GD-SZ-001", phone="")))
    buf = io.BytesIO()
    pq.write_table(pa.table({"customer_id": ["K1", "K1", "K2"], "product_id": ["DEP", "WM", "WM"],
                             "balance": [1200.0, 50000.0, 800.0]}), buf)
    _upload(app_client, admin_headers, "holdings", "h.parquet", buf.getvalue())
    _upload(app_client, admin_headers, "transactions", "t.csv", _csv(
        "txn_id,customer_id,ts,txn_type,direction,amount,category",
        "T1,K1,2026-03-01 09:00:00,salary,in,8500,工资", "T2,K2,2026-03-05 10:00:00,card_spend,out,120,",
        "T3,K2,2026-03-06 10:00:00,other,out,5,"))
    _upload(app_client, admin_headers, "aum_daily", "a.csv", _csv("customer_id,date,aum", "K1,2026-03-07,51200"))
    # A product the bank stopped sending, and an RM who left, while holdings and customers still name them:
    # what the quality view is there to show.
    with platform.store.write() as cur:
        cur.execute("DELETE FROM products WHERE product_id = 'WM'")
        cur.execute("UPDATE customers SET rm_id = 'RM-GONE' WHERE customer_id = 'K2'")


@pytest.mark.usefixtures("bank")
def test_the_whole_bank_sees_every_table_with_its_gaps(app_client: TestClient, admin_headers: dict[str, str],
                                                        ) -> None:
    res = app_client.get("/api/data/quality", headers=admin_headers)

    assert res.status_code == 200, res.text
    body = res.json()
    assert [t["table"] for t in body["tables"]] == ["customers", "holdings", "transactions", "aum_daily",
                                                     "identities", "products", "staff", "orgs"]
    customers = _table(body, "customers")
    assert customers["rows"] == 3 and customers["last_load_at"] is not None
    nulls = {n["field"]: (n["nulls"], n["share"]) for n in customers["null_rates"]}
    assert nulls["phone"] == (1, 0.3333) and nulls["email"] == (3, 1.0) and nulls["name"] == (0, 0.0)
    assert nulls["rm_id"] == (1, 0.3333)  # K3 has none; K2's RM is set (but gone: an orphan below)
    assert {o["check"]: o["rows"] for o in customers["orphans"]} == {"org_missing": 0, "rm_missing": 1}
    holdings = _table(body, "holdings")
    assert holdings["rows"] == 3
    assert {o["check"]: o["rows"] for o in holdings["orphans"]} == {"product_missing": 2, "customer_missing": 0}
    txns = _table(body, "transactions")
    assert txns["rows"] == 3 and txns["latest_business_date"] == "2026-03-06"
    assert {n["field"]: n["nulls"] for n in txns["null_rates"]}["category"] == 2
    assert _table(body, "aum_daily")["latest_business_date"] == "2026-03-07"
    products = _table(body, "products")
    assert products["rows"] == 1 and products["last_load_at"] is not None
    assert _table(body, "identities")["rows"] >= 3  # customer numbers and phones copied from the master
    assert _table(body, "orgs")["rows"] > 3
    channels = {c["channel"]: c["reachable"] for c in body["identity_coverage"]["channels"]}
    assert body["identity_coverage"]["customers"] == 3 and channels["sms"] == 2


@pytest.mark.usefixtures("bank")
def test_a_branch_sees_only_its_subtree(app_client: TestClient, make_user: Callable[..., str],
                                        login: Callable[[str], dict[str, str]]) -> None:
    sz = login(make_user("sz_quality", "branch_operator", "GD-SZ"))

    res = app_client.get("/api/data/quality", headers=sz)

    assert res.status_code == 200, res.text
    body = res.json()
    assert _table(body, "customers")["rows"] == 2
    assert _table(body, "holdings")["rows"] == 1  # K2's; K1's two are Guangzhou's
    assert _table(body, "transactions")["rows"] == 2
    assert _table(body, "aum_daily")["rows"] == 0
    assert _table(body, "staff")["rows"] == 0  # the one RM works in Guangzhou
    assert {o["check"]: o["rows"] for o in _table(body, "holdings")["orphans"]}["product_missing"] == 1
    assert {o["check"]: o["rows"] for o in _table(body, "customers")["orphans"]}["rm_missing"] == 1
    assert body["identity_coverage"]["customers"] == 2


def test_the_quality_view_needs_a_login(app_client: TestClient) -> None:
    assert app_client.get("/api/data/quality").status_code == 401


@pytest.mark.usefixtures("bank")
def test_the_history_counts_the_events_a_transactions_load_emitted(
    app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    loads = app_client.get("/api/data/loads", headers=admin_headers).json()
    rows = loads["items"] if isinstance(loads, dict) else loads
    by_entity = {r["entity"]: r for r in rows}
    # T1 is a salary credit and T2 a card spend; T3's type has no rule, so it emits nothing.
    assert by_entity["transactions"]["events_emitted"] == 2
    assert by_entity["customers"]["events_emitted"] == 0

    again = _upload(app_client, admin_headers, "transactions", "t.csv", _csv(
        "txn_id,customer_id,ts,txn_type,direction,amount,category",
        "T1,K1,2026-03-01 09:00:00,salary,in,8500,工资", "T4,K1,2026-03-08 09:00:00,purchase,out,1000,理财"))
    assert again["events_emitted"] == 1  # only the new transaction's event


def test_an_empty_bank_has_empty_tables_and_no_dates(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    res = app_client.get("/api/data/quality", headers=admin_headers)

    assert res.status_code == 200, res.text
    customers = _table(res.json(), "customers")
    assert customers["rows"] == 0 and customers["latest_business_date"] is None and customers["last_load_at"] is None
    assert all(n["share"] == 0.0 for n in customers["null_rates"])

"""The data-integration API: uploads by admins, what the product then shows, scope, pushes, history, rejects."""

from __future__ import annotations

import io
from collections.abc import Callable

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from integration_files import CUSTOMER_HEADER, customer_line

from mofang.platform.context import Platform


def _upload(client: TestClient, headers: dict[str, str], entity: str, name: str, body: bytes,
            **form: str) -> dict:
    res = client.post("/api/data/loads", headers=headers, data={"entity": entity, **form},
                      files={"file": (name, body)})
    assert res.status_code == 201, res.text
    return res.json()


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def bank(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    """Products, staff, two customers of Guangzhou, their holdings and daily AUM — all uploaded."""
    _upload(app_client, admin_headers, "products", "p.csv", _csv(
        "产品代码,产品名称,产品类型,风险等级,收益率", "DEP-CUR,活期储蓄,活期,R1,0.2", "WM-90,稳享90天,理财,R2,2.85"))
    _upload(app_client, admin_headers, "staff", "s.csv", _csv("rm_id,name,org_code", "RM1,王芳,GD-GZ-001"))
    _upload(app_client, admin_headers, "customers", "c.csv", _csv(
        CUSTOMER_HEADER, customer_line("K1", "张三", rm="RM1"), customer_line("K2", "李四")))
    table = pa.table({"customer_id": ["K1", "K1"], "product_id": ["DEP-CUR", "WM-90"], "balance": [1200.0, 50000.0]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    _upload(app_client, admin_headers, "holdings", "h.parquet", buf.getvalue())
    lines = b"\n".join(orjson.dumps({"customer_id": "K1", "date": f"2026-03-0{d}", "aum": 50000.0 + d * 100})
                       for d in (1, 2, 3))
    _upload(app_client, admin_headers, "aum_daily", "a.jsonl", lines)


@pytest.mark.usefixtures("bank")
def test_a_loaded_customer_shows_in_the_360_with_holdings_and_aum(
    app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    res = app_client.get("/api/customers/K1", headers=admin_headers)

    assert res.status_code == 200, res.text
    body = res.json()
    assert body["profile"]["name"] == "张*" and body["profile"]["phone"] == "139****5678"
    assert body["profile"]["rm_name"] == "王芳" and body["profile"]["aum"] == 50300.0
    assert {h["product_name"]: h["balance"] for h in body["holdings"]} == {"稳享90天": 50000.0, "活期储蓄": 1200.0}
    assert [p["aum"] for p in body["aum_trend"]] == [50100.0, 50200.0, 50300.0]


@pytest.mark.usefixtures("bank")
def test_moving_a_customer_to_another_branch_moves_their_visibility(
    app_client: TestClient, admin_headers: dict[str, str], make_user: Callable[..., str],
    login: Callable[[str], dict[str, str]],
) -> None:
    gz = login(make_user("gz_ops", "branch_operator", "GD-GZ"))
    sz = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    assert app_client.get("/api/customers/K2", headers=gz).status_code == 200
    assert app_client.get("/api/customers/K2", headers=sz).status_code == 404

    _upload(app_client, admin_headers, "customers", "move.csv", _csv(
        CUSTOMER_HEADER, customer_line("K2", "李四", org="GD-SZ-001")))

    assert app_client.get("/api/customers/K2", headers=sz).status_code == 200
    assert app_client.get("/api/customers/K2", headers=gz).status_code == 404


@pytest.mark.usefixtures("bank")
def test_a_pushed_change_updates_one_customer_and_a_bad_value_names_its_field(
    app_client: TestClient, admin_headers: dict[str, str], platform: Platform,
) -> None:
    res = app_client.put("/api/data/customers/K1", headers=admin_headers,
                         json={"fields": {"手机号码": "13600009999", "risk_level": "C5"}})
    assert res.status_code == 200, res.text
    assert res.json()["rows_loaded"] == 1
    profile = app_client.get("/api/customers/K1", headers=admin_headers).json()["profile"]
    assert (profile["phone"], profile["risk_level"], profile["name"]) == ("136****9999", "C5", "张*")

    bad = app_client.put("/api/data/customers/K1", headers=admin_headers, json={"fields": {"risk_level": "C9"}})
    assert bad.status_code == 422
    assert (bad.json()["field"], bad.json()["code"]) == ("risk_level", "integration.invalid_value")
    new = app_client.put("/api/data/customers/K77", headers=admin_headers, json={"fields": {"name": "新客"}})
    assert new.status_code == 422 and new.json()["field"] == "org_code"
    assert platform.store.scalar("SELECT count(*) FROM customers WHERE customer_id = 'K77'") == 0


def test_history_lists_loads_and_rejects_download_is_audited(
    app_client: TestClient, admin_headers: dict[str, str], platform: Platform,
) -> None:
    _upload(app_client, admin_headers, "staff", "s.csv", _csv("rm_id,name,org_code", "RM1,王芳,GD-GZ-001"))
    res = app_client.post("/api/data/loads", headers=admin_headers, data={"entity": "customers"}, files={
        "file": ("c.csv", _csv(CUSTOMER_HEADER, customer_line("K1", "张三", org="NOWHERE", phone="13955556666")))})
    assert res.status_code == 422 and res.json()["code"] == "integration.too_many_rejects"
    load_id = res.json()["params"]["load_id"]

    history = app_client.get("/api/data/loads", headers=admin_headers).json()
    assert history["total"] == 2
    failed = history["items"][0]
    assert (failed["id"], failed["status"], failed["rows_read"], failed["rows_rejected"], failed["username"]) == (
        load_id, "failed", 1, 1, "root")
    rejects = app_client.get(f"/api/data/loads/{load_id}/rejects", headers=admin_headers)
    assert rejects.status_code == 200
    assert "1,org_code,no such org,NOWHERE" in rejects.text and "13955556666" not in rejects.text
    audit = app_client.get("/api/admin/audit", headers=admin_headers, params={"action": "data.rejects_download"}).json()
    assert audit["total"] == 1


def test_only_data_loaders_may_load_and_wrong_input_names_its_field(
    app_client: TestClient, admin_headers: dict[str, str], make_user: Callable[..., str],
    login: Callable[[str], dict[str, str]],
) -> None:
    ops = login(make_user("branch", "branch_operator", "GD-GZ"))
    denied = app_client.post("/api/data/loads", headers=ops, data={"entity": "customers"},
                             files={"file": ("c.csv", _csv(CUSTOMER_HEADER))})
    assert denied.status_code == 403

    def post(**form: str) -> dict:
        res = app_client.post("/api/data/loads", headers=admin_headers, data={"entity": "customers", **form},
                              files={"file": ("c.csv", _csv("customer_id,name", "K1,张三"))})
        assert res.status_code in (400, 422), res.text
        return res.json()

    assert post(entity="accounts")["field"] == "entity"
    assert post()["field"] == "mapping"  # org_code is required and the file has no column for it
    assert post(mapping="{not json")["field"] == "mapping"
    assert post(mode="full", entity="transactions")["field"] == "mode"

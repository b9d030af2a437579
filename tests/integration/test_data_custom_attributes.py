"""The bank's own customer attributes: declared once (type, Chinese name, PII flag), then loaded from files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mofang.integration.contracts import LoadRead
from mofang.platform.context import Platform

HEADER = "客户号,姓名,管户机构,月均代发,微信号"


@pytest.fixture
def declared(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    """A number attribute and a PII one."""
    for key, body in (("salary_avg", {"type": "number", "zh": "月均代发"}),
                      ("wechat_id", {"type": "string", "zh": "微信号", "pii": True})):
        res = app_client.put(f"/api/data/attributes/{key}", headers=admin_headers, json=body)
        assert res.status_code == 200, res.text


def _attrs(platform: Platform) -> dict[tuple[str, str], str | None]:
    rows = platform.store.query("SELECT customer_id, key, value FROM customer_attributes")
    return {(r["customer_id"], r["key"]): r["value"] for r in rows}


@pytest.mark.usefixtures("declared")
def test_a_file_carries_declared_attributes_by_their_chinese_names(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("c.csv", [HEADER, "K1,张三,GD-GZ-001,\"8,500.00\",zhangsan_wx", "K2,李四,GD-SZ-001,,",
                                "K3,王五,GD-SZ-001,很多,ww"])
    report = load("customers", path, reject_threshold=0.5)

    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    attrs = _attrs(platform)
    assert attrs[("K1", "salary_avg")] == "8500.0" and attrs[("K2", "salary_avg")] is None
    assert platform.cipher.decrypt(attrs[("K1", "wechat_id")]) == "zhangsan_wx"
    platform.store.checkpoint()
    assert b"zhangsan_wx" not in platform.store.path.read_bytes()
    rejects = (platform.settings.data_dir / "integration" / "rejects" / f"{report.id}.csv").read_text("utf-8-sig")
    assert "3,attr:salary_avg,not a number,很多" in rejects
    assert load("customers", path, reject_threshold=0.5).rows_unchanged == 2  # idempotent with attributes too
    custom = platform.store.scalar("SELECT custom FROM customer_versions WHERE customer_id = 'K1'")
    assert '"salary_avg":"8500.0"' in custom.replace(" ", "")


@pytest.mark.usefixtures("declared")
def test_an_attribute_is_declared_once_and_listed_with_the_customers_schema(
    app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    retype = app_client.put("/api/data/attributes/salary_avg", headers=admin_headers,
                            json={"type": "string", "zh": "月均代发"})
    assert retype.status_code == 409 and retype.json()["code"] == "integration.attribute_fixed"
    renamed = app_client.put("/api/data/attributes/salary_avg", headers=admin_headers,
                             json={"type": "number", "zh": "近三月月均代发"})
    assert renamed.status_code == 200
    builtin = app_client.put("/api/data/attributes/phone", headers=admin_headers, json={"type": "string", "zh": "x"})
    assert builtin.status_code == 422 and builtin.json()["field"] == "key"

    entities = app_client.get("/api/data/entities", headers=admin_headers).json()
    fields = {f["key"]: f for f in next(e for e in entities if e["name"] == "customers")["fields"]}
    assert fields["attr:salary_avg"]["zh"] == "近三月月均代发" and fields["attr:wechat_id"]["pii"] is True

"""Load semantics a bank relies on: idempotent re-loads, all-or-nothing, closures, SCD history, rejects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from integration_files import CUSTOMER_HEADER, customer_line

from mofang.integration import repository
from mofang.integration.contracts import LoadRead
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid

pytestmark = pytest.mark.usefixtures("products_and_staff")


def _customers(platform: Platform) -> dict[str, dict]:
    return {r["customer_id"]: r for r in platform.store.query("SELECT * FROM customers ORDER BY customer_id")}


def test_loading_the_same_file_twice_changes_nothing(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", rm="RM1"), customer_line("K2", "李四")])
    first = load("customers", path)
    before = _customers(platform)
    versions = platform.store.scalar("SELECT count(*) FROM customer_versions")
    second = load("customers", path)

    assert (first.rows_loaded, first.rows_unchanged) == (2, 0)
    assert (second.rows_loaded, second.rows_unchanged, second.status) == (0, 2, "ok")
    assert _customers(platform) == before  # not even updated_at moves
    assert platform.store.scalar("SELECT count(*) FROM customer_versions") == versions == 2


def test_a_load_failing_part_way_leaves_the_previous_state(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load("customers", write_file("c1.csv", [CUSTOMER_HEADER, customer_line("K1", "张三")]))
    before = _customers(platform)
    real = repository._close_versions

    def crash_after_customers_were_written(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(repository, "_close_versions", crash_after_customers_were_written)
    changed = write_file("c2.csv", [CUSTOMER_HEADER, customer_line("K1", "张三丰", org="GD-SZ-001"),
                                    customer_line("K9", "新客")])
    with pytest.raises(RuntimeError):
        load("customers", changed)
    monkeypatch.undo()

    assert _customers(platform) == before
    assert platform.store.scalar("SELECT count(*) FROM customer_versions") == 1
    stages = "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'integration_stage%'"
    assert platform.store.scalar(stages) == 0  # no staging table left behind
    # The failure is in the history and the source is free again: the next load goes through.
    assert load("customers", changed).rows_loaded == 2


def test_full_load_turns_missing_customers_into_closures_with_history(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c1.csv", [CUSTOMER_HEADER, customer_line("K1", "张三"), customer_line("K2", "李四")]),
         mode="full")
    report = load("customers", write_file("c2.csv", [CUSTOMER_HEADER, customer_line("K1", "张三")]), mode="full")

    assert report.rows_closed == 1
    assert set(_customers(platform)) == {"K1"}
    closure = platform.store.query("SELECT entity, business_key, load_id FROM integration_closures")
    assert closure == [{"entity": "customers", "business_key": "K2", "load_id": report.id}]
    versions = platform.store.query(
        "SELECT status, valid_to IS NULL AS open FROM customer_versions WHERE customer_id = 'K2' ORDER BY valid_from")
    assert versions == [{"status": "active", "open": False}, {"status": "closed", "open": True}]


def test_an_attribute_change_closes_the_old_version_and_opens_a_new_one(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c1.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", risk="C2")]))
    load("customers", write_file("c2.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", risk="C4")]))

    rows = platform.store.query(
        "SELECT risk_level, valid_to IS NULL AS open FROM customer_versions ORDER BY valid_from")
    assert rows == [{"risk_level": "C2", "open": False}, {"risk_level": "C4", "open": True}]
    assert _customers(platform)["K1"]["risk_level"] == "C4"


def test_rejects_give_row_field_and_reason_and_mask_pii(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    good = [customer_line(f"K{i}", "客户") for i in range(10)]
    path = write_file("c.csv", [CUSTOMER_HEADER, *good, customer_line("K10", "坏", org="XX-999"),
                                customer_line("K11", "坏", risk="C9"), customer_line("K12", "坏", rm="RM404"),
                                "K13,坏,F,13912345678,440301199005171234,GD-GZ-001,,C3,1990-13-45",
                                "K14,坏,F,13912345678,440301199005171234,GD-GZ-001,,C3,1990-01-01,extra",
                                customer_line("K15", "坏", org="XX-999")])
    report = load("customers", path, reject_threshold=0.5)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (16, 10, 6)
    text = (platform.settings.data_dir / "integration" / "rejects" / f"{report.id}.csv").read_text("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "row,field,reason,value"
    assert "11,org_code,no such org,XX-999" in lines
    assert any(line.startswith("12,risk_level,not one of C1/C2/C3/C4/C5,C9") for line in lines)
    assert "13,rm_id,no such RM,RM404" in lines
    assert any(line.startswith("14,birth_date,not a date") for line in lines)
    assert '15,,"row has 10 cells, the header names 9",' in lines  # the unreadable row's own text is never kept
    assert "16,org_code,no such org,XX-999" in lines  # rows after an unreadable one keep their numbers
    assert "13912345678" not in text


def test_too_many_rejects_fail_the_whole_load(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三"), customer_line("K2", "李四", org="NOPE")])
    with pytest.raises(Invalid) as err:
        load("customers", path)

    assert err.value.code == "integration.too_many_rejects"
    assert _customers(platform) == {}
    assert platform.store.scalar("SELECT count(*) FROM customer_versions") == 0


def test_gbk_file_with_chinese_headers_and_pipes_loads_with_a_value_map(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("客户.csv", ["客户号|客户姓名|性别|手机号码|管户机构|风险测评等级|开户日期",
                                   "K1|张三|男|13912345678|GD-GZ-001|01|20200105",
                                   "K2|王五|女|13700001111|GD-SZ-001|03|20210310"], encoding="gbk")
    report = load("customers", path, mapping={"values": {"gender": {"男": "M", "女": "F"},
                                                        "risk_level": {"01": "C1", "03": "C3"}}})

    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    rows = platform.store.query("SELECT customer_id, name, gender, risk_level, open_date::VARCHAR AS d, "
                                "phone_masked FROM customers ORDER BY 1")
    assert rows == [
        {"customer_id": "K1", "name": "张三", "gender": "M", "risk_level": "C1", "d": "2020-01-05",
         "phone_masked": "139****5678"},
        {"customer_id": "K2", "name": "王五", "gender": "F", "risk_level": "C3", "d": "2021-03-10",
         "phone_masked": "137****1111"},
    ]


def test_loaded_pii_is_encrypted_at_rest(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", phone="13987654321")]))
    platform.store.checkpoint()

    raw = platform.store.path.read_bytes()
    assert b"13987654321" not in raw and b"440301199005171234" not in raw
    enc = platform.store.scalar("SELECT phone_enc FROM customers WHERE customer_id = 'K1'")
    assert platform.cipher.decrypt(enc) == "13987654321"


def test_holdings_full_load_closes_the_holding_no_longer_sent(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三")]))
    load("holdings", write_file("h1.csv", ["customer_id,product_id,balance", "K1,DEP-CUR,100", "K1,WM-90,5000"]),
         mode="full")
    report = load("holdings", write_file("h2.csv", ["customer_id,product_id,balance", "K1,DEP-CUR,120"]), mode="full")

    assert (report.rows_loaded, report.rows_closed) == (1, 1)
    assert platform.store.query("SELECT product_id, balance FROM holdings") == [
        {"product_id": "DEP-CUR", "balance": 120.0}]
    assert platform.store.scalar("SELECT business_key FROM integration_closures") == "K1|WM-90"

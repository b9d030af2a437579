"""The set-based paths (Parquet checked where it lies, customers from Parquet) decide exactly as the row-by-row
checks do: same rejects, same reasons, same masked values, same stored rows and history."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mofang.integration import logic
from mofang.integration.contracts import LoadRead
from mofang.integration.schemas import CUSTOMERS as CUSTOMERS_SPEC
from mofang.platform.context import Platform

pytestmark = pytest.mark.usefixtures("products_and_staff")

CUSTOMERS = {
    "customer_id": ["K1", "K2", "K3", "K4", "K1", "K5"],
    "name": ["张三", "李四", None, "赵六", "张三", "钱七"],
    "gender": ["F", "X", "M", "M", "F", "F"],
    "birth_date": ["1990-05-17", "1991-01-02", "1992-02-03", "19930304", "1990-05-17", "not a day"],
    "phone": ["13912345678", "13912345679", "13912345670", "13800001111", "13912345678", "13700002222"],
    "org_code": ["GD-GZ-001", "GD-SZ-001", "GD-GZ-001", "GD-XX-404", "GD-GZ-001", "GD-GZ-001"],
    "rm_id": ["RM1", None, "RM9", None, "RM1", None],
    "risk_level": ["C3", "C2", "C1", "C6", "C3", "C4"],
    "consent_sms": [True, False, None, True, True, False],
}


def _rejects(platform: Platform, load_id: int) -> list[tuple[str, str, str, str]]:
    path = platform.settings.data_dir / "integration" / "rejects" / f"{load_id}.csv"
    with path.open(encoding="utf-8-sig") as fh:
        return sorted(tuple(r) for r in list(csv.reader(fh))[1:])  # type: ignore[misc]


def _customers(platform: Platform) -> list[dict]:
    rows = platform.store.query("SELECT * EXCLUDE (phone_enc, updated_at) FROM customers ORDER BY customer_id")
    return rows


def test_customers_from_parquet_are_checked_as_a_csv_of_the_same_cells_is(
    platform: Platform, tmp_path: Path, load: Callable[..., LoadRead], write_file: Callable[..., Path],
) -> None:
    pq.write_table(pa.table(CUSTOMERS), tmp_path / "c.parquet")
    header = list(CUSTOMERS)
    lines = [",".join(header)] + [",".join("" if CUSTOMERS[h][i] is None else str(CUSTOMERS[h][i]).lower()
                                           if isinstance(CUSTOMERS[h][i], bool) else str(CUSTOMERS[h][i])
                                           for h in header) for i in range(len(CUSTOMERS["customer_id"]))]
    csv_path = write_file("c.csv", lines)

    from_parquet = load("customers", tmp_path / "c.parquet", source="pq", reject_threshold=1.0)
    parquet_rejects, parquet_rows = _rejects(platform, from_parquet.id), _customers(platform)
    hashes = platform.store.query("SELECT customer_id, row_hash FROM customer_versions ORDER BY customer_id")
    again = load("customers", csv_path, source="csv", reject_threshold=1.0)  # the same cells: nothing changes

    assert parquet_rejects == _rejects(platform, again.id)
    assert ("2", "gender", "not one of M/F", "X") in parquet_rejects
    assert ("3", "name", "required", "") in parquet_rejects
    assert ("4", "risk_level", "not one of C1/C2/C3/C4/C5", "C6") in parquet_rejects
    assert ("6", "birth_date", "not a date (expected YYYY-MM-DD)", "not a day") in parquet_rejects
    assert any(r[:2] == ("5", "customer_id") for r in parquet_rejects)  # K1 repeated
    assert (from_parquet.rows_read, from_parquet.rows_loaded) == (6, 1)
    assert (again.rows_loaded, again.rows_unchanged) == (0, 1)  # the row hash agrees across both paths
    assert _customers(platform) == parquet_rows
    assert platform.store.query("SELECT customer_id, row_hash FROM customer_versions ORDER BY customer_id") == hashes
    k1 = parquet_rows[0]
    assert k1["phone_masked"] == "139****5678" and k1["birth_date"] == date(1990, 5, 17)
    assert k1["consent_sms"] is True


def test_a_rejected_phone_is_masked_in_the_reject_file(
    platform: Platform, tmp_path: Path, load: Callable[..., LoadRead],
) -> None:
    table = pa.table({"customer_id": ["K1", "K2"], "name": ["张三", "李四"], "org_code": ["GD-GZ-001"] * 2,
                      "phone": ["13912345678", "139" + "1234567890" * 30]})
    pq.write_table(table, tmp_path / "c.parquet")

    report = load("customers", tmp_path / "c.parquet", reject_threshold=0.5)

    (row,) = _rejects(platform, report.id)
    assert row[:3] == ("2", "phone", "longer than 128 characters")
    assert "1234567890123456789" not in row[3]  # never in clear
    assert row[3] == logic.masked(CUSTOMERS_SPEC.field("phone"), table["phone"][1].as_py())  # as the row checks mask


def test_typed_parquet_transactions_reject_missing_and_non_finite_cells(
    platform: Platform, tmp_path: Path, load: Callable[..., LoadRead], write_file: Callable[..., Path],
) -> None:
    load("customers", write_file("c.csv", ["customer_id,name,org_code", "K1,张三,GD-GZ-001"]))
    ts = datetime(2026, 3, 1, 9, 0)
    table = pa.table({
        "txn_id": ["T1", "T2", "T3", "T4", "T1", "T6"],
        "customer_id": ["K1", "K1", "K1", "K1", "K1", "K404"],
        "ts": pa.array([ts, ts, None, ts, ts, ts], pa.timestamp("us")),
        "txn_type": ["salary"] * 6, "direction": ["in"] * 6,
        "amount": pa.array([8500.0, math.nan, 10.0, -5.0, 1.0, 3.0], pa.float64()),
    })
    pq.write_table(table, tmp_path / "t.parquet")

    report = load("transactions", tmp_path / "t.parquet", reject_threshold=1.0)

    assert _rejects(platform, report.id) == [
        ("2", "amount", "not a number", "nan"), ("3", "ts", "required", ""),
        ("4", "amount", "negative (direction says in or out)", "'-5.0"),
        ("5", "txn_id", "duplicate key (first seen on row 1)", ""), ("6", "customer_id", "no such customer", "K404"),
    ]
    assert platform.store.query("SELECT txn_id, ts, amount FROM transactions") == [
        {"txn_id": "T1", "ts": ts, "amount": 8500.0}]
    assert report.events_emitted == 1


def test_parquet_transactions_reloaded_change_nothing_and_a_corrected_one_keeps_its_event(
    platform: Platform, tmp_path: Path, load: Callable[..., LoadRead], write_file: Callable[..., Path],
) -> None:
    load("customers", write_file("c.csv", ["customer_id,name,org_code", "K1,张三,GD-GZ-001"]))
    ts = datetime(2026, 3, 1, 9, 0)

    def write(name: str, amounts: list[float]) -> Path:
        pq.write_table(pa.table({"txn_id": ["T1", "T2", "T3"], "customer_id": ["K1"] * 3,
                                 "ts": pa.array([ts] * 3, pa.timestamp("us")), "txn_type": ["salary"] * 3,
                                 "direction": ["in"] * 3, "amount": pa.array(amounts, pa.float64())}), tmp_path / name)
        return tmp_path / name

    first = load("transactions", write("t.parquet", [1.0, 2.0, 3.0]))
    again = load("transactions", tmp_path / "t.parquet")
    fixed = load("transactions", write("t2.parquet", [1.0, 2.5, 3.0]))

    assert (first.rows_loaded, first.events_emitted) == (3, 3)
    assert (again.rows_loaded, again.rows_unchanged, again.events_emitted) == (0, 3, 0)
    assert (fixed.rows_loaded, fixed.rows_unchanged, fixed.events_emitted) == (1, 2, 0)
    assert platform.store.query("SELECT txn_id, amount FROM transactions ORDER BY txn_id") == [
        {"txn_id": "T1", "amount": 1.0}, {"txn_id": "T2", "amount": 2.5}, {"txn_id": "T3", "amount": 3.0}]
    assert platform.store.scalar("SELECT count(*) FROM events WHERE message_id LIKE 'txn:%'") == 3
    # Nothing of the stages is left behind in the store.
    assert platform.store.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'integration_stage%'") \
        == 0
    assert platform.store.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'integration_stage%'") == 0


def test_a_full_parquet_load_closes_what_the_file_no_longer_has(
    platform: Platform, tmp_path: Path, load: Callable[..., LoadRead],
) -> None:
    def write(name: str, ids: list[str]) -> Path:
        pq.write_table(pa.table({"product_id": ids, "name": ids, "product_type": ["活期"] * len(ids)}), tmp_path / name)
        return tmp_path / name

    load("products", write("p1.parquet", ["PA", "PB", "PC"]), mode="full")
    second = load("products", write("p2.parquet", ["PA", "PC", "PA"]), mode="full", reject_threshold=1.0)

    assert (second.rows_loaded, second.rows_unchanged, second.rows_closed, second.rows_rejected) == (0, 2, 1, 1)
    assert _rejects(platform, second.id) == [("3", "product_id", "duplicate key (first seen on row 1)", "")]
    assert platform.store.query("SELECT business_key FROM integration_closures WHERE load_id = ?", [second.id]) \
        == [{"business_key": "PB"}]
    assert [r["product_id"] for r in platform.store.query("SELECT product_id FROM products ORDER BY 1")] == ["PA", "PC"]

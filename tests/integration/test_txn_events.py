"""Transactions become behaviour events: mapped once per transaction id, counted by the event analyses."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from integration_files import CUSTOMER_HEADER, customer_line

from mofang.integration import repository, service
from mofang.integration.contracts import Mapping
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov

TXNS = ("txn_id,customer_id,ts,txn_type,direction,amount,category,channel\n"
        "T1,K1,2026-03-02 01:00:00,salary,in,8500,工资,batch\n"
        "T2,K2,2026-03-02 02:00:00,salary,in,12000,工资,batch\n"
        "T3,K1,2026-03-03 04:00:00,card_spend,out,48,餐饮,pos\n").encode()


def _upload(client: TestClient, headers: dict[str, str], entity: str, name: str, body: bytes, **form: str) -> dict:
    res = client.post("/api/data/loads", headers=headers, data={"entity": entity, **form},
                      files={"file": (name, body)})
    assert res.status_code == 201, res.text
    return res.json()


def _trends(client: TestClient, headers: dict[str, str], *series: dict) -> list[dict]:
    res = client.post("/api/analytics/trends", headers=headers, json={
        "date_from": "2026-03-01", "date_to": "2026-03-05", "series": list(series)})
    assert res.status_code == 200, res.text
    return res.json()["lines"]


def _customers(client: TestClient, headers: dict[str, str]) -> None:
    _upload(client, headers, "customers", "c.csv", (
        "\n".join([CUSTOMER_HEADER, customer_line("K1", "张三"), customer_line("K2", "李四")]) + "\n").encode())


def test_loading_transactions_twice_stores_each_event_once(app_client: TestClient, admin_headers: dict[str, str],
                                                           platform: Platform) -> None:
    _customers(app_client, admin_headers)
    first = _upload(app_client, admin_headers, "transactions", "t.csv", TXNS)
    again = _upload(app_client, admin_headers, "transactions", "t.csv", TXNS)
    assert (first["rows_loaded"], again["rows_unchanged"]) == (3, 3)
    rows = platform.store.query("SELECT message_id, event, customer_id, channel, properties FROM events "
                                "ORDER BY message_id")
    assert [(r["message_id"], r["event"], r["customer_id"]) for r in rows] == [
        ("txn:T1", "salary_credit", "K1"), ("txn:T2", "salary_credit", "K2"), ("txn:T3", "card_spend", "K1")]
    props = orjson.loads(rows[0]["properties"])
    assert props == {"amount": 8500.0, "currency": "CNY", "channel": "batch", "category": "工资",
                     "txn_type": "salary", "direction": "in", "txn_id": "T1"}
    salary, uniques, amount = _trends(app_client, admin_headers, {"event": "salary_credit"},
                                      {"event": "salary_credit", "measure": "uniques"},
                                      {"event": "salary_credit", "measure": "sum", "property": "amount"})
    assert (salary["total"], uniques["total"], amount["total"]) == (2, 2, 20500)
    # 01:00 and 02:00 UTC on 2 March are the morning of 2 March in Shanghai.
    assert salary["values"][:3] == [0, 2, 0]


def test_a_later_file_adds_only_its_new_transactions(app_client: TestClient, admin_headers: dict[str, str],
                                                     platform: Platform) -> None:
    _customers(app_client, admin_headers)
    _upload(app_client, admin_headers, "transactions", "t.csv", TXNS)
    more = TXNS + b"T4,K2,2026-03-04 03:00:00,salary,in,100,\xe5\xa5\x96\xe9\x87\x91,batch\n"
    _upload(app_client, admin_headers, "transactions", "t2.csv", more)
    (line,) = _trends(app_client, admin_headers, {"event": "salary_credit"})
    assert line["total"] == 3


def test_a_transaction_event_is_stored_once_whether_the_api_or_the_load_comes_first(
    app_client: TestClient, admin_headers: dict[str, str], platform: Platform,
) -> None:
    _customers(app_client, admin_headers)
    _upload(app_client, admin_headers, "transactions", "t.csv", TXNS)
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
    api = {"type": "track", "userId": "K1", "event": "from_api", "timestamp": "2026-03-04T00:00:00Z"}
    res = app_client.post("/v1/batch", json={"writeKey": key, "batch": [
        {**api, "messageId": "txn:T1"},    # the loaded transaction's event: a duplicate (no ingest_dedupe row)
        {**api, "messageId": "txn:T7"}]})  # not loaded yet: stored, and the load below stores no second one
    assert res.status_code == 200, res.text
    assert platform.extras["ingestor"].flush(timeout=10)
    later = _upload(app_client, admin_headers, "transactions", "t2.csv",
                    TXNS + b"T7,K1,2026-03-04 03:00:00,card_spend,out,20,\xe9\xa4\x90\xe9\xa5\xae,pos\n")
    assert (later["rows_loaded"], later["events_emitted"]) == (1, 0)
    rows = platform.store.query("SELECT message_id, event FROM events ORDER BY message_id")
    assert rows == [{"message_id": "txn:T1", "event": "salary_credit"},
                    {"message_id": "txn:T2", "event": "salary_credit"},
                    {"message_id": "txn:T3", "event": "card_spend"}, {"message_id": "txn:T7", "event": "from_api"}]
    # Loaded transactions' events take no room in ingestion's dedupe table (nor in the ingestor's memory).
    assert platform.store.scalar("SELECT count(*) FROM ingest_dedupe WHERE message_id IN ('txn:T1', 'txn:T2')") == 0


def test_a_load_failing_after_its_events_leaves_neither_events_nor_rows(
    app_client: TestClient, admin_headers: dict[str, str], platform: Platform, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Events and rows are written in one DuckDB transaction: a crash between them leaves no event without its row,
    # and the load run again stores each event once.
    _customers(app_client, admin_headers)
    path = tmp_path / "t.csv"
    path.write_bytes(TXNS)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(repository, "merge", crash)
    with pytest.raises(RuntimeError):
        service.load_file(platform=platform, entity="transactions", path=path, file_name="t.csv")
    monkeypatch.undo()
    assert platform.store.scalar("SELECT count(*) FROM events") == 0
    assert platform.store.scalar("SELECT count(*) FROM transactions") == 0
    report = service.load_file(platform=platform, entity="transactions", path=path, file_name="t.csv")
    assert (report.rows_loaded, report.events_emitted) == (3, 3)
    again = service.load_file(platform=platform, entity="transactions", path=path, file_name="t.csv")
    assert (again.rows_unchanged, again.events_emitted) == (3, 0)
    assert platform.store.scalar("SELECT count(DISTINCT message_id) || '/' || count(*) FROM events") == "3/3"


def test_a_source_mapping_chooses_the_events(app_client: TestClient, admin_headers: dict[str, str],
                                             platform: Platform) -> None:
    _customers(app_client, admin_headers)
    mapping = {"events": [{"event": "big_spend", "direction": "out"}]}
    _upload(app_client, admin_headers, "transactions", "t.csv", TXNS, source="core-ledger",
            mapping=orjson.dumps(mapping).decode())
    assert platform.store.query("SELECT message_id, event FROM events") == [
        {"message_id": "txn:T3", "event": "big_spend"}]
    res = app_client.post("/api/data/loads", headers=admin_headers,
                          data={"entity": "transactions", "mapping": orjson.dumps(
                              {"events": [{"event": "Bad Name"}]}).decode()},
                          files={"file": ("t.csv", TXNS)})
    assert (res.status_code, res.json()["field"]) == (400, "mapping"), res.text
    nul = '{"events": [{"event": "e", "category": "a\\u0000"}]}'  # a NUL never reaches SQL text
    res = app_client.post("/api/data/loads", headers=admin_headers, data={"entity": "transactions", "mapping": nul},
                          files={"file": ("t.csv", TXNS)})
    assert (res.status_code, res.json()["field"]) == (400, "mapping"), res.text


def test_a_file_without_the_optional_columns_still_emits(app_client: TestClient, admin_headers: dict[str, str],
                                                        platform: Platform) -> None:
    _customers(app_client, admin_headers)
    _upload(app_client, admin_headers, "transactions", "t.csv",
            "流水号,客户号,交易时间,交易类型,方向,金额\nT9,K1,2026-03-02 01:00:00,salary,in,8500\n".encode())
    (row,) = platform.store.query("SELECT event, properties FROM events")
    assert row["event"] == "salary_credit"
    assert orjson.loads(row["properties"]) == {"amount": 8500.0, "currency": "CNY", "channel": None,
                                                    "category": None, "txn_type": "salary", "direction": "in",
                                                    "txn_id": "T9"}


def test_events_are_stored_a_chunk_at_a_time(platform: Platform) -> None:
    # A large file's events reach ingestion in chunks; every one is stored once whatever the chunk size.
    from mofang.integration import events as txn_events

    with platform.store.write() as cur:
        cur.execute("""CREATE TABLE integration_stage_t AS SELECT range AS _row, 'X' || range AS txn_id,
                       'K1' AS customer_id, TIMESTAMP '2026-03-02 01:00:00' + INTERVAL (range) MINUTE AS ts,
                       'salary' AS txn_type, 'in' AS direction, 100.0 AS amount FROM range(1, 11)""")
        stored = txn_events.emit(cur, stage="integration_stage_t", columns=["txn_id", "customer_id", "ts",
                                 "txn_type", "direction", "amount"], rules=txn_events.rules_of(Mapping()),
                                 received_us=0, chunk_rows=3)
        cur.execute("DROP TABLE integration_stage_t")
    assert stored == 10
    assert platform.store.scalar("SELECT count(DISTINCT message_id) FROM events WHERE event = 'salary_credit'") == 10

"""`mofang import events`: JSONL, CSV and Parquet through the same validator, dedupe and identity path."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mofang.cli import app as cli_app
from mofang.platform.context import Platform
from mofang.tracking.importer import import_file

ROWS: list[dict[str, Any]] = [
    {"type": "track", "event": "App Opened", "anonymousId": "dev-1", "messageId": "h1",
     "timestamp": "2025-06-01T09:00:00+08:00", "properties": {"version": "5.0"}},
    {"type": "track", "event": "Deposit", "userId": "C1", "messageId": "h2",
     "timestamp": "2025-06-01T10:00:00+08:00", "properties": {"amount": 1000}},
    {"type": "track", "userId": "C1", "messageId": "bad", "timestamp": "2025-06-01T10:00:00+08:00"},
    {"type": "identify", "userId": "C1", "anonymousId": "dev-1", "messageId": "h3",
     "timestamp": "2025-06-02T00:00:00Z"},
    {"type": "track", "event": "Deposit", "userId": "C1", "messageId": "h2",
     "timestamp": "2025-06-01T10:00:00+08:00", "properties": {"amount": 1000}},  # same messageId again
]


def write_jsonl(path: Path) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in ROWS) + b"\n")
    return path


def write_csv(path: Path) -> Path:
    cols = ["type", "event", "userId", "anonymousId", "messageId", "timestamp", "properties", "context"]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in ROWS:
            w.writerow({c: orjson.dumps(r[c]).decode() if c == "properties" and c in r else r.get(c, "")
                        for c in cols})
    return path


def write_parquet(path: Path) -> Path:
    def ts(v: str) -> datetime:
        return datetime.fromisoformat(v)

    table = pa.table({
        "type": [r["type"] for r in ROWS],
        "event": [r.get("event") for r in ROWS],
        "user_id": [r.get("userId") for r in ROWS],  # snake_case, as warehouses export
        "anonymous_id": [r.get("anonymousId") for r in ROWS],
        "message_id": [r["messageId"] for r in ROWS],
        "timestamp": pa.array([ts(r["timestamp"]) for r in ROWS], pa.timestamp("us", tz="UTC")),
        "properties": [orjson.dumps(r["properties"]).decode() if "properties" in r else None for r in ROWS],
    })
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("writer", [write_jsonl, write_csv, write_parquet], ids=["jsonl", "csv", "parquet"])
def test_import_reports_rejects_and_stores_the_rest_once(
    platform: Platform, tmp_path: Path, writer: Any
) -> None:
    suffix = {"write_jsonl": "jsonl", "write_csv": "csv", "write_parquet": "parquet"}[writer.__name__]
    path = writer(tmp_path / f"events.{suffix}")
    report = import_file(platform=platform, path=path)
    assert (report.accepted, report.duplicates, report.rejected) == (3, 1, 1)
    (rej,) = report.rejections
    assert rej.index == 3 and rej.message_id == "bad" and "'event' is required" in rej.reason
    assert "row 3: 'event' is required for track" in report.summary()
    rows = {r["message_id"]: r for r in platform.store.query("SELECT * FROM events")}
    assert set(rows) == {"h1", "h2", "h3"}
    assert rows["h1"]["ts"] == datetime(2025, 6, 1, 1, 0)  # historical time, in UTC
    assert rows["h1"]["customer_id"] == "C1"  # the identify in the file attributed the earlier event
    assert orjson.loads(rows["h2"]["properties"]) == {"amount": 1000}
    again = import_file(platform=platform, path=path)
    assert (again.accepted, again.duplicates) == (0, 4)


def test_unparseable_rows_are_reported_by_number(platform: Platform, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"type":"track","event":"a","userId":"u","messageId":"x1"}\n{oops\n[1]\n')
    report = import_file(platform=platform, path=path)
    assert report.accepted == 1
    assert [(r.index, r.reason.split(":")[0]) for r in report.rejections] == [
        (2, "malformed JSON"), (3, "row is not a JSON object"),
    ]
    bad_csv = tmp_path / "events.csv"
    bad_csv.write_text('type,event,userId,properties\ntrack,a,u,"{not json"\ntrack,b,u,,extra\n')
    report = import_file(platform=platform, path=bad_csv)
    assert [r.index for r in report.rejections] == [1, 2]
    assert "'properties' is not valid JSON" in report.rejections[0].reason


def test_cli_imports_and_prints_the_summary(settings: Any, platform: Platform, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "events.jsonl")
    platform.close()  # the command opens the data dir itself (DuckDB admits one writer process)
    result = CliRunner().invoke(cli_app, ["import", "events", str(path), "--data-dir",
                                          str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "3 accepted, 1 duplicates skipped, 1 rejected" in result.output
    assert "row 3:" in result.output

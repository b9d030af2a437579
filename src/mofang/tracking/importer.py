"""Bulk import of historical events from Parquet, CSV or JSONL, through the API's validator and insert path.

Rows are validated one by one (rejects are reported with their row number: the N-th record of
the file, header excluded) and stored in chunks, each chunk one transaction: all of it or none.
No WAL is involved: the importer runs offline and a chunk is durable once its transaction commits.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from mofang.platform.context import Platform
from mofang.tracking import logic, repository
from mofang.tracking.contracts import ImportReport, Record
from mofang.tracking.pii import guard_of

CHUNK_ROWS = 50_000
_JSON_COLUMNS = ("properties", "context", "traits")
# Snake-case column names are common in exports from warehouses; Segment's own are camelCase.
_ALIASES = {
    "user_id": "userId", "anonymous_id": "anonymousId", "message_id": "messageId",
    "original_timestamp": "originalTimestamp", "previous_id": "previousId", "group_id": "groupId",
    "sent_at": "sentAt",
}

Row = tuple[int, dict[str, Any] | str]  # row number, and the message or why it is unreadable


def _clean(raw: dict[str, Any], *, text_cells: bool) -> dict[str, Any] | str:
    """A file row as a Segment message: aliases renamed, empty cells dropped, JSON columns parsed."""
    msg: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None or value is None or (text_cells and value == ""):
            continue
        name = _ALIASES.get(key, key)
        if name in _JSON_COLUMNS and isinstance(value, str | bytes):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                return f"'{name}' is not valid JSON: {exc}"
        msg[name] = value
    return msg


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("rb") as fh:
        n = 0
        for line in fh:
            if not line.strip():
                continue
            n += 1
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield n, f"malformed JSON: {exc}"
                continue
            yield n, _clean(doc, text_cells=False) if isinstance(doc, dict) else "row is not a JSON object"


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for n, raw in enumerate(reader, start=1):
            if None in raw:
                yield n, f"row has {len(raw) - 1 + len(raw[None])} cells, the header names {len(raw) - 1}"
                continue
            yield n, _clean(raw, text_cells=True)


def _parquet_rows(path: Path) -> Iterator[Row]:
    import pyarrow.parquet as pq

    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
        for raw in batch.to_pylist():
            n += 1
            yield n, _clean(raw, text_cells=False)


def rows_of(path: Path) -> Iterator[Row]:
    """The rows of a Parquet, CSV or JSONL file, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _parquet_rows(path)
    if suffix in (".csv", ".tsv"):
        return _csv_rows(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _jsonl_rows(path)
    raise ValueError(f"cannot import '{path.name}': use a .parquet, .csv or .jsonl file")


def import_file(*, platform: Platform, path: Path, chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Validate and store a file of events; dedupe by messageId as the API does."""
    report = ImportReport(path=str(path))
    max_bytes = platform.settings.max_event_bytes
    received = logic.now_us()
    guard = guard_of(platform)
    chunk: list[Record] = []
    try:
        rows = rows_of(path)
        for n, msg in rows:
            if isinstance(msg, str):
                report.reject(n, None, msg)
                continue
            size = logic.event_size(msg)
            if size > max_bytes:
                report.reject(n, logic.message_id_of(msg),
                              f"event is {size} bytes, more than the {logic.kb(max_bytes)} limit")
                continue
            out = logic.normalise(msg, received_us=received)
            if isinstance(out, str):
                report.reject(n, logic.message_id_of(msg), out)
                continue
            chunk.append(guard.protect(out))
            if len(chunk) >= chunk_rows:
                _store(platform, chunk, report)
                chunk = []
        _store(platform, chunk, report)
    except (ValueError, UnicodeDecodeError, csv.Error, OSError) as exc:
        # The file itself is unreadable from here on; what was stored before stays (whole chunks).
        _store(platform, chunk, report)
        report.reject(0, None, f"file cannot be read further: {exc}")
    return report


def _store(platform: Platform, records: list[Record], report: ImportReport) -> None:
    """One chunk in one transaction."""
    if not records:
        return
    batch = repository.records_table(records)
    with platform.store.write() as cur:
        stored = repository.insert(cur, batch).count
    report.accepted += stored
    report.duplicates += len(records) - stored
    records.clear()

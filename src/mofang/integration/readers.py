"""Streaming readers: a file (CSV, Parquet, JSONL) as batches of numbered rows, never all of it in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mofang.integration.logic import sniff_delimiter, sniff_encoding
from mofang.platform.errors import Invalid

BATCH_ROWS = 50_000
Rows = list[tuple[int, dict[str, Any]]]  # (row number, header -> cell); row 1 is the first data row


@dataclass
class FileRows:
    """An opened file: its headers, detected format, and its rows in batches; unreadable rows are counted apart."""

    path: Path
    format: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (row number or 0, reason)

    def batches(self) -> Iterator[Rows]:
        """The rows in batches of at most BATCH_ROWS."""
        match self.format:
            case "csv":
                yield from self._csv()
            case "parquet":
                yield from self._parquet()
            case _:
                yield from self._jsonl()

    def arrow_batches(self, fields: dict[str, str]) -> Iterator[pa.Table]:
        """CSV or Parquet batches as text columns named by field (header → field), with the row number `_row`."""
        for batch, numbers in self._csv_arrow() if self.format == "csv" else self._parquet_arrow():
            cols = {"_row": pa.array(numbers, pa.int64())}
            for header, key in fields.items():
                column = batch.column(header)
                cols[key] = column if column.type == pa.string() else pc.cast(column, pa.string())
            yield pa.table(cols)

    def column_types(self) -> dict[str, str]:
        """A Parquet file's columns and their Arrow type names."""
        return {f.name: str(f.type) for f in pq.ParquetFile(self.path).schema_arrow}

    def row_count(self) -> int:
        """A Parquet file's rows (from its footer)."""
        return pq.ParquetFile(self.path).metadata.num_rows

    def _csv_arrow(self) -> Iterator[tuple[pa.RecordBatch, list[int]]]:
        skipped: set[int] = set()
        n = 1
        for batch in self._csv_reader(skipped):
            numbers = []
            for _ in range(batch.num_rows):
                while n in skipped:
                    n += 1
                numbers.append(n)
                n += 1
            yield batch, numbers

    def _parquet_arrow(self) -> Iterator[tuple[pa.RecordBatch, list[int]]]:
        n = 1
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=BATCH_ROWS * 4):
            yield batch, list(range(n, n + batch.num_rows))
            n += batch.num_rows

    def _csv_reader(self, skipped: set[int]) -> Any:
        def bad_row(row: Any) -> str:
            # The parser numbers rows from the header (1); ours from the first data row. The text is not kept:
            # it may carry PII in clear.
            n = (row.number or 1) - 1
            skipped.add(n)
            self.unreadable.append((n, f"row has {row.actual_columns} cells, the header names {row.expected_columns}"))
            return "skip"

        return pacsv.open_csv(
            self.path,
            # One parsing thread: only then does the parser know the number of a row it cannot read.
            read_options=pacsv.ReadOptions(encoding=self.encoding or "utf-8", block_size=8 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=self.delimiter or ",", invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in self.headers},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    def _csv(self) -> Iterator[Rows]:
        skipped: set[int] = set()
        reader = self._csv_reader(skipped)
        n = 1
        for batch in reader:
            numbered = []
            for r in batch.to_pylist():
                while n in skipped:  # the rows skipped so far keep their numbers
                    n += 1
                numbered.append((n, r))
                n += 1
            yield numbered

    def _parquet(self) -> Iterator[Rows]:
        n = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=BATCH_ROWS):
            rows = batch.to_pylist()
            yield [(n + i + 1, r) for i, r in enumerate(rows)]
            n += len(rows)

    def _jsonl(self) -> Iterator[Rows]:
        out: Rows = []
        with self.path.open("rb") as fh:
            n = 0
            for line in fh:
                if not line.strip():
                    continue
                n += 1
                try:
                    doc = orjson.loads(line)
                except orjson.JSONDecodeError:
                    self.unreadable.append((n, "malformed JSON"))
                    continue
                if not isinstance(doc, dict):
                    self.unreadable.append((n, "row is not a JSON object"))
                    continue
                out.append((n, doc))
                if len(out) >= BATCH_ROWS:
                    yield out
                    out = []
        if out:
            yield out


def open_file(path: Path, file_name: str) -> FileRows:
    """Detect the format (by name, then content), encoding and delimiter; read the headers."""
    name = file_name.lower()
    if name.endswith(".parquet"):
        try:
            schema = pq.ParquetFile(path).schema_arrow
        except (pa.ArrowInvalid, OSError):
            raise Invalid("the file is not a readable Parquet file", field="file",
                          code="integration.unreadable_file") from None
        return FileRows(path=path, format="parquet", headers=list(schema.names))
    if name.endswith((".jsonl", ".ndjson", ".json")):
        with path.open("rb") as fh:
            first = next((line for line in fh if line.strip()), b"{}")
        try:
            doc = orjson.loads(first)
        except orjson.JSONDecodeError:
            raise Invalid("the first line is not JSON", field="file", code="integration.unreadable_file") from None
        return FileRows(path=path, format="jsonl", headers=list(doc) if isinstance(doc, dict) else [])
    with path.open("rb") as fh:
        sample = fh.read(1 << 16)
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    header_line = text.splitlines()[0] if text else ""
    delimiter = sniff_delimiter(header_line)
    # As the CSV parser will name them (quotes removed, spaces kept), so the string types below apply.
    headers = [h[1:-1] if len(h) > 1 and h[0] == h[-1] == '"' else h for h in header_line.rstrip("\r").split(delimiter)]
    if encoding == "utf-8" and sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"  # so the BOM does not become part of the first header
    return FileRows(path=path, format="csv", headers=headers, encoding=encoding, delimiter=delimiter)

"""CSV text for downloads: the one writer every export uses (BOM for Excel, formula-safe cells)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Literal

# Excel only reads a CSV as UTF-8 (so Chinese shows correctly) when the file starts with a byte order mark.
BOM = "\ufeff"
# The language of an export's header and coded values (性别 男/女 or M/F); the console sends its own.
Lang = Literal["zh", "en"]
MEDIA_TYPE = "text/csv; charset=utf-8"
# A text cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell as written: text that a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(lines: Iterable[Sequence[Any]]) -> str:
    """CSV text of some lines (None becomes an empty cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows([safe_cell(v) for v in line] for line in lines)
    return buf.getvalue()


def attachment(filename: str) -> dict[str, str]:
    """The response header that makes a browser save the body under `filename`."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}

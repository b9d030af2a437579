"""Pure rules of a load: sniffing a file, mapping headers, typing and checking each row, masking rejects."""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from mofang.integration.contracts import ATTR_PREFIX, AttributeRead, EntitySpec, FieldSpec, Mapping
from mofang.platform.governance.logic import mask_email, mask_id_number, mask_name, mask_phone

DELIMITERS = (",", "|", "\t")
_TRUE = {"true", "1", "y", "yes", "t", "是", "同意", "已授权"}
_FALSE = {"false", "0", "n", "no", "f", "否", "不同意", "未授权"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
_TS_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d")
_MASKS: dict[str, Callable[[str | None], str | None]] = {
    "phone": mask_phone, "id_number": mask_id_number, "email": mask_email, "name": mask_name,
}


# Balances of these product types are owed by the customer (not AUM) when the file does not say.
LIABILITY_TYPES = frozenset({"消费贷", "经营贷", "房贷", "信用卡"})
# Fields the product cannot read as empty: filled from other fields when the file has no column for them.
DERIVED = {"products": ("is_liability",)}


@dataclass(frozen=True)
class Reject:
    """Why one row (or one of its fields) was refused; the value is already masked when it is PII."""

    row: int
    field: str
    reason: str
    value: str


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 when the sample decodes as UTF-8 (a multi-byte character cut at the end is tolerated), else GB18030."""
    for cut in range(4):
        try:
            sample[: len(sample) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:
                break
    return "gb18030"  # a superset of GBK and GB2312, which Chinese bank exports use


def sniff_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most (comma when none appears)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _norm(text: str) -> str:
    return text.strip().lstrip("\ufeff").lower().replace(" ", "_")


def resolve_columns(headers: Iterable[str], spec: EntitySpec, mapping: Mapping) -> tuple[dict[str, str], list[str]]:
    """File header → field key (mapping first, then key, Chinese name, aliases); and the required fields missing."""
    known: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.key, f.zh, *f.aliases):
            known.setdefault(_norm(name), f.key)
    explicit = {_norm(h): k for h, k in mapping.columns.items() if k in spec.keys}
    ignored = {_norm(h) for h, k in mapping.columns.items() if k == ""}  # mapped to nothing: not loaded
    out: dict[str, str] = {}
    for header in headers:
        if _norm(header) in ignored:
            continue
        key = explicit.get(_norm(header)) or known.get(_norm(header))
        if key and key not in out.values():
            out[header] = key
    missing = [f.key for f in spec.fields if f.required and f.key not in out.values()]
    return out, missing


def unknown_mapping_fields(spec: EntitySpec, mapping: Mapping) -> list[str]:
    """Fields a mapping names that the entity does not declare."""
    named = (set(mapping.columns.values()) - {""}) | set(mapping.values)
    return sorted(named - set(spec.keys))


def _parse_date(text: str, fmt: str | None) -> date:
    for f in ((fmt,) if fmt else _DATE_FORMATS):
        try:
            return datetime.strptime(text, f).date()
        except ValueError:
            continue
    raise ValueError("not a date (expected YYYY-MM-DD)")


def _parse_ts(text: str) -> datetime:
    for f in _TS_FORMATS:
        try:
            return datetime.strptime(text, f)
        except ValueError:
            continue
    raise ValueError("not a time (expected YYYY-MM-DD HH:MM:SS)")


def coerce(f: FieldSpec, raw: Any, mapping: Mapping) -> Any:
    """One cell as the field's type (None when empty); ValueError says why it cannot be."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if f.required:
            raise ValueError("required")
        return None
    if isinstance(raw, datetime | date) and f.type in ("date", "timestamp"):
        return raw.date() if f.type == "date" and isinstance(raw, datetime) else raw
    # Typed cells (Parquet, JSONL) need no parsing.
    if f.type == "number" and isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return float(raw)
    if (f.type == "integer" and isinstance(raw, int) and not isinstance(raw, bool)) or (
            f.type == "boolean" and isinstance(raw, bool)):
        return raw
    text = str(raw).strip()
    if mapping.values:
        text = mapping.values.get(f.key, {}).get(text, text)
    match f.type:
        case "string":
            if len(text) > f.max_length:
                raise ValueError(f"longer than {f.max_length} characters")
            if f.choices and text not in f.choices:
                raise ValueError(f"not one of {'/'.join(f.choices)}")
            return text
        case "number":
            try:
                value = float(text.replace(",", ""))
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(value):
                raise ValueError("not a number")
            return value
        case "integer":
            try:
                return int(text)
            except ValueError:
                raise ValueError("not a whole number") from None
        case "boolean":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError("not true/false")
        case "date":
            return _parse_date(text, mapping.date_format)
        case "timestamp":
            return _parse_ts(text)


def masked(f: FieldSpec, value: Any) -> str:
    """A value as it may appear in a reject file or a message: PII masked, long text cut."""
    text = "" if value is None else str(value)
    if f.pii or f.key == "name":
        mask = _MASKS.get(f.key)
        return (mask(text) if mask else "*" * len(text)) or ""
    return text[:64]


def check_row(
    spec: EntitySpec, n: int, raw: dict[str, Any], mapping: Mapping,
) -> tuple[dict[str, Any] | None, list[Reject]]:
    """A file row (field key → cell) typed and checked: the clean row, or None and every reason it was refused."""
    row: dict[str, Any] = {}
    rejects: list[Reject] = []
    for key, cell in raw.items():
        f = spec.field(key)
        try:
            row[key] = coerce(f, cell, mapping)
        except ValueError as exc:
            rejects.append(Reject(row=n, field=key, reason=str(exc), value=masked(f, cell)))
    if spec.name == "products" and not rejects and row.get("is_liability") is None:
        row["is_liability"] = row["product_type"] in LIABILITY_TYPES
    if spec.name == "transactions" and not rejects and row["amount"] < 0:
        rejects.append(Reject(row=n, field="amount", reason="negative (direction says in or out)",
                              value=masked(spec.field("amount"), row["amount"])))
    return (None, rejects) if rejects else (row, [])


def over_threshold(*, rejected: int, read: int, threshold: float) -> bool:
    """Whether rejects exceed the share of rows that fails the whole load."""
    return read > 0 and rejected / read > threshold


def lock_is_stale(holder: str | None, *, host: str, me: str, alive: Callable[[int], bool]) -> bool:
    """Whether a lock was left by a process of this host that is gone (a crash): then it no longer protects a load.

    `holder` and `me` are "host:pid:nonce"; a lock of another host is never judged from here.
    """
    if not holder or holder == me:
        return False
    parts = holder.split(":")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    # Same pid with another nonce: the pid was reused after the holder stopped.
    return pid == int(me.split(":")[1]) or not alive(pid)


ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def with_attributes(spec: EntitySpec, attrs: Iterable[AttributeRead]) -> EntitySpec:
    """The customers entity plus the bank's declared attributes (field attr:<key>, header its key or Chinese name)."""
    extra = tuple(FieldSpec(key=ATTR_PREFIX + a.key, type=a.type, zh=a.zh, meaning="declared attribute",
                            example="", pii=a.pii, aliases=(a.key,), max_length=512) for a in attrs)
    return replace(spec, fields=spec.fields + extra) if extra else spec


def attribute_text(value: Any) -> str | None:
    """A typed attribute value as stored: ISO dates, plain numbers, true/false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_hashes(key: bytes, values: dict[str, list[Any]], fields: Sequence[str]) -> list[str]:
    """A keyed digest of each row of a batch held as columns: equal rows hash equal, PII cannot be guessed back."""
    # Keys are part of the text: a file with other columns never hashes equal by accident. The text (and so the
    # digest) is the one stored versions were hashed with: `key=value` per field, joined by the unit separator.
    parts = [[f"{k}={'' if v is None else v}" for v in values[k]] for k in fields]
    return [hmac.digest(key, "\x1f".join(cells).encode(), "sha256").hex()[:32] for cells in zip(*parts, strict=True)]


PII_COLUMNS = {"phone": ("phone_enc", "phone_masked", "phone_last4"), "id_number": ("id_enc", "id_masked"),
               "email": ("email_enc", "email_masked")}


def customer_columns(fields: Iterable[str]) -> list[str]:
    """The customers table's columns a load of these fields writes: PII as ciphertext plus masked copies."""
    return [c for f in fields for c in PII_COLUMNS.get(f, (f,))]


def customer_pii_columns(values: dict[str, list[Any]],
                         encrypt_many: Callable[[Sequence[str | None]], list[str | None]]) -> dict[str, list[Any]]:
    """A batch's PII columns (field → checked values) as stored: each encrypted in one call, masked copies beside."""
    out: dict[str, list[Any]] = {}
    if "phone" in values:
        phones = values["phone"]
        out |= {"phone_enc": encrypt_many(phones), "phone_masked": [mask_phone(v) for v in phones],
                "phone_last4": [v[-4:] if v else None for v in phones]}
    if "id_number" in values:
        ids = values["id_number"]
        out |= {"id_enc": encrypt_many(ids), "id_masked": [mask_id_number(v) for v in ids]}
    if "email" in values:
        emails = values["email"]
        out |= {"email_enc": encrypt_many(emails), "email_masked": [mask_email(v) for v in emails]}
    return out


# ---- the same checks as SQL over a staged text table (facts and dimensions without PII, at file scale) ---------

def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_NATIVE_SQL = {"number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN", "date": "DATE",
               "timestamp": "TIMESTAMP"}


def typed_sql(f: FieldSpec, date_format: str | None, *, native: bool = False) -> str:
    """SQL turning the staged text of a field into its type (NULL when empty or unreadable).

    `native`: the file's column already has the field's type (a typed Parquet column): only a cast.
    """
    if native:
        return f"CAST({_ident(f.key)} AS {_NATIVE_SQL[f.type]})"
    e = f"nullif(trim({_ident(f.key)}), '')"
    match f.type:
        case "string":
            return e
        case "number":
            return f"TRY_CAST(replace({e}, ',', '') AS DOUBLE)"
        case "integer":
            return f"TRY_CAST({e} AS BIGINT)"
        case "boolean":
            true, false = ", ".join(_lit(v) for v in sorted(_TRUE)), ", ".join(_lit(v) for v in sorted(_FALSE))
            return f"CASE WHEN lower({e}) IN ({true}) THEN true WHEN lower({e}) IN ({false}) THEN false END"
        case "date":
            if date_format:
                return f"CAST(try_strptime({e}, {_lit(date_format)}) AS DATE)"
            # The ISO cast first: it is cheap and most files use it; strptime only for the other formats.
            tries = ", ".join(f"CAST(try_strptime({e}, {_lit(fmt)}) AS DATE)" for fmt in _DATE_FORMATS[1:])
            return f"coalesce(TRY_CAST({e} AS DATE), {tries})"
        case "timestamp":
            tries = ", ".join(f"try_strptime({e}, {_lit(fmt)})" for fmt in _TS_FORMATS[2:4])
            return f"coalesce(TRY_CAST({e} AS TIMESTAMP), {tries})"


_TYPE_REASONS = {"number": "not a number", "integer": "not a whole number", "boolean": "not true/false",
                 "date": "not a date (expected YYYY-MM-DD)", "timestamp": "not a time (expected YYYY-MM-DD HH:MM:SS)"}


def check_sql(f: FieldSpec, date_format: str | None, *, native: bool = False) -> list[tuple[str, str]]:
    """(SQL condition on the staged text, reason) pairs under which a field's cell is rejected."""
    if native:  # a typed cell is of its type already: only emptiness, and infinities or NaN, are wrong
        checks = [(f"{_ident(f.key)} IS NULL", "required")] if f.required else []
        if f.type == "number":
            checks.append((f"NOT isfinite({typed_sql(f, None, native=True)})", _TYPE_REASONS["number"]))
        return checks
    e = f"nullif(trim({_ident(f.key)}), '')"
    typed = typed_sql(f, date_format)
    checks: list[tuple[str, str]] = []
    if f.required:
        checks.append((f"{e} IS NULL", "required"))
    if f.type in _TYPE_REASONS:
        bad = f"{e} IS NOT NULL AND {typed} IS NULL"
        if f.type == "number":
            bad = f"({bad}) OR NOT isfinite({typed})"
        checks.append((bad, _TYPE_REASONS[f.type]))
    if f.type == "string":
        checks.append((f"length({e}) > {f.max_length}", f"longer than {f.max_length} characters"))
        if f.choices:
            checks.append((f"{e} NOT IN ({', '.join(_lit(c) for c in f.choices)})",
                           f"not one of {'/'.join(f.choices)}"))
    return checks


def prefilter_sql(spec: EntitySpec, staged: Iterable[str], native: Collection[str] = ()) -> str | None:
    """A cheap condition true for every row `check_sql` would reject, and perhaps a few more: rows it passes need
    no exact check (trim and character counts per cell were most of a clean file's checking). None when a field's
    checks have no cheaper superset (text to be parsed as a number, a date...)."""
    parts: list[str] = []
    for key in staged:
        f = spec.field(key)
        q = _ident(key)
        if key in native:  # a typed column: its checks are cheap already
            parts += [cond for cond, _ in check_sql(f, None, native=True)]
            continue
        if f.type != "string" or any(c != c.strip(" ") for c in f.choices or ()):
            return None
        if f.required:  # trim() removes spaces only: what it leaves empty is empty or starts with one
            parts.append(f"{q} IS NULL OR {q} = '' OR starts_with({q}, ' ')")
        parts.append(f"strlen({q}) > {f.max_length}")  # bytes, never fewer than characters
        if f.choices:  # a choice has no surrounding spaces: a cell equal to one passes
            parts.append(f"{q} NOT IN ({', '.join(_lit(c) for c in f.choices)})")
    return " OR ".join(f"({p})" for p in parts) or "false"


def promote_sql(spec: EntitySpec, staged: Iterable[str], columns: Iterable[str], date_format: str | None,
                native: Collection[str] = ()) -> str:
    """SELECT list typing the staged text into the load's columns (derived ones filled when the file has none)."""
    staged = set(staged)
    out = []
    for key in columns:
        f = spec.field(key)
        value = typed_sql(f, date_format, native=key in native) if key in staged else "NULL"
        if spec.name == "products" and key == "is_liability":
            liabilities = ", ".join(_lit(t) for t in sorted(LIABILITY_TYPES))
            value = f"coalesce({value}, {typed_sql(spec.field('product_type'), None)} IN ({liabilities}))"
        out.append(f"{value} AS {_ident(key)}")
    return ", ".join(out)


_NATIVE_ARROW = {
    "number": re.compile(r"u?int(8|16|32|64)|halffloat|float|double|decimal(32|64|128|256)?\(.*\)"),
    "integer": re.compile(r"u?int(8|16|32|64)"), "boolean": re.compile(r"bool"),
    "date": re.compile(r"date(32|64)\[.*\]|timestamp\[(s|ms|us|ns)\]"),
    "timestamp": re.compile(r"date(32|64)\[.*\]|timestamp\[(s|ms|us|ns)\]"),
}


def native_fields(spec: EntitySpec, types: dict[str, str]) -> set[str]:
    """Fields whose file column (key → the column's Arrow type name) already holds the field's type.

    Such cells need no parsing; times with a zone and everything else go the text way, as before.
    """
    return {key for key, arrow_type in types.items()
            if (rx := _NATIVE_ARROW.get(spec.field(key).type)) is not None and rx.fullmatch(arrow_type)}

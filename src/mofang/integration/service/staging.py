"""Checking a load's rows on the way in: the reject file, SQL checks over staged text, referential checks."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from mofang.integration import identities, logic
from mofang.integration import repository as repo
from mofang.integration.contracts import (
    ATTR_PREFIX,
    EntitySpec,
    Mapping,
)
from mofang.integration.logic import Reject
from mofang.integration.readers import FileRows
from mofang.integration.service.catalogue import rejects_dir
from mofang.platform.context import Platform
from mofang.platform.csvfile import BOM, safe_cell

BATCH_ROWS = 50_000  # checked customers handed to staging at a time
_REFS = {"orgs": ("integration_orgs", "code"), "staff": ("relationship_managers", "rm_id"),
         "customers": ("customers", "customer_id"), "products": ("products", "product_id")}


class RejectFile:
    """The reject file of a load: row number, field, reason, value (masked when PII); written as it goes."""

    def __init__(self, platform: Platform, load_id: int) -> None:
        folder = rejects_dir(platform)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{load_id}.csv"
        self._fh = self.path.open("w", newline="", encoding="utf-8")
        self._fh.write(BOM)
        self._csv = csv.writer(self._fh)
        self._csv.writerow(["row", "field", "reason", "value"])
        self.rows: set[int] = set()

    def add(self, rejects: Iterable[Reject]) -> None:
        """Write rejects (their values are already masked when PII)."""
        for r in rejects:
            self.rows.add(r.row)
            self._csv.writerow([r.row, r.field, r.reason, safe_cell(r.value)])

    def close(self) -> None:
        """Finish the file."""
        self._fh.close()


def hash_key(platform: Platform) -> bytes:
    """The key of row hashes (derived from the installation's signing key, never stored beside the data)."""
    return hashlib.sha256(platform.token_key + b"|integration-row-hash").digest()


def stage_text(platform: Platform, *, spec: EntitySpec, stage: str, file: FileRows, fields: dict[str, str],
               columns: list[str], mapping: Mapping, counts: dict[str, int], rejects: RejectFile) -> None:
    """Check the file's cells in SQL and move the good rows into the typed stage; no Python per row.

    A Parquet file is read by DuckDB where it lies (typed columns stay typed: nothing to parse); a CSV file's
    cells are first staged as text.
    """
    raw = stage + "_text"
    staged = list(dict.fromkeys(fields.values()))
    one_per_field = {key: header for header, key in reversed(list(fields.items()))}
    try:
        if file.format == "parquet":
            types = file.column_types()
            native = logic.native_fields(spec, {k: types[h] for k, h in one_per_field.items()})
            source = repo.parquet_source(file.path, {k: (h, k in native or types[h] == "string")
                                                     for k, h in one_per_field.items()})
            counts["read"] += file.row_count()
        else:
            native, source = set(), raw
            with platform.store.write() as cur:
                repo.create_raw(cur, raw, staged)
            for table in file.arrow_batches({h: k for k, h in one_per_field.items()}):
                counts["read"] += table.num_rows
                with platform.store.write() as cur:
                    repo.insert_stage(cur, raw, table)
        checks = [(key, cond, reason) for key in staged
                  for cond, reason in logic.check_sql(spec.field(key), mapping.date_format, native=key in native)]
        prefilter = logic.prefilter_sql(spec, staged, native)
        if spec.name == "transactions" and "amount" in staged:
            amount = logic.typed_sql(spec.field("amount"), None, native="amount" in native)
            checks.append(("amount", f"{amount} < 0", "negative (direction says in or out)"))
            prefilter = prefilter and f"{prefilter} OR ({amount} < 0)"
        with platform.store.write() as cur:
            bad = repo.promote_checked(cur, source, stage,
                                       logic.promote_sql(spec, staged, columns, mapping.date_format, native), checks,
                                       prefilter=prefilter)
            rejects.add(Reject(row=n, field=f, reason=why, value=value or "") for n, f, why, value in bad)
    finally:
        with platform.store.write() as cur:
            repo.drop_stage(cur, raw)


def checked_parquet_rows(platform: Platform, *, spec: EntitySpec, file: FileRows, fields: dict[str, str],
                         columns: list[str], mapping: Mapping, counts: dict[str, int], rejects: RejectFile,
                         ) -> Iterator[pa.Table]:
    """A Parquet file's rows checked in SQL where the file lies, the good ones typed: `_row` and the fields' columns,
    a batch at a time.

    For entities whose rows still need Python (customers: PII to encrypt, a keyed row hash): the checks that
    `logic.check_row` would make run over the whole file at once, and no table ever holds the PII in clear.
    """
    staged = list(dict.fromkeys(fields.values()))
    one_per_field = {key: header for header, key in reversed(list(fields.items()))}
    types = file.column_types()
    native = logic.native_fields(spec, {k: types[h] for k, h in one_per_field.items()})
    source = repo.parquet_source(file.path, {k: (h, k in native or types[h] == "string")
                                             for k, h in one_per_field.items()})
    counts["read"] += file.row_count()
    checks = [(key, cond, reason) for key in staged
              for cond, reason in logic.check_sql(spec.field(key), mapping.date_format, native=key in native)]
    with platform.store.read() as cur:
        bad = repo.raw_rejects(cur, source, checks, uncut={f.key for f in spec.fields if f.pii or f.key == "name"},
                               prefilter=logic.prefilter_sql(spec, staged, native))
        rejects.add(Reject(row=n, field=f, reason=why, value=logic.masked(spec.field(f), value))
                    for n, f, why, value in bad)
        select_sql = logic.promote_sql(spec, staged, columns, mapping.date_format, native)
        yield from repo.good_rows(cur, source, select_sql, [n for n, *_ in bad], BATCH_ROWS)


# A customers load that carries phone and e-mail stages their identities too (the master copy then decrypts
# nothing): keyed hash and mask of the normalised value, worked out while the clear value is in hand.
IDENTITY_COLUMNS = ("_mobile_hash", "_mobile_mask", "_email_hash", "_email_mask", "_number_hash")


def identity_stage_columns(spec: EntitySpec, columns: list[str]) -> dict[str, str]:
    """The stage's identity columns (name → DuckDB type) of a load of these fields; none unless customers with
    phone and e-mail (without either, the customer keeps the stored one and the copy reads it from the table)."""
    if spec.name != "customers" or "phone" not in columns or "email" not in columns:
        return {}
    return dict.fromkeys(IDENTITY_COLUMNS, "VARCHAR")


def staged_columns(spec: EntitySpec, values: dict[str, list[Any]], columns: list[str], *, row_key: bytes,
                   id_key: bytes, encrypt_many: Callable[[Sequence[str | None]], list[str | None]]
                   ) -> dict[str, list[Any]]:
    """The columns a batch of checked rows (held as columns) stages beside its values, all text: customers' PII
    encrypted a column at a time with its masks, attributes as text, the row hash (`_hash`) and, with phone and
    e-mail, their identities. Nothing for other entities."""
    if spec.name != "customers":
        return {}
    out = {"_hash": logic.row_hashes(row_key, values, columns)}
    out |= logic.customer_pii_columns(values, encrypt_many)
    for key in columns:
        if key.startswith(ATTR_PREFIX):
            text = [logic.attribute_text(v) for v in values[key]]
            out[key] = encrypt_many(text) if spec.field(key).pii else text
    if identity_stage_columns(spec, columns):
        mobile = identities.master_identities(id_key, "mobile", values["phone"])
        email = identities.master_identities(id_key, "email", values["email"])
        out |= {"_mobile_hash": mobile[0], "_mobile_mask": mobile[1], "_email_hash": email[0],
                "_email_mask": email[1],
                "_number_hash": [identities.value_hash(id_key, "customer_no", c) for c in values["customer_id"]]}
    return out


Column = list[Any] | pa.Array | pa.ChunkedArray


def insert_staged(platform: Platform, *, spec: EntitySpec, stage: str, rows: Column,
                  values: dict[str, Column], added: dict[str, Column], target_cols: list[str],
                  typed: set[str]) -> None:
    """Append a batch to the stage: its checked values (lists, or Arrow as DuckDB typed them) and the columns
    `staged_columns` added (which win where both have one)."""
    def arrow(column: Column, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
        return column.cast(kind) if isinstance(column, pa.Array | pa.ChunkedArray) else pa.array(column, kind)

    n = len(rows)
    cols: dict[str, Any] = {"_row": arrow(rows, pa.int64()),
                            "_hash": arrow(added.get("_hash", [None] * n), pa.string())}
    for c in target_cols:
        kind = repo.ARROW_TYPES[spec.field(c).type] if c in typed else pa.string()
        cols[c] = arrow(added[c] if c in added else values[c], kind)
    cols |= {c: arrow(added[c], pa.string()) for c in IDENTITY_COLUMNS if c in added}
    with platform.store.write() as cur:
        repo.insert_stage(cur, stage, pa.table(cols))


def reference_rejects(platform: Platform, cur: Any, *, spec: EntitySpec, stage: str, columns: list[str],
                      rejects: RejectFile) -> None:
    """Refuse rows repeating a key or naming an org, RM, customer or product that does not exist."""
    found = [Reject(row=r, field=f, reason=why, value="") for r, f, why in repo.reject_duplicates(cur, stage, spec.key)]
    refs = [(column, entity) for column, entity in spec.refs if column in columns]
    if any(entity == "orgs" for _, entity in refs):
        with platform.metadata.session() as session:
            repo.register_orgs(cur, repo.org_codes(session))
    for column, entity in refs:
        table, target = _REFS[entity]
        for n, value in repo.reject_missing(cur, stage, column, table, target):
            found.append(Reject(row=n, field=column, reason=f"no such {entity[:-1] if entity != 'staff' else 'RM'}",
                                value=logic.masked(spec.field(column), value)))
    rejects.add(sorted(found, key=lambda r: r.row))


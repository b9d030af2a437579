"""Queries of data integration: staging tables and the one-transaction merge in DuckDB; history in metadata."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.integration.contracts import ATTR_PREFIX, EntitySpec
from mofang.integration.models import CustomAttribute, DataLoad, DataSource, LoadLock
from mofang.platform.storage.models import Org

# Tables of the event store that belong to integration (the entities' own tables are the product's).
DDL = (
    # SCD type 2: one row per version of a customer's attributes; the open version has valid_to NULL.
    """CREATE TABLE IF NOT EXISTS customer_versions (
        customer_id VARCHAR NOT NULL, valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP,
        status VARCHAR NOT NULL,      -- active | closed
        row_hash VARCHAR, load_id INTEGER,
        name VARCHAR, gender VARCHAR, birth_date DATE, province VARCHAR, city VARCHAR, occupation VARCHAR,
        income_band VARCHAR, risk_level VARCHAR, open_date DATE, acquisition_channel VARCHAR, org_code VARCHAR,
        rm_id VARCHAR, tier VARCHAR,
        consent_sms BOOLEAN, consent_push BOOLEAN, consent_inbox BOOLEAN,
        consent_wechat BOOLEAN, consent_email BOOLEAN, consent_call BOOLEAN,
        phone_enc VARCHAR, phone_masked VARCHAR, phone_last4 VARCHAR, id_enc VARCHAR, id_masked VARCHAR,
        email_enc VARCHAR, email_masked VARCHAR,
        custom JSON                   -- the declared attributes of this version (PII ones as ciphertext)
    )""",
    # The bank's own customer attributes (declared in integration_attributes); PII values are ciphertext.
    """CREATE TABLE IF NOT EXISTS customer_attributes (
        customer_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR, PRIMARY KEY (customer_id, key)
    )""",
    # What a full load found gone from the bank's file: kept, with the last row as it was, never dropped silently.
    """CREATE TABLE IF NOT EXISTS integration_closures (
        entity VARCHAR NOT NULL, business_key VARCHAR NOT NULL, closed_at TIMESTAMP NOT NULL,
        load_id INTEGER NOT NULL, last_row JSON
    )""",
)
VERSION_ATTRS = (
    "name", "gender", "birth_date", "province", "city", "occupation", "income_band", "risk_level", "open_date",
    "acquisition_channel", "org_code", "rm_id", "tier", "consent_sms", "consent_push", "consent_inbox",
    "consent_wechat", "consent_email", "consent_call", "phone_enc", "phone_masked", "phone_last4", "id_enc",
    "id_masked", "email_enc", "email_masked",
)
DUCK_TYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "number": "DOUBLE",
              "integer": "BIGINT", "boolean": "BOOLEAN"}
ARROW_TYPES = {"string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us"), "number": pa.float64(),
               "integer": pa.int64(), "boolean": pa.bool_()}


def ensure_tables(cur: duckdb.DuckDBPyConnection) -> None:
    """Create integration's own event-store tables."""
    for stmt in DDL:
        cur.execute(stmt)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- staging ----------------------------------------------------------------------------------------------


# Stages are not compressed: a stage is written once, read by the merge and dropped, so compressing it spent CPU
# (≈ 2 of 5.4 CPU-s per 5M staged transactions) for nothing lasting; its free blocks stay in the file for reuse.
_PLAIN = "USING COMPRESSION uncompressed"


def create_stage(cur: duckdb.DuckDBPyConnection, stage: str, columns: dict[str, str]) -> None:
    """A staging table with the load's columns plus the row number and row hash."""
    cols = ", ".join(f"{_q(c)} {t} {_PLAIN}" for c, t in
                     {"_row": "BIGINT", "_hash": "VARCHAR", "_changed": "BOOLEAN", **columns}.items())
    cur.execute(f"CREATE TABLE {_q(stage)} ({cols})")


def insert_stage(cur: duckdb.DuckDBPyConnection, stage: str, table: pa.Table) -> None:
    """Append a batch of checked rows."""
    cur.register("integration_batch", table)
    try:
        cur.execute(f"INSERT INTO {_q(stage)} BY NAME SELECT * FROM integration_batch")
    finally:
        cur.unregister("integration_batch")


def drop_stage(cur: duckdb.DuckDBPyConnection, stage: str) -> None:
    """Remove a staging table."""
    cur.execute(f"DROP TABLE IF EXISTS {_q(stage)}")


def reject_duplicates(cur: duckdb.DuckDBPyConnection, stage: str, key: Sequence[str]) -> list[tuple[int, str, str]]:
    """Refuse every row repeating the business key of an earlier row; (row, field, reason) of each."""
    keys = ", ".join(_q(k) for k in key)
    # Most files repeat no key: one aggregate says so, and the window runs only over the keys repeated.
    repeated = f"SELECT {keys} FROM {_q(stage)} GROUP BY ALL HAVING count(*) > 1"
    if not cur.execute(f"SELECT EXISTS ({repeated})").fetchall()[0][0]:
        return []
    rows = cur.execute(f"""
        SELECT _row, first_row FROM (
            SELECT _row, min(_row) OVER (PARTITION BY {keys}) AS first_row FROM {_q(stage)}
            WHERE ({keys}) IN ({repeated}))
        WHERE _row > first_row ORDER BY _row""").fetchall()
    if rows:
        cur.execute(f"DELETE FROM {_q(stage)} WHERE _row IN (SELECT unnest($rows))", {"rows": [r for r, _ in rows]})
    return [(r, key[-1], f"duplicate key (first seen on row {first})") for r, first in rows]


def reject_missing(cur: duckdb.DuckDBPyConnection, stage: str, column: str, table: str, target: str,
                   ) -> list[tuple[int, str, Any]]:
    """Refuse rows whose `column` names nothing in `table`.`target`; (row, value) of each."""
    where = f"s.{_q(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{target} = s.{_q(column)})"
    rows = cur.execute(f"SELECT _row, s.{_q(column)} FROM {_q(stage)} s WHERE {where} ORDER BY _row").fetchall()
    if rows:
        cur.execute(f"DELETE FROM {_q(stage)} s WHERE {where}")
    return rows


def register_orgs(cur: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> None:
    """The metadata's org codes as a view the referential check can join (orgs live in the metadata DB)."""
    cur.register("integration_orgs", pa.table({"code": pa.array(list(codes), pa.string())}))


# ---- merge (inside the caller's one transaction) ------------------------------------------------------------


def _mark_changed(cur: duckdb.DuckDBPyConnection, stage: str, spec: EntitySpec, columns: Sequence[str]) -> None:
    """Flag staged rows that differ from (or are absent in) the target table on the loaded columns."""
    on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in spec.key)
    same = " AND ".join(f"t.{_q(c)} IS NOT DISTINCT FROM s.{_q(c)}" for c in columns if c not in spec.key)
    _flag_changed(cur, stage, f"SELECT s._row FROM {_q(stage)} s JOIN {spec.table} t ON {on}"
                              f"{' WHERE ' + same if same else ''}")


def _flag_changed(cur: duckdb.DuckDBPyConnection, stage: str, unchanged_rows_sql: str) -> None:
    """Set `_changed` from the staged rows found equal to what is loaded (an inner join: its hash table is built
    on the smaller side, the stage of a daily file, where a correlated NOT EXISTS built it on the whole table)."""
    cur.execute(f"UPDATE {_q(stage)} SET _changed = _row NOT IN ({unchanged_rows_sql})")


def _close_missing(cur: duckdb.DuckDBPyConnection, stage: str, spec: EntitySpec, *, load_id: int,
                   now: datetime) -> int:
    """Full load: rows of the target absent from the file become closures (recorded, then removed)."""
    on = " AND ".join(f"s.{_q(k)} = t.{_q(k)}" for k in spec.key)
    key_text = " || '|' || ".join(f"CAST(t.{_q(k)} AS VARCHAR)" for k in spec.key)
    gone = f"NOT EXISTS (SELECT 1 FROM {_q(stage)} s WHERE {on})"
    n = cur.execute(f"SELECT count(*) FROM {spec.table} t WHERE {gone}").fetchone()[0]
    if not n:
        return 0
    cur.execute(f"""INSERT INTO integration_closures
                    SELECT $entity, {key_text}, $now, $load, to_json(t) FROM {spec.table} t WHERE {gone}""",
                {"entity": spec.name, "now": now, "load": load_id})
    if spec.name == "customers":
        _close_versions(cur, f"SELECT customer_id FROM customers t WHERE {gone}", now=now)
        attrs = ", ".join(VERSION_ATTRS)
        cur.execute(f"""INSERT INTO customer_versions (customer_id, valid_from, valid_to, status, load_id, {attrs})
                        SELECT customer_id, $now, NULL, 'closed', $load, {attrs} FROM customers t WHERE {gone}""",
                    {"now": now, "load": load_id})
    cur.execute(f"DELETE FROM {spec.table} t WHERE {gone}")
    return int(n)


def _close_versions(cur: duckdb.DuckDBPyConnection, ids_sql: str, *, now: datetime) -> None:
    cur.execute(f"UPDATE customer_versions SET valid_to = $now WHERE valid_to IS NULL AND customer_id IN ({ids_sql})",
                {"now": now})


def merge(cur: duckdb.DuckDBPyConnection, *, stage: str, spec: EntitySpec, columns: Sequence[str], full: bool,
          load_id: int, now: datetime) -> tuple[int, int, int]:
    """Apply a staged load to the product's table: (rows changed, rows unchanged, rows closed)."""
    if spec.name == "customers":
        # The open version's hash says whether anything loaded changed (PII is compared without decrypting).
        _flag_changed(cur, stage, f"""
            SELECT s._row FROM {_q(stage)} s JOIN customer_versions v ON v.customer_id = s.customer_id
                JOIN customers c ON c.customer_id = s.customer_id
            WHERE v.valid_to IS NULL AND v.status = 'active' AND v.row_hash = s._hash""")
    else:
        _mark_changed(cur, stage, spec, columns)
    changed, total = cur.execute(f"SELECT count(*) FILTER (_changed), count(*) FROM {_q(stage)}").fetchone()
    closed = _close_missing(cur, stage, spec, load_id=load_id, now=now) if full else 0
    attrs_loaded = [c for c in columns if c.startswith(ATTR_PREFIX)]
    cols = ", ".join(_q(c) for c in columns if not c.startswith(ATTR_PREFIX))
    if spec.name == "customers":
        for c in attrs_loaded:
            cur.execute(f"""INSERT OR REPLACE INTO customer_attributes
                            SELECT customer_id, $key, {_q(c)} FROM {_q(stage)} WHERE _changed""",
                        {"key": c.removeprefix(ATTR_PREFIX)})
        cur.execute(f"""INSERT OR REPLACE INTO customers BY NAME
                        SELECT {cols}, $now AS updated_at FROM {_q(stage)} WHERE _changed""", {"now": now})
        _close_versions(cur, f"SELECT customer_id FROM {_q(stage)} WHERE _changed", now=now)
        attrs = ", ".join(f"c.{a}" for a in VERSION_ATTRS)
        cur.execute(f"""INSERT INTO customer_versions (customer_id, valid_from, valid_to, status, row_hash, load_id,
                            {', '.join(VERSION_ATTRS)})
                        SELECT c.customer_id, $now, NULL, 'active', s._hash, $load, {attrs}
                        FROM {_q(stage)} s JOIN customers c USING (customer_id) WHERE s._changed""",
                    {"now": now, "load": load_id})
        cur.execute(f"""UPDATE customer_versions v SET custom = a.custom FROM (
                            SELECT customer_id, json_group_object(key, value) AS custom FROM customer_attributes
                            WHERE customer_id IN (SELECT customer_id FROM {_q(stage)} WHERE _changed)
                            GROUP BY customer_id) a
                        WHERE v.customer_id = a.customer_id AND v.valid_to IS NULL AND v.load_id = $load""",
                    {"load": load_id})
    elif spec.name in ("transactions", "aum_daily"):  # no primary key in these tables: replace by business key
        on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in spec.key)
        cur.execute(f"DELETE FROM {spec.table} t WHERE EXISTS (SELECT 1 FROM {_q(stage)} s WHERE s._changed AND {on})")
        cur.execute(f"INSERT INTO {spec.table} BY NAME SELECT {cols} FROM {_q(stage)} WHERE _changed")
        if spec.name == "aum_daily":
            _refresh_customer_aum(cur, stage)
    else:
        cur.execute(f"INSERT OR REPLACE INTO {spec.table} BY NAME SELECT {cols} FROM {_q(stage)} WHERE _changed")
    return int(changed), int(total - changed), closed


def _refresh_customer_aum(cur: duckdb.DuckDBPyConnection, stage: str) -> None:
    """Customers' current AUM follows their latest loaded day."""
    cur.execute(f"""UPDATE customers c SET aum = a.aum FROM (
        SELECT customer_id, arg_max(aum, date) AS aum FROM aum_daily
        WHERE customer_id IN (SELECT customer_id FROM {_q(stage)} WHERE _changed) GROUP BY customer_id) a
        WHERE c.customer_id = a.customer_id AND c.aum IS DISTINCT FROM a.aum""")


# ---- metadata: sources, history, locks ----------------------------------------------------------------------


def org_codes(session: Session) -> list[str]:
    """Every org code."""
    return list(session.scalars(select(Org.code)))


def attributes(session: Session) -> list[CustomAttribute]:
    """Every declared customer attribute."""
    return list(session.scalars(select(CustomAttribute).order_by(CustomAttribute.key)))


def attribute(session: Session, key: str) -> CustomAttribute | None:
    """One declared attribute."""
    return session.get(CustomAttribute, key)


def add_attribute(session: Session, row: CustomAttribute) -> None:
    """Declare an attribute."""
    session.add(row)
    session.flush()


def source(session: Session, name: str) -> DataSource | None:
    """A saved source by name."""
    return session.get(DataSource, name)


def save_source(session: Session, row: DataSource) -> None:
    """Insert or update a saved source."""
    session.merge(row)
    session.flush()


def add_load(session: Session, row: DataLoad) -> DataLoad:
    """Record a load (its id is assigned)."""
    session.add(row)
    session.flush()
    return row


def load(session: Session, load_id: int) -> DataLoad | None:
    """One load by id."""
    return session.get(DataLoad, load_id)


def loads(session: Session, *, limit: int, offset: int) -> tuple[list[DataLoad], int]:
    """A page of the history, newest first, and the total."""
    from sqlalchemy import func

    total = session.scalar(select(func.count()).select_from(DataLoad)) or 0
    rows = session.scalars(select(DataLoad).order_by(DataLoad.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


def lock(session: Session, source_name: str) -> LoadLock | None:
    """The lock a running load of `source_name` holds, if any."""
    return session.get(LoadLock, source_name)


def add_lock(session: Session, row: LoadLock) -> None:
    """Take a source's lock (a concurrent taker hits the primary key)."""
    session.add(row)
    session.flush()


def drop_lock(session: Session, source_name: str, load_id: int) -> None:
    """Release a source's lock held by `load_id`."""
    row = session.get(LoadLock, source_name)
    if row is not None and row.load_id == load_id:
        session.delete(row)
        session.flush()


# ---- text staging checked in SQL (entities without PII) --------------------------------------------------------


def create_raw(cur: duckdb.DuckDBPyConnection, raw: str, fields: Sequence[str]) -> None:
    """A table holding the file's cells as text, by field, with their row numbers."""
    cols = ", ".join(f"{_q(c)} VARCHAR" for c in fields)
    cur.execute(f"CREATE TABLE {_q(raw)} (_row BIGINT, {cols})")


def parquet_source(path: Any, columns: dict[str, tuple[str, bool]]) -> str:
    """A Parquet file read where it lies, as a staged text table would look: `_row` (1 = first data row) and a
    column per field (key → (header, keep type)); columns not kept typed are read as text."""
    cols = ", ".join(f"{_q(h)} AS {_q(k)}" if keep else f"CAST({_q(h)} AS VARCHAR) AS {_q(k)}"
                     for k, (h, keep) in columns.items())
    return (f"(SELECT CAST(file_row_number AS BIGINT) + 1 AS _row, {cols} "
            f"FROM read_parquet({_lit_sql(str(path))}, file_row_number = true))")


def _source(name: str) -> str:
    return name if name.startswith("(") else _q(name)


def _any_fail(checks: Sequence[tuple[str, str, str]], prefilter: str | None) -> str:
    """Whether a row fails a check; `prefilter` (true for every failing row) spares the exact checks of the rest."""
    anyfail = " OR ".join(f"({cond})" for _, cond, _ in checks) or "false"
    return f"({prefilter}) AND ({anyfail})" if prefilter else anyfail


def raw_rejects(cur: duckdb.DuckDBPyConnection, raw: str, checks: Sequence[tuple[str, str, str]],
                uncut: Collection[str] = (), prefilter: str | None = None) -> list[tuple[int, str, str, str]]:
    """(row, field, reason, value) of every failed check (checks are (field, SQL condition, reason)).

    Values are cut to 64 characters, but for the fields `uncut` (PII: the caller masks the whole value).

    One pass over the rows finds those failing any check; only they are looked at check by check.
    """
    if not checks:
        return []
    anyfail = _any_fail(checks, prefilter)
    def value(key: str) -> str:
        text = f"CAST({_q(key)} AS VARCHAR)"
        return text if key in uncut else f"left({text}, 64)"

    parts = [f"SELECT _row, {_lit_sql(key)} AS field, {_lit_sql(reason)} AS reason, {value(key)} AS value "
             f"FROM bad WHERE {cond}" for key, cond, reason in checks]
    return cur.execute(f"WITH bad AS MATERIALIZED (SELECT * FROM {_source(raw)} WHERE {anyfail}) "
                       + " UNION ALL ".join(parts) + " ORDER BY _row, field").fetchall()


def promote_checked(cur: duckdb.DuckDBPyConnection, raw: str, stage: str, select_sql: str,
                    checks: Sequence[tuple[str, str, str]], prefilter: str | None = None,
                    ) -> list[tuple[int, str, str, str]]:
    """Move the rows passing every check into the typed staging table; (row, field, reason, value) of the others.

    One pass over the file: every row is staged with `_changed` marking one failing a check (the merge sets the
    column afresh), only the failing rows are read again for their reasons, and then they leave the stage.
    """
    anyfail = _any_fail(checks, prefilter)
    cur.execute(f"""INSERT INTO {_q(stage)} BY NAME
                    SELECT _row, NULL AS _hash, CASE WHEN {anyfail} THEN true END AS _changed, {select_sql}
                    FROM {_source(raw)} r""")
    if not cur.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(stage)} WHERE _changed)").fetchall()[0][0]:
        return []
    failed = f"(SELECT * FROM {_source(raw)} WHERE _row IN (SELECT _row FROM {_q(stage)} WHERE _changed))"
    bad = raw_rejects(cur, failed, checks)
    cur.execute(f"DELETE FROM {_q(stage)} WHERE _changed")
    return bad


def good_rows(cur: duckdb.DuckDBPyConnection, raw: str, select_sql: str, bad_rows: Sequence[int], batch_rows: int,
              ) -> Iterator[pa.Table]:
    """The rows that passed every check, typed, in batches of `batch_rows` (streamed, never all at once)."""
    cur.register("integration_bad_rows", pa.table({"_row": pa.array(sorted(set(bad_rows)), pa.int64())}))
    try:
        reader = cur.sql(f"""SELECT _row, {select_sql} FROM {_source(raw)} r
                             WHERE _row NOT IN (SELECT _row FROM integration_bad_rows)
                             ORDER BY _row""").fetch_record_batch(batch_rows)
        for batch in reader:
            yield pa.Table.from_batches([batch])
    finally:
        cur.unregister("integration_bad_rows")


def _lit_sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sources(session: Session) -> list[DataSource]:
    """Every saved source, by name."""
    return list(session.scalars(select(DataSource).order_by(DataSource.name)))

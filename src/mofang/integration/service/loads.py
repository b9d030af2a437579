"""Loads: read a file (or pushed rows) in batches, check each row, stage, then merge in one transaction."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from mofang.integration import events as txn_events
from mofang.integration import logic
from mofang.integration import repository as repo
from mofang.integration.contracts import (
    ATTR_PREFIX,
    CustomerPush,
    EntitySpec,
    LoadRead,
    Mapping,
    Mode,
)
from mofang.integration.logic import Reject
from mofang.integration.models import DataLoad, DataSource, LoadLock
from mofang.integration.readers import FileRows, open_file
from mofang.integration.service.after_load import after_customer_changes, after_staff_changes
from mofang.integration.service.catalogue import get_load_or_raise, spec_for
from mofang.integration.service.identity_loads import known_customers, load_identities
from mofang.integration.service.stager import Stager
from mofang.integration.service.staging import (
    RejectFile,
    checked_parquet_rows,
    identity_stage_columns,
    reference_rejects,
    stage_text,
)
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Conflict, Invalid, MofangError
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import OrgRead
from mofang.platform.storage.models import utcnow

log = logging.getLogger("mofang.integration")
# Who holds a source's lock: this host and process, and a nonce in case the pid is reused after a crash.
HOST = socket.gethostname().replace(":", "_")
HOLDER = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
DEFAULT_REJECT_THRESHOLD = 0.01
Batches = Iterable[list[tuple[int, dict[str, Any]]]]


def load_file(
    *, platform: Platform, entity: str, path: Path, file_name: str, mode: Mode = "delta",
    mapping: Mapping | None = None, source: str | None = None, reject_threshold: float = DEFAULT_REJECT_THRESHOLD,
    username: str | None = None,
) -> LoadRead:
    """Load one file of an entity; the mapping given (or the source's saved one) names its columns."""
    spec = spec_for(platform, entity)
    _check_options(spec, mode, reject_threshold)
    source = source or f"file:{spec.name}"
    mapping = _mapping_for(platform, spec=spec, source=source, given=mapping, username=username)
    rows = open_file(path, file_name)
    columns, missing = logic.resolve_columns(rows.headers, spec, mapping)
    if missing:
        raise Invalid(f"the file has no column for the required field(s): {', '.join(missing)}", field="mapping",
                      code="integration.missing_fields", params={"fields": ", ".join(missing)})

    loaded = list(dict.fromkeys([*columns.values(), *logic.DERIVED.get(spec.name, ())]))

    def batches() -> Iterator[list[tuple[int, dict[str, Any]]]]:
        for batch in rows.batches():
            yield [(n, {columns[h]: v for h, v in raw.items() if h in columns}) for n, raw in batch]

    # Without PII or value maps, cells are checked by SQL over a text staging table: no Python per row.
    text_rows = None
    if (rows.format in ("csv", "parquet") and spec.name not in ("orgs", "customers")
            and not mapping.values and not any(f.pii for f in spec.fields)):
        text_rows = (rows, columns)
    # Customers from Parquet are checked by SQL where the file lies; only encryption and hashing stay per row
    # (a CSV would have to be staged as text first, its PII in clear in a table: it keeps the Python checks).
    checked_rows = (rows, columns) if rows.format == "parquet" and spec.name == "customers" and not mapping.values \
        else None
    return _run(platform=platform, spec=spec, source=source, mode=mode, file_name=file_name, mapping=mapping,
                batches=batches(), columns=loaded, unreadable=rows.unreadable, text_rows=text_rows,
                checked_rows=checked_rows, reject_threshold=reject_threshold, username=username)


def push_customer(*, platform: Platform, customer_id: str, body: CustomerPush, username: str | None) -> LoadRead:
    """One customer's attributes from a bank system: checked like a file row, loaded as a one-row delta."""
    spec = spec_for(platform, "customers")
    headers = [h for h in body.fields if h not in ("customer_id", spec.field("customer_id").zh)]
    columns, _ = logic.resolve_columns(headers, spec, Mapping())
    unknown = [h for h in headers if h not in columns]
    if unknown:
        raise Invalid(f"unknown field '{unknown[0]}'", field=unknown[0], code="integration.unknown_field",
                      params={"field": unknown[0]})
    row = {columns[h]: v for h, v in body.fields.items() if h in columns} | {"customer_id": customer_id}
    exists = platform.store.scalar("SELECT count(*) FROM customers WHERE customer_id = ?", [customer_id])
    missing = [f.key for f in spec.fields if f.required and f.key not in row] if not exists else []
    if missing:
        raise Invalid(f"a new customer needs {', '.join(missing)}", field=missing[0],
                      code="integration.missing_fields", params={"fields": ", ".join(missing)})
    _, rejects = logic.check_row(spec, 1, row, Mapping())
    if rejects:
        r = rejects[0]
        raise Invalid(f"{r.field}: {r.reason}", field=r.field, code="integration.invalid_value",
                      params={"field": r.field, "reason": r.reason})
    result = _run(platform=platform, spec=spec, source=f"api:customers:{customer_id}"[:64], mode="delta",
                  file_name=None, mapping=Mapping(), batches=[[(1, row)]], columns=list(row), unreadable=[],
                  reject_threshold=0.0, username=username)
    return result


def _check_options(spec: EntitySpec, mode: Mode, reject_threshold: float) -> None:
    """A full load only of entities whose file is the whole truth; a threshold that is a share."""
    if mode == "full" and not spec.full_allowed:
        raise BadRequest(f"{spec.name} arrive as deltas; a full load would close every row not in the file",
                         field="mode", code="integration.full_not_allowed", params={"entity": spec.name})
    if not 0 <= reject_threshold <= 1:
        raise BadRequest("reject_threshold must be between 0 and 1", field="reject_threshold",
                         code="integration.bad_threshold")


def _mapping_for(platform: Platform, *, spec: EntitySpec, source: str, given: Mapping | None,
                 username: str | None) -> Mapping:
    """The mapping given (saved under the source for next time), else the source's saved one, else none."""
    if given is not None:
        unknown = logic.unknown_mapping_fields(spec, given)
        if unknown:
            raise Invalid(f"the mapping names unknown field(s): {', '.join(unknown)}", field="mapping",
                          code="integration.unknown_field", params={"field": unknown[0]})
    with platform.metadata.session() as session:
        saved = repo.source(session, source)
        if saved is not None and saved.entity != spec.name:
            raise Conflict(f"source '{source}' loads {saved.entity}, not {spec.name}", field="source",
                           code="integration.source_entity", params={"source": source, "entity": saved.entity})
        if given is None:
            return Mapping.model_validate(saved.mapping) if saved else Mapping()
        repo.save_source(session, DataSource(name=source, entity=spec.name, mapping=given.model_dump(),
                                             updated_by=username, updated_at=utcnow()))
    return given


def _run(
    *, platform: Platform, spec: EntitySpec, source: str, mode: Mode, file_name: str | None, mapping: Mapping,
    batches: Batches, columns: list[str], unreadable: list[tuple[int, str]], reject_threshold: float,
    username: str | None, text_rows: tuple[FileRows, dict[str, str]] | None = None,
    checked_rows: tuple[FileRows, dict[str, str]] | None = None,
) -> LoadRead:
    """Stage, check, and merge one load under the source's lock; the history row says how it went."""
    _check_options(spec, mode, reject_threshold)
    load_id = _start(platform, spec=spec, source=source, mode=mode, file_name=file_name,
                     threshold=reject_threshold, username=username)
    started = time.perf_counter()
    counts = {"read": 0, "loaded": 0, "unchanged": 0, "rejected": 0, "closed": 0, "events": 0}
    error: MofangError | None = None
    try:
        if spec.name == "orgs":
            _load_orgs(platform, batches=batches, load_id=load_id, counts=counts, mapping=mapping,
                       threshold=reject_threshold)
        elif spec.name == "identities":
            load_identities(platform, spec=spec, batches=batches, source=source, mode=mode, load_id=load_id,
                            counts=counts, mapping=mapping, threshold=reject_threshold)
        else:
            _load_store(platform, spec=spec, batches=batches, columns=columns, unreadable=unreadable,
                        load_id=load_id, mode=mode, counts=counts, mapping=mapping, threshold=reject_threshold,
                        text_rows=text_rows, checked_rows=checked_rows)
    except MofangError as exc:
        error = exc
    except BaseException as exc:
        # The message of an unexpected error may quote data; the history keeps only its kind.
        log.exception("load %s of %s failed", load_id, spec.name)
        _finish(platform, load_id, source, counts, started, error=f"internal error ({type(exc).__name__})",
                code="integration.internal")
        raise
    _finish(platform, load_id, source, counts, started, error=error.message if error else None,
            code=error.code if error else None)
    if error is not None:
        error.params = {**error.params, "load_id": load_id}
        raise error
    return get_load_or_raise(platform=platform, load_id=load_id)


def _start(platform: Platform, *, spec: EntitySpec, source: str, mode: Mode, file_name: str | None,
           threshold: float, username: str | None) -> int:
    """Record the load and take the source's lock, in one commit; 409 if another load of it runs."""
    stale: int | None = None
    try:
        with platform.metadata.session() as session:
            held = repo.lock(session, source)
            if held is not None and logic.lock_is_stale(held.holder, host=HOST, me=HOLDER, alive=_alive):
                stale = held.load_id
                _release_stale(session, held)
                held = None
            if held is not None:
                raise Conflict(f"load {held.load_id} of source '{source}' is still running", field="source",
                               code="integration.load_running", params={"source": source, "load_id": held.load_id})
            row = repo.add_load(session, DataLoad(
                source=source, entity=spec.name, mode=mode, file_name=file_name, status="running",
                rows_read=0, rows_loaded=0, rows_unchanged=0, rows_rejected=0, rows_closed=0, events_emitted=0,
                reject_threshold=threshold, username=username, started_at=utcnow()))
            repo.add_lock(session, LoadLock(source=source, load_id=row.id, holder=HOLDER, acquired_at=utcnow()))
            gov.record(session=session, username=username, action="data.load", target_type="data_load",
                       target_id=str(row.id), detail={"entity": spec.name, "source": source, "mode": mode,
                                                      "file": file_name})
            load_id = row.id
    except IntegrityError:  # a concurrent load took the lock between our check and our insert
        raise Conflict(f"another load of source '{source}' is running", field="source",
                       code="integration.load_running", params={"source": source, "load_id": 0}) from None
    if stale is not None:  # what the stopped load had staged is of no use
        with platform.store.write() as cur:
            repo.drop_stage(cur, f"integration_stage_{stale}")
    return load_id


def _alive(pid: int) -> bool:
    """Whether a process of this host is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by someone else
        return True
    return True


def _release_stale(session: Any, held: LoadLock) -> None:
    """A lock whose process stopped mid-load: its load is marked interrupted and the lock released."""
    row = repo.load(session, held.load_id)
    if row is not None and row.status == "running":
        row.status, row.finished_at = "failed", utcnow()
        row.error, row.error_code = "interrupted: the process running the load stopped", "integration.interrupted"
    log.warning("released the lock of source %s left by load %s of a stopped process", held.source, held.load_id)
    session.delete(held)
    session.flush()


def _finish(platform: Platform, load_id: int, source: str, counts: dict[str, int], started: float, *,
            error: str | None, code: str | None) -> None:
    """Write the outcome and release the lock."""
    with platform.metadata.session() as session:
        row = repo.load(session, load_id)
        assert row is not None
        row.status = "failed" if error else "ok"
        row.rows_read, row.rows_loaded = counts["read"], counts["loaded"]
        row.rows_unchanged, row.rows_rejected = counts["unchanged"], counts["rejected"]
        row.rows_closed, row.events_emitted = counts["closed"], counts["events"]
        row.error, row.error_code = error, code
        row.finished_at = utcnow()
        row.duration_ms = int((time.perf_counter() - started) * 1000)
        repo.drop_lock(session, source, load_id)


def _load_store(
    platform: Platform, *, spec: EntitySpec, batches: Batches, columns: list[str],
    unreadable: list[tuple[int, str]], load_id: int, mode: Mode, counts: dict[str, int], mapping: Mapping,
    threshold: float, text_rows: tuple[FileRows, dict[str, str]] | None = None,
    checked_rows: tuple[FileRows, dict[str, str]] | None = None,
) -> None:
    """Stage every batch (its own short transaction each), check references, then merge in one transaction."""
    stage = f"integration_stage_{load_id}"
    is_customers = spec.name == "customers"
    target_cols = list(columns)
    if is_customers:  # PII travels as ciphertext plus masked copies, never in clear
        target_cols = logic.customer_columns(columns)
    # Attribute values are staged as text (PII ones encrypted).
    typed = set(spec.keys) - {c for c in columns if c.startswith(ATTR_PREFIX)}
    types = {c: repo.DUCK_TYPES[spec.field(c).type] if c in typed else "VARCHAR" for c in target_cols}
    types |= identity_stage_columns(spec, columns)
    rejects = RejectFile(platform, load_id)
    stager = Stager(platform, spec=spec, stage=stage, columns=columns, target_cols=target_cols, typed=typed)
    try:
        with platform.store.write() as cur:
            repo.ensure_tables(cur)
            repo.create_stage(cur, stage, types)
        if text_rows is not None:
            stage_text(platform, spec=spec, stage=stage, file=text_rows[0], fields=text_rows[1], columns=columns,
                        mapping=mapping, counts=counts, rejects=rejects)
            batches = ()
        if checked_rows is not None:
            batches = ()
            for checked in checked_parquet_rows(platform, spec=spec, file=checked_rows[0], fields=checked_rows[1],
                                                columns=columns, mapping=mapping, counts=counts, rejects=rejects):
                stager.add_batch(checked)
        for batch in batches:
            good: list[dict[str, Any]] = []
            numbers = []
            for n, raw in batch:
                row, bad = logic.check_row(spec, n, raw, mapping)
                if row is None:
                    rejects.add(bad)
                    continue
                numbers.append(n)
                good.append(row)
            counts["read"] += len(batch)
            if good:
                stager.add_rows(numbers, {c: [r.get(c) for r in good] for c in columns})
        stager.finish()
        counts["read"] += len(unreadable)
        rejects.add(Reject(row=n, field="", reason=why, value="") for n, why in unreadable)
        with platform.store.write() as cur:
            reference_rejects(platform, cur, spec=spec, stage=stage, columns=columns, rejects=rejects)
        counts["rejected"] = len(rejects.rows)
        if logic.over_threshold(rejected=counts["rejected"], read=counts["read"], threshold=threshold):
            raise Invalid(f"{counts['rejected']} of {counts['read']} rows rejected, more than {threshold:.1%}: "
                          f"nothing was loaded", field="file", code="integration.too_many_rejects",
                          params={"rejected": counts["rejected"], "read": counts["read"],
                                  "threshold": f"{threshold:.1%}"})
        now = datetime.now(UTC).replace(tzinfo=None)
        emitted = 0
        with platform.store.write() as cur:
            if spec.name == "transactions":  # before the merge: only transactions new to the table emit
                emitted = txn_events.emit(cur, stage=stage, columns=target_cols,
                                          rules=txn_events.rules_of(mapping),
                                          received_us=int(now.replace(tzinfo=UTC).timestamp() * 1_000_000))
            loaded, unchanged, closed = repo.merge(cur, stage=stage, spec=spec, columns=target_cols,
                                                   full=mode == "full", load_id=load_id, now=now)
        counts |= {"loaded": loaded, "unchanged": unchanged, "closed": closed, "events": emitted}
        if spec.name in ("customers", "aum_daily") and (loaded or closed):
            after_customer_changes(platform, stage=stage, load_id=load_id, identities_too=is_customers)
        elif spec.name == "staff" and (loaded or closed):
            after_staff_changes(platform, stage=stage, load_id=load_id)
    finally:
        stager.close()
        rejects.close()
        with platform.store.write() as cur:
            repo.drop_stage(cur, stage)


def _load_orgs(platform: Platform, *, batches: Batches, load_id: int, counts: dict[str, int], mapping: Mapping,
               threshold: float) -> None:
    """Orgs live in the metadata DB: checked rows (parents known or in the file) upserted in one session."""
    from mofang.integration.schemas import ORGS

    rejects = RejectFile(platform, load_id)
    try:
        rows: list[tuple[int, dict[str, Any]]] = []
        for batch in batches:
            for n, raw in batch:
                counts["read"] += 1
                row, bad = logic.check_row(ORGS, n, raw, mapping)
                if row is None:
                    rejects.add(bad)
                else:
                    rows.append((n, row))
        with platform.metadata.session() as session:
            known = set(repo.org_codes(session))
            placed = known | {r["code"] for _, r in rows}
            good = []
            for n, r in rows:
                if r["code"] != "HQ" and r.get("parent_code") not in placed:
                    rejects.add([Reject(row=n, field="parent_code", reason="no such org",
                                        value=str(r.get("parent_code") or ""))])
                else:
                    good.append(r)
            counts["rejected"] = len(rejects.rows)
            if logic.over_threshold(rejected=counts["rejected"], read=counts["read"], threshold=threshold):
                raise Invalid(f"{counts['rejected']} of {counts['read']} rows rejected: nothing was loaded",
                              field="file", code="integration.too_many_rejects",
                              params={"rejected": counts["rejected"], "read": counts["read"],
                                      "threshold": f"{threshold:.1%}"})
            good.sort(key=lambda r: r["level"])  # parents before children
            gov.upsert_orgs(session=session, orgs=[OrgRead(code=r["code"], name=r["name"],
                                                           parent_code=r.get("parent_code"), level=r["level"])
                                                   for r in good])
            counts["loaded"] = len(good)
    finally:
        rejects.close()


def push_attribute_values(*, platform: Platform, key: str, values: dict[str, Any],
                          username: str | None) -> LoadRead | None:
    """One declared attribute of many existing customers (set by strategies), loaded as one customers delta."""
    spec = spec_for(platform, "customers")
    field = ATTR_PREFIX + key.removeprefix(ATTR_PREFIX)
    if field not in spec.keys:
        raise Invalid(f"'{key}' is not a declared attribute", field="key", code="integration.unknown_field",
                      params={"field": key})
    known = known_customers(platform, set(values))  # a strategy's customer closed since is left alone
    rows = [(n, {"customer_id": cid, field: values[cid]}) for n, cid in enumerate(sorted(known), start=1)]
    if not rows:
        return None
    return _run(platform=platform, spec=spec, source="strategy:attributes", mode="delta", file_name=None,
                mapping=Mapping(), batches=[rows], columns=["customer_id", field], unreadable=[],
                reject_threshold=1.0, username=username)

"""Database sources: saved (password encrypted), run on demand or daily, incrementally by a watermark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.engine import URL, make_url

from mofang.integration import dbquery, logic
from mofang.integration import repository as repo
from mofang.integration.contracts import DatabaseSourceSave, LoadRead, Mapping, RunMode, SourceRead
from mofang.integration.dbreader import open_query
from mofang.integration.models import DataSource
from mofang.integration.service.catalogue import entity_or_raise, spec_for
from mofang.integration.service.loads import _run
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.storage.models import as_utc, utcnow

MASK = "***"
SOURCE_NAME = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


def _read(row: DataSource) -> SourceRead:
    url = None
    if row.url:
        url = dbquery.masked_url(make_url(row.url).set(password=MASK if row.password_enc else None))
    return SourceRead(
        name=row.name, kind=row.kind or "file", entity=row.entity, mapping=Mapping.model_validate(row.mapping),
        url=url, query=row.query, watermark_column=row.watermark_column,
        watermark=row.watermark["value"] if row.watermark else None, schedule=row.schedule,
        reject_threshold=row.reject_threshold, last_scheduled=row.last_scheduled, updated_by=row.updated_by,
        updated_at=as_utc(row.updated_at))


def list_sources(*, platform: Platform) -> list[SourceRead]:
    """Every saved source, by name."""
    with platform.metadata.session() as session:
        return [_read(r) for r in repo.sources(session)]


def get_source_or_raise(*, platform: Platform, name: str) -> SourceRead:
    """One saved source, or 404."""
    with platform.metadata.session() as session:
        row = repo.source(session, name)
        if row is None:
            raise NotFound(f"no source '{name}'", field="name", code="integration.no_source", params={"source": name})
        return _read(row)


def save_database_source(*, platform: Platform, name: str, data: DatabaseSourceSave, username: str | None,
                         ip: str | None = None) -> SourceRead:
    """Create or replace a database source; its password is kept encrypted; audited (URL masked)."""
    if not SOURCE_NAME.match(name):
        raise Invalid("a source name is 1-64 letters, digits or _ . : -", field="name",
                      code="integration.bad_source_name")
    spec = spec_for(platform, entity_or_raise(data.entity).name)
    unknown = logic.unknown_mapping_fields(spec, data.mapping)
    if unknown:
        raise Invalid(f"the mapping names unknown field(s): {', '.join(unknown)}", field="mapping",
                      code="integration.unknown_field", params={"field": unknown[0]})
    url = dbquery.parse_url(data.url)
    query = dbquery.checked_query(data.query, dbquery.dialect_of(url))
    column = data.watermark_column or None
    if column is not None:
        outputs = dbquery.output_columns(query)
        if not dbquery.IDENTIFIER.match(column) or (outputs is not None and column not in outputs):
            raise Invalid(f"'{column}' is not an output column of the query", field="watermark_column",
                          code="integration.no_watermark_column", params={"column": column})
    dbquery.schedule_time(data.schedule)
    with platform.metadata.session() as session:
        row = repo.source(session, name)
        password = url.password
        if password == MASK:  # the masked URL read back: the saved password stays
            if row is None or not row.password_enc:
                raise Invalid("the URL carries the mask *** but no password is saved", field="url",
                              code="integration.bad_url")
            password_enc = row.password_enc
        else:
            password_enc = platform.cipher.encrypt(password) if password else None
        bare = url.set(password=None).render_as_string(hide_password=False)
        same_rows = row is not None and (row.kind, row.url, row.query, row.entity, row.watermark_column) == (
            "database", bare, data.query, spec.name, column)
        row = row or DataSource(name=name)
        row.kind, row.entity, row.mapping = "database", spec.name, data.mapping.model_dump()
        row.url, row.password_enc, row.query = bare, password_enc, data.query
        row.watermark_column, row.schedule, row.reject_threshold = column, data.schedule, data.reject_threshold
        if not same_rows:  # another query or column: the last value says nothing about the new rows
            row.watermark = None
        row.updated_by, row.updated_at = username, utcnow()
        repo.save_source(session, row)
        read = _read(row)
        gov.record(session=session, username=username, action="data.source_save", target_type="data_source",
                   target_id=name, detail={"entity": spec.name, "url": read.url, "watermark_column": column,
                                           "schedule": data.schedule}, ip=ip)
    return read


def _connect_url(row: DataSource, platform: Platform) -> URL:
    assert row.url is not None
    url = make_url(row.url)
    return url.set(password=platform.cipher.decrypt(row.password_enc)) if row.password_enc else url


def run_source(*, platform: Platform, name: str, mode: RunMode = "incremental", username: str | None,
               scheduled_day: date | None = None) -> LoadRead:
    """Run a database source's query through the loader; a successful load moves its watermark forward."""
    with platform.metadata.session() as session:
        row = repo.source(session, name)
        if row is None:
            raise NotFound(f"no source '{name}'", field="name", code="integration.no_source", params={"source": name})
        if row.kind != "database":
            raise BadRequest(f"source '{name}' loads uploaded files; upload a file to it instead", field="name",
                             code="integration.not_database_source", params={"source": name})
        session.expunge(row)
    spec = spec_for(platform, row.entity)
    mapping = Mapping.model_validate(row.mapping)
    since = dbquery.watermark_value(row.watermark) if mode == "incremental" and row.watermark_column else None
    with open_query(_connect_url(row, platform), row.query or "", watermark_column=row.watermark_column,
                    since=since) as rows:
        columns, missing = logic.resolve_columns(rows.headers, spec, mapping)
        if missing:
            raise Invalid(f"the query has no column for the required field(s): {', '.join(missing)}",
                          field="mapping", code="integration.missing_fields", params={"fields": ", ".join(missing)})
        loaded = list(dict.fromkeys([*columns.values(), *logic.DERIVED.get(spec.name, ())]))

        def batches() -> Iterator[list[tuple[int, dict[str, Any]]]]:
            for batch in rows.batches():
                yield [(n, {columns[h]: v for h, v in raw.items() if h in columns}) for n, raw in batch]

        # Full only where the entity's rows are the whole truth (deletions become closures); else all rows as a delta.
        report = _run(platform=platform, spec=spec, source=name,
                      mode="full" if mode == "full" and spec.full_allowed else "delta", file_name=None,
                      mapping=mapping, batches=batches(), columns=loaded, unreadable=rows.unreadable,
                      reject_threshold=row.reject_threshold if row.reject_threshold is not None else 0.01,
                      username=username)
        seen = rows.watermark
    with platform.metadata.session() as session:
        saved = repo.source(session, name)
        if saved is not None:
            if row.watermark_column and seen is not None:
                saved.watermark = dbquery.watermark_json(dbquery.later(since, seen))
            if scheduled_day is not None:
                saved.last_scheduled = scheduled_day
    return report


def scheduled_sources(*, platform: Platform) -> list[tuple[str, str]]:
    """(name, schedule) of every database source with a daily schedule."""
    with platform.metadata.session() as session:
        return [(r.name, r.schedule) for r in repo.sources(session) if r.kind == "database" and r.schedule]

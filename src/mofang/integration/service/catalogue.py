"""The catalogue side of integration: declared entities and attributes, load history, reject files."""

from __future__ import annotations

from pathlib import Path

from mofang.integration import logic
from mofang.integration import repository as repo
from mofang.integration.contracts import (
    AttributeDeclare,
    AttributeRead,
    EntityRead,
    EntitySpec,
    FieldRead,
    LoadRead,
)
from mofang.integration.models import CustomAttribute, DataLoad
from mofang.integration.schemas import CUSTOMERS, ENTITIES
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.storage.models import as_utc, utcnow


def list_entities(*, platform: Platform) -> list[EntityRead]:
    """The declared schema of every entity (customers with the bank's declared attributes)."""
    specs = [spec_for(platform, name) for name in ENTITIES]
    return [EntityRead(name=e.name, zh=e.zh, key=list(e.key), full_allowed=e.full_allowed, fields=[
        FieldRead(key=f.key, type=f.type, zh=f.zh, meaning=f.meaning, example=f.example, required=f.required,
                  pii=f.pii, choices=list(f.choices), aliases=list(f.aliases)) for f in e.fields])
        for e in specs]


def entity_or_raise(name: str) -> EntitySpec:
    """A declared entity, or 422 naming the field."""
    spec = ENTITIES.get(name)
    if spec is None:
        raise Invalid(f"unknown entity '{name}' (one of {', '.join(ENTITIES)})", field="entity",
                      code="integration.unknown_entity", params={"entity": name})
    return spec


def spec_for(platform: Platform, name: str) -> EntitySpec:
    """A declared entity; customers carry the declared attributes too."""
    spec = entity_or_raise(name)
    if spec.name != "customers":
        return spec
    return logic.with_attributes(spec, list_attributes(platform=platform))


def list_attributes(*, platform: Platform) -> list[AttributeRead]:
    """The bank's declared customer attributes."""
    with platform.metadata.session() as session:
        return [AttributeRead(key=a.key, type=a.type, zh=a.zh, pii=a.pii)  # type: ignore[arg-type]
                for a in repo.attributes(session)]


def declare_attribute(*, platform: Platform, key: str, data: AttributeDeclare, username: str | None,
                      ip: str | None = None) -> AttributeRead:
    """Declare a customer attribute once (its Chinese name may be changed later, its type and PII flag not)."""
    if not logic.ATTRIBUTE_KEY.match(key) or key in CUSTOMERS.keys:
        raise Invalid(f"'{key}' cannot name an attribute: lower-case letters, digits and _, not a built-in field",
                      field="key", code="integration.bad_attribute_key", params={"key": key})
    with platform.metadata.session() as session:
        row = repo.attribute(session, key)
        if row is not None and (row.type != data.type or row.pii != data.pii):
            raise Conflict(f"attribute '{key}' is declared as {row.type}{' (PII)' if row.pii else ''}; "
                           "its type and PII flag cannot change", field="type", code="integration.attribute_fixed",
                           params={"key": key})
        if row is None:
            repo.add_attribute(session, CustomAttribute(key=key, type=data.type, zh=data.zh, pii=data.pii,
                                                        created_by=username, created_at=utcnow()))
        else:
            row.zh = data.zh
        gov.record(session=session, username=username, action="data.attribute_declare", target_type="attribute",
                   target_id=key, detail=data.model_dump(), ip=ip)
    return AttributeRead(key=key, **data.model_dump())


def rejects_dir(platform: Platform) -> Path:
    """Where reject files are kept."""
    return platform.settings.data_dir / "integration" / "rejects"


def _read(row: DataLoad) -> LoadRead:
    return LoadRead(
        id=row.id, source=row.source, entity=row.entity, mode=row.mode, file_name=row.file_name,  # type: ignore[arg-type]
        status=row.status, rows_read=row.rows_read, rows_loaded=row.rows_loaded,  # type: ignore[arg-type]
        rows_unchanged=row.rows_unchanged, rows_rejected=row.rows_rejected, rows_closed=row.rows_closed,
        events_emitted=row.events_emitted or 0,
        error=row.error, error_code=row.error_code, started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at) if row.finished_at else None, duration_ms=row.duration_ms,
        username=row.username)


def list_loads(*, platform: Platform, limit: int = 50, offset: int = 0) -> tuple[list[LoadRead], int]:
    """The load history, newest first."""
    with platform.metadata.session() as session:
        rows, total = repo.loads(session, limit=limit, offset=offset)
        return [_read(r) for r in rows], total


def get_load_or_raise(*, platform: Platform, load_id: int) -> LoadRead:
    """One load, or 404."""
    with platform.metadata.session() as session:
        row = repo.load(session, load_id)
        if row is None:
            raise NotFound(f"no load {load_id}", field="load_id", code="integration.no_load",
                           params={"load_id": load_id})
        return _read(row)


def rejects_file(*, platform: Platform, load_id: int, username: str | None, ip: str | None) -> Path:
    """The reject file of a load (its download is audited)."""
    get_load_or_raise(platform=platform, load_id=load_id)
    path = rejects_dir(platform) / f"{load_id}.csv"
    if not path.is_file():
        raise NotFound(f"load {load_id} kept no reject file", field="load_id", code="integration.no_rejects",
                       params={"load_id": load_id})
    with platform.metadata.session() as session:
        gov.record(session=session, username=username, action="data.rejects_download", target_type="data_load",
                   target_id=str(load_id), ip=ip)
    return path

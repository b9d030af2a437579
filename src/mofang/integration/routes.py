"""HTTP routes of data integration: file loads, database sources, load history and rejects, customer pushes."""

from __future__ import annotations

import shutil
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ValidationError

from mofang.integration import quality, service
from mofang.integration.contracts import (
    AttributeDeclare,
    AttributeRead,
    CustomerPush,
    DatabaseSourceSave,
    EntityRead,
    LoadRead,
    Mapping,
    Mode,
    SourceRead,
    SourceRun,
)
from mofang.integration.identities.contracts import CoverageRead, IdentityBatchIn, IdentityPut, PushResult
from mofang.integration.quality import QualityRead
from mofang.integration.tasks import schedule_sources
from mofang.platform.csvfile import MEDIA_TYPE
from mofang.platform.deps import PlatformDep, client_ip, require
from mofang.platform.errors import BadRequest
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_CUSTOMERS_READ, P_DATA_LOAD

router = APIRouter(prefix="/api/data", tags=["integration"])
Loader = Annotated[Principal, Depends(require(P_DATA_LOAD))]
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
UPLOAD_CHUNK = 1 << 20
SourceName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class LoadPage(BaseModel):
    """A page of the load history."""

    items: list[LoadRead]
    total: int


@router.get("/entities", response_model=list[EntityRead])
def entities(_who: Loader, platform: PlatformDep) -> list[EntityRead]:
    """The declared schema of every loadable entity (fields, types, Chinese names, aliases, PII flags)."""
    return service.list_entities(platform=platform)


@router.get("/attributes", response_model=list[AttributeRead])
def attributes(_who: Loader, platform: PlatformDep) -> list[AttributeRead]:
    """The bank's declared customer attributes."""
    return service.list_attributes(platform=platform)


@router.put("/attributes/{key}", response_model=AttributeRead)
def declare_attribute(key: Annotated[str, Path(max_length=40)], body: AttributeDeclare, who: Loader,
                      platform: PlatformDep, request: Request) -> AttributeRead:
    """Declare a customer attribute of the bank's own (type, Chinese name, PII flag); audited."""
    return service.declare_attribute(platform=platform, key=key, data=body, username=who.username,
                                     ip=client_ip(request))


@router.post("/loads", response_model=LoadRead, status_code=201)
def create_load(
    who: Loader, platform: PlatformDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK; , | or tab), Parquet or JSONL")],
    entity: Annotated[str, Form(max_length=32)],
    mode: Annotated[Mode, Form(description="full closes rows missing from the file; delta only adds/updates")]
    = "delta",
    mapping: Annotated[str | None, Form(max_length=20_000, description="JSON {columns, values, date_format}")]
    = None,
    source: Annotated[str | None, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")] = None,
    reject_threshold: Annotated[float, Form(ge=0, le=1)] = service.DEFAULT_REJECT_THRESHOLD,
) -> LoadRead:
    """Load one file: rows checked, rejects kept, then applied in one transaction (idempotent by business key)."""
    parsed = None
    if mapping:
        try:
            parsed = Mapping.model_validate_json(mapping)
        except ValidationError:
            raise BadRequest("mapping is not valid JSON of {columns, values, date_format}", field="mapping",
                             code="integration.bad_mapping") from None
    spec = service.entity_or_raise(entity)
    folder = platform.settings.data_dir / "integration" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.upload"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, UPLOAD_CHUNK)
        return service.load_file(platform=platform, entity=spec.name, path=path, file_name=file.filename or "upload",
                                 mode=mode, mapping=parsed, source=source, reject_threshold=reject_threshold,
                                 username=who.username)
    finally:
        path.unlink(missing_ok=True)


@router.get("/loads", response_model=LoadPage)
def list_loads(
    _who: Loader, platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
) -> LoadPage:
    """The load history, newest first."""
    items, total = service.list_loads(platform=platform, limit=limit, offset=offset)
    return LoadPage(items=items, total=total)


@router.get("/loads/{load_id}", response_model=LoadRead)
def get_load(load_id: Annotated[int, Path(ge=1)], _who: Loader, platform: PlatformDep) -> LoadRead:
    """One load's report."""
    return service.get_load_or_raise(platform=platform, load_id=load_id)


@router.get("/loads/{load_id}/rejects", response_class=FileResponse)
def download_rejects(load_id: Annotated[int, Path(ge=1)], who: Loader, platform: PlatformDep,
                     request: Request) -> FileResponse:
    """The rejected rows of a load as CSV (row, field, reason, value masked when PII); audited."""
    path = service.rejects_file(platform=platform, load_id=load_id, username=who.username, ip=client_ip(request))
    return FileResponse(path, media_type=MEDIA_TYPE, filename=f"rejects-{load_id}.csv")


@router.put("/customers/{customer_id}", response_model=LoadRead)
def push_customer(
    customer_id: Annotated[str, Path(min_length=1, max_length=64)], body: CustomerPush, who: Loader,
    platform: PlatformDep,
) -> LoadRead:
    """Create or update one customer from a bank system (same checks, history and encryption as a file load)."""
    return service.push_customer(platform=platform, customer_id=customer_id, body=body, username=who.username)


@router.put("/customers/{customer_id}/identities", response_model=PushResult)
def put_identities(
    customer_id: Annotated[str, Path(min_length=1, max_length=64)], body: IdentityPut, who: Loader,
    platform: PlatformDep,
) -> PushResult:
    """Replace the identities a bank system holds for one customer (mobile, e-mail, openid, push token, app user)."""
    return service.put_identities(platform=platform, customer_id=customer_id, body=body, username=who.username)


@router.post("/identities:batch", response_model=PushResult)
def push_identities(body: IdentityBatchIn, who: Loader, platform: PlatformDep) -> PushResult:
    """Add or update identities of many customers; a retry with the same idempotency key applies nothing again."""
    return service.push_batch(platform=platform, body=body, username=who.username)


@router.get("/identities/coverage", response_model=CoverageRead)
def identity_coverage(who: Reader, platform: PlatformDep) -> CoverageRead:
    """Per channel, the share of the customers the viewer may see that can be reached there."""
    return service.coverage_for(platform=platform, who=who)


@router.get("/quality", response_model=QualityRead)
def data_quality(who: Reader, platform: PlatformDep) -> QualityRead:
    """Per table, rows, freshness, null rates of key fields and orphans, as the viewer may see them."""
    return quality.quality(platform=platform, who=who)


@router.get("/sources", response_model=list[SourceRead])
def list_sources(_who: Loader, platform: PlatformDep) -> list[SourceRead]:
    """The saved sources (database passwords never shown)."""
    return service.list_sources(platform=platform)


@router.get("/sources/{name}", response_model=SourceRead)
def get_source(name: SourceName, _who: Loader, platform: PlatformDep) -> SourceRead:
    """One saved source (its database password masked)."""
    return service.get_source_or_raise(platform=platform, name=name)


@router.put("/sources/{name}", response_model=SourceRead)
def save_source(name: SourceName, body: DatabaseSourceSave, who: Loader, platform: PlatformDep,
                request: Request) -> SourceRead:
    """Create or replace a database source (URL, one read-only SELECT, mapping, watermark, schedule); audited."""
    saved = service.save_database_source(platform=platform, name=name, data=body, username=who.username,
                                         ip=client_ip(request))
    schedule_sources(platform)  # today's run happens when its time comes, without waiting for tomorrow
    return saved


@router.post("/sources/{name}/run", response_model=LoadRead)
def run_source(name: SourceName, body: SourceRun, who: Loader, platform: PlatformDep) -> LoadRead:
    """Run a database source now: `full` reads everything, `incremental` only rows past the last watermark."""
    return service.run_source(platform=platform, name=name, mode=body.mode, username=who.username)

"""Admin routes for scheduled jobs: recent runs, and running a job now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from mofang.platform.deps import PlatformDep, SessionDep, require
from mofang.platform.errors import NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_ADMIN_USERS
from mofang.platform.scheduler import Scheduler
from mofang.platform.storage.models import JobRun, as_utc

router = APIRouter(prefix="/api/admin/jobs", tags=["jobs"])
Admin = Annotated[Principal, Depends(require(P_ADMIN_USERS))]


class JobRunRead(BaseModel):
    """One run of a daily job."""

    job: str
    day: date
    status: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None


def _read(r: JobRun) -> JobRunRead:
    return JobRunRead(job=r.job, day=r.day, status=r.status, started_at=as_utc(r.started_at),
                      finished_at=as_utc(r.finished_at) if r.finished_at else None, error=r.error)


@router.get("", response_model=dict[str, list[JobRunRead] | list[str]])
def list_runs(_who: Admin, session: SessionDep, platform: PlatformDep,
              limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, list[JobRunRead] | list[str]]:
    """Registered jobs and their latest runs."""
    scheduler: Scheduler = platform.extras["scheduler"]
    rows = session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(limit))
    return {"jobs": sorted(scheduler.jobs), "runs": [_read(r) for r in rows]}


@router.post("/{name}/run", response_model=JobRunRead)
def run_now(name: str, who: Admin, platform: PlatformDep,
            day: Annotated[date | None, Query(description="Business day (default today)")] = None) -> JobRunRead:
    """Run a job now (for today or a given day); audited."""
    scheduler: Scheduler = platform.extras["scheduler"]
    if name not in scheduler.jobs:
        raise NotFound(f"no job named '{name}'")
    run = scheduler.run_job(name, day)
    with platform.metadata.session() as session:
        gov.record(session=session, username=who.username, action="job.run", target_type="job", target_id=name,
                   detail={"day": str(run.day), "status": run.status}, ip=who.ip)
    return _read(run)

"""Entry points run outside a request: the `mofang load` command, and database sources run by their schedule."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, time
from pathlib import Path

from mofang.insight import profiles
from mofang.integration import dbquery, identities, service
from mofang.integration.contracts import LoadRead, Mapping, Mode, RunMode
from mofang.platform.context import Platform
from mofang.platform.scheduler import Job, Scheduler

SOURCE_JOB_PREFIX = "integration.source:"
JOB_NAME_MAX = 64  # the width of job_runs.job


def source_job_name(name: str) -> str:
    """The job name of a source's schedule, within the width of the job history (long names shortened uniquely)."""
    full = f"{SOURCE_JOB_PREFIX}{name}"
    if len(full) <= JOB_NAME_MAX:
        return full
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{full[:JOB_NAME_MAX - 17]}~{digest}"


def load_from_cli(*, platform: Platform, entity: str, file: Path, mode: Mode, mapping_file: Path | None,
                  source: str | None, reject_threshold: float) -> LoadRead:
    """Load a file as the operator `cli` (the mapping read from a JSON file when given)."""
    mapping = Mapping.model_validate_json(mapping_file.read_text(encoding="utf-8")) if mapping_file else None
    return service.load_file(platform=platform, entity=entity, path=file, file_name=file.name, mode=mode,
                             mapping=mapping, source=source, reject_threshold=reject_threshold, username="cli")


def run_source_from_cli(*, platform: Platform, source: str, mode: RunMode) -> LoadRead:
    """Run a saved database source as the operator `cli`."""
    return service.run_source(platform=platform, name=source, mode=mode, username="cli")


def source_job(name: str, at: time) -> Job:
    """The daily job of one scheduled source: an incremental load (a full one when it has no watermark)."""

    def run(platform: Platform, day: date) -> LoadRead:
        source = service.get_source_or_raise(platform=platform, name=name)
        mode: RunMode = "incremental" if source.watermark_column else "full"
        return service.run_source(platform=platform, name=name, mode=mode, username="scheduler", scheduled_day=day)

    return Job(name=source_job_name(name), run=run, at=at)


def schedule_sources(platform: Platform, _day: date | None = None) -> list[str]:
    """Give the scheduler one daily job per scheduled source (its run is claimed once a day like any job)."""
    scheduler = platform.extras.get("scheduler")
    if not isinstance(scheduler, Scheduler):
        return []
    wanted = {source_job_name(name): source_job(name, at)
              for name, schedule in service.scheduled_sources(platform=platform)
              if (at := dbquery.schedule_time(schedule)) is not None}
    for stale in [n for n in scheduler.jobs if n.startswith(SOURCE_JOB_PREFIX) and n not in wanted]:
        del scheduler.jobs[stale]
    for job in wanted.values():
        scheduler.register(job)
    return sorted(wanted)


# At midnight bank time (or at the first tick of a process started later) the day's source jobs are put in place.
# Named per process: each process's scheduler needs them, also one restarted after another ran today's setup.
SOURCES_JOB = Job(name=f"integration.sources@{uuid.uuid4().hex[:12]}", run=schedule_sources, at=time(0, 0))


def apply_profile_writes(platform: Platform) -> int:
    """Write the declared attributes strategies set on profiles into the customers' custom attributes."""
    with platform.metadata.session() as session:
        pending = profiles.pending_writes(session=session)
    done = 0
    for key, values in pending.items():
        service.push_attribute_values(platform=platform, key=key, values=values, username="strategy")
        with platform.metadata.session() as session:
            profiles.written(session=session, key=key, values=values)
        done += len(values)
    return done


def refresh_identities(platform: Platform, _day: date | None = None) -> dict[str, int]:
    """Daily: merge the app user ids events linked to customers, and apply attributes strategies set."""
    counts = identities.merge_events(platform=platform)
    counts["attributes_written"] = apply_profile_writes(platform)
    return counts


# 01:30 bank time: before the tag run (02:00), whose profile refresh then carries the attributes written here.
IDENTITIES_JOB = Job(name="integration.identities", run=refresh_identities, at=time(1, 30))

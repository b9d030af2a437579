"""Daily jobs (tag computation, segment snapshots, alerts …) run once per business day, in process.

A run is claimed by inserting (job, day) under a unique constraint, so two processes never run the same
day's job twice; a failed run is recorded with its error and may be run again on demand.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mofang.platform.context import Platform
from mofang.platform.storage.models import JobRun, utcnow

log = logging.getLogger("mofang.scheduler")
BANK_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Job:
    """A daily job: its name, what it does for a business day, and the bank-local time it runs at."""

    name: str
    run: Callable[[Platform, date], object]
    at: time = time(2, 0)


def business_day(now: datetime) -> date:
    """The bank's calendar day at an instant."""
    return now.astimezone(BANK_TZ).date()


def due_jobs(jobs: Iterable[Job], *, done: set[tuple[str, date]], now: datetime) -> list[Job]:
    """Jobs whose time has come today (bank time) and that have no run for today yet."""
    local = now.astimezone(BANK_TZ)
    return [j for j in jobs if local.time() >= j.at and (j.name, local.date()) not in done]


class Scheduler:
    """Runs registered daily jobs in a background thread; `run_job` runs one on demand."""

    def __init__(self, platform: Platform, jobs: Iterable[Job] = (), *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), poll_seconds: float = 30.0) -> None:
        self.platform = platform
        self.jobs = {j.name: j for j in jobs}
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, job: Job) -> None:
        """Add a job."""
        self.jobs[job.name] = job

    def _done_today(self, day: date) -> set[tuple[str, date]]:
        with self.platform.metadata.session() as s:
            return {(r.job, r.day) for r in s.scalars(select(JobRun).where(JobRun.day == day))}

    def tick(self) -> list[JobRun]:
        """Run every job that is due now; returns the runs made."""
        now = self.clock()
        done = self._done_today(business_day(now))
        return [run for job in due_jobs(self.jobs.values(), done=done, now=now)
                if (run := self._claim_and_run(job, business_day(now), rerun=False)) is not None]

    def run_job(self, name: str, day: date | None = None) -> JobRun:
        """Run one job now for a day (default today), replacing an earlier run of that day."""
        job = self.jobs[name]
        run = self._claim_and_run(job, day or business_day(self.clock()), rerun=True)
        assert run is not None  # a rerun always claims
        return run

    def _claim_and_run(self, job: Job, day: date, *, rerun: bool) -> JobRun | None:
        with self.platform.metadata.session() as s:
            existing = s.scalars(select(JobRun).where(JobRun.job == job.name, JobRun.day == day)).first()
            if existing is not None and not rerun:
                return None
            if existing is None:
                existing = JobRun(job=job.name, day=day, status="running", started_at=utcnow())
                s.add(existing)
                try:
                    s.flush()
                except IntegrityError:  # another process claimed it first
                    s.rollback()
                    return None
            else:
                existing.status, existing.started_at, existing.error, existing.finished_at = \
                    "running", utcnow(), None, None
            run_id = existing.id
        status, error = "ok", None
        try:
            job.run(self.platform, day)
        except Exception as exc:  # a failed job is recorded, never fatal to the server
            log.exception("job %s for %s failed", job.name, day)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        with self.platform.metadata.session() as s:
            row = s.get(JobRun, run_id)
            assert row is not None
            row.status, row.error, row.finished_at = status, error, utcnow()
            s.flush()
            s.expunge(row)
            return row

    def start(self) -> None:
        """Start the background loop."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mofang-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop (a running job finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # keep the loop alive through a transient database error
                log.exception("scheduler tick failed")
            self._stop.wait(self.poll_seconds)

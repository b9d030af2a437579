"""Daily jobs run once per business day, record failures, and can be rerun on demand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mofang.platform.scheduler import Job, Scheduler, business_day, due_jobs


def test_business_day_is_beijing_time() -> None:
    assert business_day(datetime(2026, 11, 21, 17, 0, tzinfo=UTC)) == date(2026, 11, 22)
    assert business_day(datetime(2026, 11, 21, 15, 59, tzinfo=UTC)) == date(2026, 11, 21)


def test_a_job_is_due_after_its_time_until_it_has_run() -> None:
    job = Job("tags", lambda p, d: None)  # 02:00 Beijing = 18:00 UTC the day before
    before = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)
    after = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)
    assert due_jobs([job], done=set(), now=before) == []
    assert due_jobs([job], done=set(), now=after) == [job]
    assert due_jobs([job], done={("tags", date(2026, 11, 22))}, now=after) == []


def test_scheduler_runs_each_day_once_and_records_failures(platform) -> None:
    calls: list[date] = []
    now = [datetime(2026, 11, 21, 19, 0, tzinfo=UTC)]

    def boom(_p, _d):
        raise RuntimeError("disk full")

    sched = Scheduler(platform, [Job("ok", lambda p, d: calls.append(d)), Job("bad", boom)], clock=lambda: now[0])
    runs = {r.job: r for r in sched.tick()}
    assert runs["ok"].status == "ok" and runs["bad"].status == "failed" and "disk full" in runs["bad"].error
    assert sched.tick() == []  # same day: nothing runs twice
    assert calls == [date(2026, 11, 22)]
    now[0] = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    assert {r.job for r in sched.tick()} == {"ok", "bad"}
    assert calls == [date(2026, 11, 22), date(2026, 11, 23)]
    rerun = sched.run_job("ok", date(2026, 11, 22))
    assert rerun.status == "ok" and calls[-1] == date(2026, 11, 22)

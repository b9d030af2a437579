"""Segment entry runs, schedules, signed webhooks and node quotas."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.strategy.canvas.contracts import Schedule
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.repository import EngineEntryRun, EngineInstance
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.service.dispatch import webhook_secret
from strategy.runtime.kit import Clock, effects_of, send_delay_exit


def test_last_slot_is_in_bank_time() -> None:
    now = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai
    daily = engine.last_slot(Schedule(every="daily", at="09:00"), now, "Asia/Shanghai")
    assert daily.isoformat() == "2026-12-06T09:00:00+08:00"
    weekly = engine.last_slot(Schedule(every="weekly", at="08:00", weekdays=[1, 3]), now, "Asia/Shanghai")
    assert weekly.isoformat() == "2026-12-07T08:00:00+08:00"
    friday = engine.last_slot(Schedule(every="weekly", at="08:00", weekdays=[5]), now, "Asia/Shanghai")
    assert friday.isoformat() == "2026-12-04T08:00:00+08:00"


def _members(ids: list[str]):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def members(*, platform: Platform, segment_id: int, org_code: str) -> Iterator[list[str]]:
        calls.append(segment_id)
        for start in range(0, len(ids), 700):
            yield ids[start:start + 700]

    return members, calls


def test_a_segment_enters_once_at_activation_in_bulk(platform: Platform, rt: Runtime) -> None:
    entry = {"id": "in", "type": "segment_entry", "segment_id": 4}
    activate(platform=platform, strategy_id=2, version=1, graph=send_delay_exit(entry), org_code="HQ")
    ids = [f"c{i}" for i in range(2_000)]
    members, calls = _members(ids)
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 2_000
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 0  # the run is done
    assert calls == [4]
    with platform.metadata.session() as s:
        assert s.scalar(select(EngineEntryRun.status)) == "done"
        assert s.query(EngineInstance).count() == 2_000
    while engine.dispatch(platform=platform, rt=rt):
        pass
    assert len(effects_of(platform)) == 2_000


def test_a_recurring_entry_runs_once_per_slot(platform: Platform, rt: Runtime, clock: Clock) -> None:
    entry = {"id": "in", "type": "segment_entry", "segment_id": 4, "recurring": {"every": "daily", "at": "09:00"},
             "reentry": {"policy": "always"}}
    activate(platform=platform, strategy_id=2, version=1, graph=send_delay_exit(entry, seconds=5), org_code="HQ")
    members, calls = _members(["a", "b"])
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 0  # 09:00 today was before publishing
    clock.advance(23 * 3600)  # 09:00 next day has passed
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 2
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 0
    while engine.dispatch(platform=platform, rt=rt):  # the pushes go out; each delay counts from its result
        pass
    clock.advance(3600)
    while engine.tick_timers(platform=platform, rt=rt) or engine.dispatch(platform=platform, rt=rt):
        pass
    clock.advance(24 * 3600)
    assert engine.run_entries(platform=platform, rt=rt, members=members) == 2  # always: every run enters
    assert calls == [4, 4]


class _Hook(BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[bytes, dict[str, str]]]] = []
    answers: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Hook.got.append((body, dict(self.headers)))
        self.send_response(_Hook.answers.pop(0) if _Hook.answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", start_background=False, scheduler=False,
                    outbound_allow_hosts="127.0.0.1")


@pytest.fixture
def hook_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.got, _Hook.answers = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_webhook_is_signed_and_keyed(platform: Platform, hook_url: str, clock: Clock) -> None:
    out = engine.call_webhook(platform=platform, key="7:hook:3", url=hook_url, body={"score": 1},
                              route={"strategy_id": 7, "customer_id": "c1"}, now=clock.now)
    assert out.outcome == "ok"
    [(body, headers)] = _Hook.got
    want = "sha256=" + hmac.new(webhook_secret(platform), body, hashlib.sha256).hexdigest()
    assert headers["X-Mofang-Signature"] == want and headers["Idempotency-Key"] == "7:hook:3"
    assert json.loads(body)["data"] == {"score": 1}
    with platform.metadata.session() as s:  # the secret is kept encrypted
        from mofang.strategy.engine.repository import EngineSecret

        assert webhook_secret(platform).decode() not in s.get(EngineSecret, "webhook").value_enc


def test_a_webhook_retries_server_errors_and_gives_up_on_refusals(platform: Platform, hook_url: str,
                                                                  clock: Clock) -> None:
    _Hook.answers = [503, 400]
    route = {"strategy_id": 7, "customer_id": "c1"}
    first = engine.call_webhook(platform=platform, key="k", url=hook_url, body={}, route=route, now=clock.now)
    second = engine.call_webhook(platform=platform, key="k", url=hook_url, body={}, route=route, now=clock.now)
    assert (first.outcome, second.outcome) == ("retry", "failed")
    refused = engine.call_webhook(platform=platform, key="k", url="http://10.1.2.3/x", body={}, route=route,
                                  now=clock.now)
    assert refused.outcome == "failed"


@pytest.mark.parametrize("store", ["embedded", "redis"])
def test_a_node_quota_grants_exactly_its_limit_and_answers_retries_the_same(platform: Platform, store: str) -> None:
    if store == "redis":  # several workers: the quota lives in Redis, under this installation's prefix
        url = os.environ.get("MOFANG_TEST_REDIS_URL")
        if not url:
            pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
        platform.settings.redis_url = url
        platform.settings.redis_key_prefix = f"test:{uuid.uuid4().hex}:"
    period = datetime(2026, 12, 1, tzinfo=UTC)
    answers: dict[str, bool] = {}
    lock = threading.Lock()

    def ask(i: int) -> None:
        got = engine.ask_quota(platform=platform, key=f"k{i}", strategy_id=1, node="rl", limit=10,
                               period_start=period)
        with lock:
            answers[f"k{i}"] = got

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(answers.values()) == 10
    granted = next(k for k, v in answers.items() if v)
    refused = next(k for k, v in answers.items() if not v)
    for key in (granted, refused):
        assert engine.ask_quota(platform=platform, key=key, strategy_id=1, node="rl", limit=10,
                                period_start=period) is answers[key]

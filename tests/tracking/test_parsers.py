"""Parse workers: batches are decoded in child processes, which are replaced when they die or hang."""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import orjson
import pytest
from ingest_helpers import Sender, track

from mofang.platform.context import Platform
from mofang.tracking import logic, parsers

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop in its own thread (browser tests may leave a loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _options(**over: Any) -> dict[str, Any]:
    return {"encoding": None, "kind": None, "received_us": logic.now_us(), "max_event_bytes": 32 * 1024,
            "max_batch_bytes": 500 * 1024, "want_key": False, **over}


def _pool(platform: Platform) -> parsers.ParsePool:
    pool = platform.extras.get("parse_pool")
    assert isinstance(pool, parsers.ParsePool), "the server should run parse workers by default"
    return pool


def test_batches_are_parsed_in_worker_processes(send: Sender, platform: Platform, stored: Any, app_client: Any,
                                                admin_headers: dict[str, str]) -> None:
    assert send.batch([track(messageId=f"m{i}") for i in range(50)]).status_code == 200
    pids = _pool(platform).pids
    assert len(pids) == platform.settings.ingest_parse_workers == 2
    assert os.getpid() not in pids
    assert len(stored()) == 50
    status = app_client.get("/api/tracking/status", headers=admin_headers).json()
    assert status["parse_workers"] == {"configured": 2, "running": 2}


def test_a_killed_worker_costs_at_most_a_retry(send: Sender, platform: Platform, stored: Any) -> None:
    assert send.batch([track(messageId="before")]).status_code == 200
    for pid in _pool(platform).pids:
        os.kill(pid, signal.SIGKILL)
    answers = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        res = send.batch([track(messageId="after")])
        answers.append(res.status_code)
        if res.status_code == 200:
            break
        # What a client may see while a worker is replaced: a retryable 503, never a 500.
        assert res.status_code == 503 and res.headers["Retry-After"] == "1", res.text
        time.sleep(0.05)
    assert answers[-1] == 200, answers
    assert [r["message_id"] for r in stored()] == ["before", "after"]
    assert len(_pool(platform).pids) >= 1


def test_a_hung_worker_is_answered_503_and_replaced() -> None:
    async def scenario() -> tuple[str, logic.Prepared, int, int]:
        pool = parsers.ParsePool(1, answer_timeout=1.0)
        body = orjson.dumps({"batch": [track(messageId="h1")]})
        try:
            first = await pool.prepare(body, **_options())
            assert first.count == 1
            (hung,) = pool.pids
            os.kill(hung, signal.SIGSTOP)
            try:
                await pool.prepare(body, **_options())
                outcome = "answered"
            except parsers.ParserUnavailable as exc:
                outcome = str(exc)
            # The replacement answers; like a client told Retry-After, ask again while it is still starting
            # (a new interpreter takes over a second on a loaded box).
            for _ in range(10):
                try:
                    again = await pool.prepare(body, **_options())
                    break
                except parsers.ParserUnavailable:
                    await asyncio.sleep(1)
            else:
                raise AssertionError("the replacement worker never answered")
            (fresh,) = pool.pids
            return outcome, again, hung, fresh
        finally:
            await pool.close()

    outcome, again, hung, fresh = run(scenario())
    assert "did not answer" in outcome
    assert again.count == 1 and again.error is None
    assert fresh != hung


def test_close_answers_what_was_sent_first() -> None:
    async def scenario() -> list[int]:
        pool = parsers.ParsePool(2)
        bodies = [gzip.compress(orjson.dumps({"batch": [track(messageId=f"{n}-{i}") for i in range(n)]}))
                  for n in range(1, 40)]
        await pool.start()
        tasks = [asyncio.ensure_future(pool.prepare(b, **_options(encoding="gzip"))) for b in bodies]
        await asyncio.sleep(0)  # every request is written to a child
        await pool.close()
        with pytest.raises(parsers.ParserUnavailable):
            await pool.prepare(bodies[0], **_options(encoding="gzip"))
        return [r.count for r in await asyncio.gather(*tasks)]

    assert run(scenario()) == list(range(1, 40))


def test_answers_come_back_to_the_request_that_asked() -> None:
    async def scenario() -> list[tuple[int, list[str]]]:
        pool = parsers.ParsePool(2)
        try:
            bodies = [orjson.dumps({"batch": [track(messageId=f"r{n}-{i}") for i in range(n % 7 + 1)]})
                      for n in range(60)]
            results = await asyncio.gather(*[pool.prepare(b, **_options()) for b in bodies])
        finally:
            await pool.close()
        return [(r.count, [orjson.loads(line)["message_id"] for line in r.payload.split(b"\n")]) for r in results]

    for n, (count, ids) in enumerate(run(scenario())):
        assert count == n % 7 + 1
        assert ids == [f"r{n}-{i}" for i in range(count)]

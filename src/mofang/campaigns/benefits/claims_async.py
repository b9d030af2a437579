"""Claims on the event loop: concurrent requests await one future each; a batch decides all waiting at the time.

No thread per request. The first request that finds no batch running starts one (at most `claims_workers` run at
once per loop); a batch takes up to `claims_batch_size` waiting requests and decides them with the same code as the
threaded path (`issuing` / `redis_stock`): on Redis, ONE script call over an asyncio client, the answers handed out
as soon as Redis holds them and the ledger written from Redis's stream by the process's drainer (so an answer given
survives a crash of this process); embedded, the batch's transaction runs on a thread (SQLite blocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from mofang.campaigns.benefits import issuing
from mofang.campaigns.benefits.contracts import IssueResult
from mofang.campaigns.benefits.issuing import Pending
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError

_EXTRA = "benefits_claims_async"


class _Batcher:
    """The requests waiting on one event loop, the batches deciding them and (Redis) the loop's own client."""

    def __init__(self, platform: Platform, loop: asyncio.AbstractEventLoop) -> None:
        self.platform, self.loop = platform, loop
        self.queue: list[Pending] = []
        self.running = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.script: Any = None  # the batch script on an asyncio Redis client (its connections belong to this loop)
        self.client: Any = None

    def submit(self, me: Pending) -> asyncio.Future[None]:
        me.wake = self.loop.create_future()
        self.queue.append(me)
        if self.running < self.platform.settings.claims_workers:
            self.running += 1
            task = self.loop.create_task(self._work())
            self.tasks.add(task)  # held: the loop keeps only weak references to tasks
            task.add_done_callback(self.tasks.discard)
        return me.wake

    async def _work(self) -> None:
        """Decide batches while requests wait; every request taken is answered, whatever happens."""
        try:
            while self.queue:
                size = self.platform.settings.claims_batch_size
                batch = self.queue[:size]
                del self.queue[:size]
                failure: BaseException = RuntimeError("the claim was not decided")
                try:
                    await self._decide(batch)
                except Exception as exc:  # every waiter learns of the failure; none hangs
                    failure = exc
                finally:
                    _wake(batch, failure)
        finally:
            self.running -= 1

    async def _decide(self, batch: list[Pending]) -> None:
        if not self.platform.settings.redis_url:
            await asyncio.to_thread(_embedded, self.platform, batch)
            return
        await self._redis(batch, reloaded=False)

    async def _redis(self, batch: list[Pending], *, reloaded: bool) -> None:
        from mofang.campaigns.benefits import redis_stock

        plat = self.platform
        if self.script is None:
            await asyncio.to_thread(redis_stock.state, plat)  # first use raises the id floor: I/O
            self.client, self.script = _client(plat)
        st = redis_stock.state(plat)
        await _load_scopes(plat, st, batch)
        need = [p for p in batch if not p.done and not p.ask.org_code
                and redis_stock.needs_org(st, p.ask.benefit_id, p.ask.campaign_id)]
        if need:  # the branch decides the pool: one lookup for the batch, off the loop
            await asyncio.to_thread(issuing.fill_orgs, plat, need)
        keys, args, sent = redis_stock.prepare(plat, st, [p for p in batch if not p.done])
        answers = orjson.loads(await self.script(keys=keys, args=args)) if sent else []
        again = redis_stock.settle(plat, st, sent, answers, reloaded=reloaded)
        if again:
            await asyncio.to_thread(redis_stock.reload, plat, st)
            await self._redis(again, reloaded=True)


def _client(platform: Platform) -> tuple[Any, Any]:
    """An asyncio Redis client and the batch script registered on it."""
    import redis.asyncio

    from mofang.campaigns.benefits.redis_scripts import CLAIMS

    client = redis.asyncio.Redis.from_url(platform.settings.redis_url or "", decode_responses=True)
    return client, client.register_script(CLAIMS)


async def _load_scopes(platform: Platform, st: Any, batch: Sequence[Pending]) -> None:
    """Read the definitions and pools the batch needs that are not cached, off the loop; a missing one answers 404."""
    from mofang.campaigns.benefits import redis_stock

    stale = {(p.ask.benefit_id, p.ask.campaign_id) for p in batch
             if not redis_stock.fresh(st, p.ask.benefit_id, p.ask.campaign_id)}
    for benefit_id, campaign_id in stale:
        try:
            await asyncio.to_thread(redis_stock.scope, platform, benefit_id, campaign_id)
        except MofangError as exc:
            for p in batch:
                if (p.ask.benefit_id, p.ask.campaign_id) == (benefit_id, campaign_id):
                    p.error, p.done = exc, True


def _embedded(platform: Platform, batch: list[Pending]) -> None:
    issuing.fill_orgs(platform, batch)
    issuing.run(platform, [p for p in batch if not p.done])


def _wake(batch: list[Pending], failure: BaseException) -> None:
    for p in batch:
        if not p.done:
            p.error, p.done = failure, True
        if not p.wake.done():  # a caller that went away (cancelled) needs no wake-up; its answer stands
            p.wake.set_result(None)


def _batcher(platform: Platform) -> _Batcher:
    loop = asyncio.get_running_loop()
    b = platform.extras.get(_EXTRA)
    if b is None or b.loop is not loop:
        b = platform.extras[_EXTRA] = _Batcher(platform, loop)
    return b


async def issue(*, platform: Platform, benefit_id: int, customer_id: str, idempotency_key: str,
                campaign_id: int | None = None, org_code: str | None = None, now: datetime | None = None,
                source: str = "claim") -> IssueResult:
    """`issuing.issue` awaited on the event loop: the same checks, batches and answers, without a thread per call."""
    me = issuing.pending(benefit_id=benefit_id, customer_id=customer_id, idempotency_key=idempotency_key,
                         campaign_id=campaign_id, org_code=org_code, now=now, source=source)
    await _batcher(platform).submit(me)
    return issuing.answer(me)


async def close(platform: Platform) -> None:
    """Release the loop's Redis connections (at shutdown; requests still waiting are answered first)."""
    b = platform.extras.pop(_EXTRA, None)
    if b is None:
        return
    if b.tasks:
        await asyncio.gather(*b.tasks, return_exceptions=True)
    if b.client is not None:
        await b.client.aclose()

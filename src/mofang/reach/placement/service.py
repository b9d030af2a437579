"""Placement decisions in memory: the active placements and their content are loaded once per change (and at
least every few seconds, so other workers' changes arrive), impressions and clicks become events in the background.

A background thread keeps the placements fresh and holds a snapshot of which customers are in the segments the
placements name (rebuilt every `SEGMENTS_SECONDS`, a page of profiles at a time), so that a warm decision touches no
database: `decide_on_loop` answers without blocking or says it cannot, and `decide` reads what is missing.

Per-customer impression counts for the frequency cap live in Redis when `MOFANG_REDIS_URL` is set (one script checks
and counts, so several API processes behind a load balancer hold the cap together, and a restart forgets nothing),
else in this process (the embedded installation is one server).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from mofang.platform.context import Platform
from mofang.platform.errors import MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.redis_client import redis_key, redis_of
from mofang.platform.storage.models import utcnow
from mofang.reach.placement import repository as repo
from mofang.reach.placement.contracts import Decision, PlacementContent, PlacementRule
from mofang.reach.placement.events import Outbox
from mofang.reach.placement.logic import bank_day, candidates, choose

log = logging.getLogger("mofang.reach.placement")
REFRESH_SECONDS = 5.0  # the refresher reloads every half of this; the fast path trusts a load twice this old
KEY_TTL = 10.0  # seconds a checked write key is trusted without asking the database again (revocation lag)
KEYS_KEPT = 1000
SEGMENTS_SECONDS = 60.0  # a customer's segments are remembered this long (profiles change once a day)
SEGMENTS_KEPT = 200_000
SEGMENTS_PAGE = 2000  # profiles read per query while the snapshot is rebuilt (the GIL is let go between pages)
IDLE_SECONDS = 300.0  # the refresher stops when no decision asked for this long (and starts again with the next)
SHOWN_TTL_SECONDS = 2 * 86_400  # a bank day's counts, kept past the day's end in any time zone
# KEYS: the candidates' counters, best first; ARGV: their caps (0: none), the TTL. The first one under its cap is
# counted and its 1-based index returned; 0 when every candidate is capped.
_SHOW_LUA = """
for i, key in ipairs(KEYS) do
  local cap = tonumber(ARGV[i])
  if cap == 0 then return i end
  if tonumber(redis.call('GET', key) or '0') < cap then
    redis.call('INCR', key)
    redis.call('EXPIRE', key, ARGV[#KEYS + 1])
    return i
  end
end
return 0
"""


@dataclass(frozen=True)
class _Placements:
    """One load of the active placements, swapped in whole (a decision never sees half of two loads)."""

    by_slot: dict[str, list[PlacementRule]] = field(default_factory=dict)
    content: dict[str, PlacementContent] = field(default_factory=dict)
    content_json: dict[str, bytes] = field(default_factory=dict)
    wanted: frozenset[int] = frozenset()  # the segments the placements name


@dataclass
class _Cache:
    """The active placements by slot with their content; counts of impressions per (customer, placement, day)."""

    loaded_at: float = 0.0
    generation: int = 0  # bumped by every invalidation: a load that began before one does not count as fresh
    view: _Placements = field(default_factory=_Placements)
    shown: dict[tuple[str, str, str], int] = field(default_factory=dict)
    segments: dict[str, tuple[float, list[int]]] = field(default_factory=dict)
    keys: dict[str, float] = field(default_factory=dict)  # write key -> trusted until (re-checked in the background)
    # The snapshot: customers in `members_for` segments (others are in none of them), as of `members_at`.
    members: dict[str, list[int]] | None = None
    members_for: frozenset[int] = frozenset()
    members_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    load_lock: threading.Lock = field(default_factory=threading.Lock)
    used_at: float = 0.0
    refresher: threading.Thread | None = None
    outbox: Outbox | None = None


def _cache(platform: Platform) -> _Cache:
    cache: _Cache = platform.extras.setdefault("placement_cache", _Cache())
    if cache.outbox is None:
        cache.outbox = Outbox(platform)
    return cache


def invalidate(*, platform: Platform) -> None:
    """Reload placements at the next decision (called when a placement channel changes)."""
    cache = _cache(platform)
    cache.generation += 1
    cache.loaded_at = 0.0


def _load(platform: Platform, cache: _Cache) -> None:
    """Read the active placement channel and render each placement's template once."""
    from mofang.reach.content import render

    by_slot: dict[str, list[PlacementRule]] = {}
    content: dict[str, PlacementContent] = {}
    started, generation = time.monotonic(), cache.generation
    with platform.metadata.session() as session:
        found = repo.active_config(session)
        for raw in (found[1].get("placements") or []) if found else []:
            try:
                rule = PlacementRule.model_validate(raw)
                msg = render(session=session, template_id=rule.template_id, channel="placement", variables={},
                             facts={})
            except (ValueError, MofangError) as exc:  # a retired template or a bad row: that placement is off
                log.info("placement %s skipped: %s", str(raw.get("id") if isinstance(raw, dict) else "?")[:64],
                         type(exc).__name__)
                continue
            by_slot.setdefault(rule.slot, []).append(rule)
            content[rule.id] = PlacementContent(placement_id=rule.id, slot=rule.slot, template_id=rule.template_id,
                                                title=msg.title, body=msg.body, url=msg.url)
    cache.view = _Placements(by_slot=by_slot, content=content,
                             content_json={pid: orjson.dumps(c.model_dump()) for pid, c in content.items()},
                             wanted=frozenset(s for rules in by_slot.values() for r in rules for s in r.segment_ids))
    # Stamped with the time the read began; an invalidation during the read leaves it stale (read again).
    cache.loaded_at = started if generation == cache.generation else 0.0


def _fresh(cache: _Cache, *, tolerance: float = 1.0) -> bool:
    return cache.loaded_at > 0.0 and time.monotonic() - cache.loaded_at <= REFRESH_SECONDS * tolerance


def key_known(*, platform: Platform, key: str) -> bool:
    """Whether this write key was found valid within KEY_TTL (no I/O)."""
    return _cache(platform).keys.get(key, 0.0) > time.monotonic()


def check_key(*, platform: Platform, key: str) -> bool:
    """Ask the database whether a write key is valid; a valid one is remembered (and re-checked in the background)."""
    with platform.metadata.session() as session:
        valid = gov.write_key_valid(session=session, key=key)
    if valid:
        keys = _cache(platform).keys
        if len(keys) >= KEYS_KEPT:
            keys.clear()
        keys[key] = time.monotonic() + KEY_TTL
    return valid


def _recheck_keys(platform: Platform, cache: _Cache) -> None:
    """Re-check remembered keys before they lapse, so that requests never wait for it (a revoked one is dropped)."""
    for key, until in list(cache.keys.items()):
        if until - time.monotonic() < KEY_TTL / 2:
            with platform.metadata.session() as session:
                valid = gov.write_key_valid(session=session, key=key)
            if valid:
                cache.keys[key] = time.monotonic() + KEY_TTL
            else:
                cache.keys.pop(key, None)


def _ensure_loaded(platform: Platform, cache: _Cache) -> None:
    if not _fresh(cache):
        with cache.load_lock:
            if not _fresh(cache):
                _load(platform, cache)
    _keep_refreshing(platform, cache)


def decide(*, platform: Platform, slot: str, customer_id: str, now: datetime | None = None) -> Decision:
    """The content a slot shows this customer now (an impression event when there is one)."""
    now = now or utcnow()
    cache = _cache(platform)
    _ensure_loaded(platform, cache)
    view = cache.view
    rules = view.by_slot.get(slot)
    if not rules:
        return Decision(slot=slot, customer_id=customer_id)
    segments: list[int] = []
    if any(r.segment_ids for r in rules):
        known = _known_segments(cache, view, customer_id)
        segments = known if known is not None else _read_segments(platform, cache, customer_id)
    client = redis_of(platform)
    if client is not None:
        rule = _show_shared(platform, client, rules, segments, customer_id, bank_day(now), now)
    else:
        rule = _show_here(cache, rules, segments, customer_id, now)
    if rule is None:
        return Decision(slot=slot, customer_id=customer_id)
    assert cache.outbox is not None
    cache.outbox.add("placement_impression", rule, customer_id, now)
    cache.outbox.flush_in_thread()
    return Decision(slot=slot, customer_id=customer_id, placement=view.content[rule.id])


async def decide_on_loop(*, platform: Platform, slot: str, customer_id: str,
                         now: datetime | None = None) -> bytes | None:
    """`decide` without blocking the event loop, as the JSON of the Decision; None when it needs the database.

    Placements and segments come from memory (None when they are not there yet: use `decide` in a thread then);
    caps are counted here, or in Redis through an asyncio client. The impression is queued for the loop's own
    hand-over (`events.Outbox.flush_on_loop`).
    """
    cache = _cache(platform)
    if not _fresh(cache, tolerance=2.0):
        return None
    _keep_refreshing(platform, cache)
    view = cache.view
    rules = view.by_slot.get(slot)
    rule = None
    if rules:
        segments: list[int] = []
        if any(r.segment_ids for r in rules):
            known = _known_segments(cache, view, customer_id)
            if known is None:
                return None
            segments = known
        now = now or utcnow()
        if platform.settings.redis_url:
            rule = await _show_shared_async(platform, rules, segments, customer_id, bank_day(now), now)
        else:
            rule = _show_here(cache, rules, segments, customer_id, now)
        if rule is not None:
            assert cache.outbox is not None
            cache.outbox.add("placement_impression", rule, customer_id, now)
            cache.outbox.flush_on_loop()
    # slot and customer_id are ids of [A-Za-z0-9_.:-] (checked by the caller): nothing to escape.
    placement = view.content_json[rule.id] if rule is not None else b"null"
    return b'{"slot":"%s","customer_id":"%s","placement":%s}' % (slot.encode(), customer_id.encode(), placement)


def _show_here(cache: _Cache, rules: Sequence[PlacementRule], segments: list[int], customer_id: str,
               now: datetime) -> PlacementRule | None:
    """The best candidate under its cap, counted in this process (the embedded installation is one server)."""
    day = bank_day(now)
    with cache.lock:
        shown = {r.id: cache.shown.get((customer_id, r.id, day), 0) for r in rules}
        rule = choose(rules, segments=segments, shown=shown, now=now)
        if rule is not None:
            key = (customer_id, rule.id, day)
            cache.shown[key] = cache.shown.get(key, 0) + 1
    return rule


def _counters(platform: Platform, ordered: Sequence[PlacementRule], customer_id: str, day: str) -> list[Any]:
    """The Lua script's arguments: the candidates' counter keys, their caps (0: none), the TTL."""
    keys = [redis_key(platform, "placement", "shown", day, r.id, customer_id) for r in ordered]
    return [_SHOW_LUA, len(keys), *keys, *[r.cap_per_day or 0 for r in ordered], SHOWN_TTL_SECONDS]


def _show_shared(platform: Platform, client: Any, rules: Sequence[PlacementRule], segments: list[int],
                 customer_id: str, day: str, now: datetime) -> PlacementRule | None:
    """The best candidate under its cap, counted in Redis in the same step (exact across processes)."""
    ordered = candidates(rules, segments=segments, now=now)
    if not ordered or ordered[0].cap_per_day is None:  # none, or nothing to count
        return ordered[0] if ordered else None
    index = int(client.eval(*_counters(platform, ordered, customer_id, day)))
    return ordered[index - 1] if index else None


async def _show_shared_async(platform: Platform, rules: Sequence[PlacementRule], segments: list[int],
                             customer_id: str, day: str, now: datetime) -> PlacementRule | None:
    """`_show_shared` awaited on the event loop (the same script, so both paths count the same cap)."""
    ordered = candidates(rules, segments=segments, now=now)
    if not ordered or ordered[0].cap_per_day is None:
        return ordered[0] if ordered else None
    index = int(await _async_redis(platform).eval(*_counters(platform, ordered, customer_id, day)))
    return ordered[index - 1] if index else None


def _async_redis(platform: Platform) -> Any:
    """An asyncio Redis client for the running loop (its connections belong to the loop that made them)."""
    import asyncio

    import redis.asyncio

    loop = asyncio.get_running_loop()
    made = platform.extras.get("placement_redis_async")
    if made is None or made[0] is not loop:
        made = platform.extras["placement_redis_async"] = (loop, redis.asyncio.Redis.from_url(
            platform.settings.redis_url))
    return made[1]


def _known_segments(cache: _Cache, view: _Placements, customer_id: str) -> list[int] | None:
    """The customer's segments from memory (the snapshot, else a recent read); None when neither knows."""
    members = cache.members
    if members is not None and view.wanted <= cache.members_for \
            and time.monotonic() - cache.members_at <= 2 * SEGMENTS_SECONDS:
        return members.get(customer_id, [])
    known = cache.segments.get(customer_id)
    if known is not None and known[0] > time.monotonic():
        return known[1]
    return None


def _read_segments(platform: Platform, cache: _Cache, customer_id: str) -> list[int]:
    """The customer's segments from the profile, remembered for a minute."""
    with platform.metadata.session() as session:
        segments = repo.segments_of(session, customer_id)
    if len(cache.segments) >= SEGMENTS_KEPT:
        cache.segments.clear()
    cache.segments[customer_id] = (time.monotonic() + SEGMENTS_SECONDS, segments)
    return segments


def _load_members(platform: Platform, cache: _Cache) -> None:
    """Rebuild the snapshot of who is in the segments the placements name, a page of profiles at a time."""
    wanted, started = cache.view.wanted, time.monotonic()
    members: dict[str, list[int]] = {}
    after = ""
    while wanted:
        with platform.metadata.session() as session:
            page = repo.segments_page(session, after=after, limit=SEGMENTS_PAGE)
        for customer_id, segments in page:
            mine = [s for s in segments if isinstance(s, int) and s in wanted]
            if mine:
                members[customer_id] = mine
        if len(page) < SEGMENTS_PAGE:
            break
        after = page[-1][0]
        time.sleep(0.001)  # the decisions need the GIL more than this rebuild does
    cache.members, cache.members_for, cache.members_at = members, wanted, started


def _keep_refreshing(platform: Platform, cache: _Cache) -> None:
    """Start the background refresher if it is not running (it stops after IDLE_SECONDS without decisions)."""
    cache.used_at = time.monotonic()
    if cache.refresher is None or not cache.refresher.is_alive():
        with cache.lock:
            if cache.refresher is None or not cache.refresher.is_alive():
                cache.refresher = threading.Thread(target=_refresh_loop, args=(platform, cache), daemon=True,
                                                   name="placement-refresh")
                cache.refresher.start()


def _refresh_loop(platform: Platform, cache: _Cache) -> None:
    """Reload the placements before they go stale and rebuild the segment snapshot when due."""
    while time.monotonic() - cache.used_at < IDLE_SECONDS and platform.extras.get("placement_cache") is cache:
        try:
            if time.monotonic() - cache.loaded_at > REFRESH_SECONDS / 2:
                with cache.load_lock:
                    _load(platform, cache)
            if not cache.view.wanted <= cache.members_for or time.monotonic() - cache.members_at > SEGMENTS_SECONDS:
                _load_members(platform, cache)
            _recheck_keys(platform, cache)
        except Exception:  # the platform closed, or the database is away: decisions fall back to reading
            log.warning("placement refresh failed; decisions read the database until it works again",
                        exc_info=True)
            return
        time.sleep(0.5)


def click(*, platform: Platform, slot: str, customer_id: str, placement_id: str, now: datetime | None = None) -> None:
    """The customer tapped a placement: a placement_clicked event (404 for a placement the slot does not have)."""
    now = now or utcnow()
    cache = _cache(platform)
    rule = next((r for r in cache.view.by_slot.get(slot, []) if r.id == placement_id), None)
    if rule is None:
        raise NotFound("no such placement in this slot", field="placement_id", code="reach_placement_not_found")
    assert cache.outbox is not None
    cache.outbox.add("placement_clicked", rule, customer_id, now)
    cache.outbox.flush_in_thread()


def flush(*, platform: Platform) -> int:
    """Hand queued placement events to ingestion now; how many went."""
    outbox = _cache(platform).outbox
    assert outbox is not None
    return outbox.drain()


async def close(*, platform: Platform) -> None:
    """Before ingestion stops: every queued placement event handed over; the refresher left to stop."""
    cache = platform.extras.get("placement_cache")
    if cache is not None and cache.outbox is not None:
        cache.used_at = 0.0
        await cache.outbox.close()
    made = platform.extras.pop("placement_redis_async", None)
    if made is not None:
        await made[1].aclose()

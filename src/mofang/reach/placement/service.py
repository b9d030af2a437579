"""Placement decisions in memory: the active placements and their content are loaded once per change (and at
least every few seconds, so other workers' changes arrive), impressions and clicks become events in the background.

Per-customer impression counts for the frequency cap live in Redis when `MOFANG_REDIS_URL` is set (one script checks
and counts, so several API processes behind a load balancer hold the cap together, and a restart forgets nothing),
else in this process (the embedded installation is one server).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mofang.platform.context import Platform
from mofang.platform.errors import MofangError, NotFound
from mofang.platform.redis_client import redis_key, redis_of
from mofang.platform.storage.models import utcnow
from mofang.reach.placement import repository as repo
from mofang.reach.placement.contracts import Decision, PlacementContent, PlacementRule
from mofang.reach.placement.logic import bank_day, candidates, choose

log = logging.getLogger("mofang.reach.placement")
REFRESH_SECONDS = 5.0
SEGMENTS_SECONDS = 60.0  # a customer's segments are remembered this long (profiles change once a day)
SEGMENTS_KEPT = 200_000
FLUSH_SECONDS = 0.25
MAX_PENDING = 100_000
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


@dataclass
class _Cache:
    """The active placements by slot with their content; counts of impressions per (customer, placement, day)."""

    loaded_at: float = 0.0
    by_slot: dict[str, list[PlacementRule]] = field(default_factory=dict)
    content: dict[str, PlacementContent] = field(default_factory=dict)
    shown: dict[tuple[str, str, str], int] = field(default_factory=dict)
    segments: dict[str, tuple[float, list[int]]] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    flusher: threading.Thread | None = None


def _cache(platform: Platform) -> _Cache:
    return platform.extras.setdefault("placement_cache", _Cache())


def invalidate(*, platform: Platform) -> None:
    """Reload placements at the next decision (called when a placement channel changes)."""
    _cache(platform).loaded_at = 0.0


def _load(platform: Platform, cache: _Cache) -> None:
    """Read the active placement channel and render each placement's template once."""
    from mofang.reach.content import render

    by_slot: dict[str, list[PlacementRule]] = {}
    content: dict[str, PlacementContent] = {}
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
    cache.by_slot, cache.content, cache.loaded_at = by_slot, content, time.monotonic()


def decide(*, platform: Platform, slot: str, customer_id: str, now: datetime | None = None) -> Decision:
    """The content a slot shows this customer now (an impression event when there is one)."""
    now = now or utcnow()
    cache = _cache(platform)
    if time.monotonic() - cache.loaded_at > REFRESH_SECONDS:
        with cache.lock:
            if time.monotonic() - cache.loaded_at > REFRESH_SECONDS:
                _load(platform, cache)
    rules = cache.by_slot.get(slot)
    if not rules:
        return Decision(slot=slot, customer_id=customer_id)
    needs_segments = any(r.segment_ids for r in rules)
    segments: list[int] = []
    if needs_segments:
        segments = _segments(platform, cache, customer_id)
    day = bank_day(now)
    client = redis_of(platform)
    if client is not None:
        rule = _show_shared(platform, client, rules, segments, customer_id, day, now)
    else:
        with cache.lock:
            shown = {r.id: cache.shown.get((customer_id, r.id, day), 0) for r in rules}
            rule = choose(rules, segments=segments, shown=shown, now=now)
            if rule is not None:
                key = (customer_id, rule.id, day)
                cache.shown[key] = cache.shown.get(key, 0) + 1
    if rule is None:
        return Decision(slot=slot, customer_id=customer_id)
    _event(platform, cache, "placement_impression", rule, customer_id, now)
    return Decision(slot=slot, customer_id=customer_id, placement=cache.content[rule.id])


def _show_shared(platform: Platform, client: Any, rules: Sequence[PlacementRule], segments: list[int],
                 customer_id: str, day: str, now: datetime) -> PlacementRule | None:
    """The best candidate under its cap, counted in Redis in the same step (exact across processes)."""
    ordered = candidates(rules, segments=segments, now=now)
    if not ordered:
        return None
    if ordered[0].cap_per_day is None:  # nothing to count
        return ordered[0]
    keys = [redis_key(platform, "placement", "shown", day, r.id, customer_id) for r in ordered]
    caps = [r.cap_per_day or 0 for r in ordered]
    index = int(client.eval(_SHOW_LUA, len(keys), *keys, *caps, SHOWN_TTL_SECONDS))
    return ordered[index - 1] if index else None


def _segments(platform: Platform, cache: _Cache, customer_id: str) -> list[int]:
    """The customer's segments from the profile, remembered for a minute (the decision stays off the database)."""
    now = time.monotonic()
    known = cache.segments.get(customer_id)
    if known is not None and known[0] > now:
        return known[1]
    with platform.metadata.session() as session:
        segments = repo.segments_of(session, customer_id)
    if len(cache.segments) >= SEGMENTS_KEPT:
        cache.segments.clear()
    cache.segments[customer_id] = (now + SEGMENTS_SECONDS, segments)
    return segments


def click(*, platform: Platform, slot: str, customer_id: str, placement_id: str, now: datetime | None = None) -> None:
    """The customer tapped a placement: a placement_clicked event (404 for a placement the slot does not have)."""
    now = now or utcnow()
    cache = _cache(platform)
    rule = next((r for r in cache.by_slot.get(slot, []) if r.id == placement_id), None)
    if rule is None:
        raise NotFound("no such placement in this slot", field="placement_id", code="reach_placement_not_found")
    _event(platform, cache, "placement_clicked", rule, customer_id, now)


def _event(platform: Platform, cache: _Cache, name: str, rule: PlacementRule, customer_id: str,
           at: datetime) -> None:
    """Queue an event for ingestion (a background flush keeps the decision off the ingestion path)."""
    props = {"placement_id": rule.id, "slot": rule.slot, "template_id": rule.template_id, "channel": "placement",
             "strategy_id": rule.strategy_id, "campaign_id": rule.campaign_id}
    message = {"type": "track", "event": name, "userId": customer_id, "messageId": f"placement-{uuid.uuid4().hex}",
               "timestamp": at.isoformat(), "properties": {k: v for k, v in props.items() if v is not None},
               "context": {"library": {"name": "mofang-reach"}}}
    with cache.lock:
        if len(cache.pending) < MAX_PENDING:
            cache.pending.append(message)
        if cache.flusher is None or not cache.flusher.is_alive():
            cache.flusher = threading.Thread(target=_flush_loop, args=(platform, cache), daemon=True,
                                             name="placement-events")
            cache.flusher.start()


def flush(*, platform: Platform) -> int:
    """Hand queued placement events to ingestion now; how many went."""
    cache = _cache(platform)
    with cache.lock:
        batch, cache.pending = cache.pending, []
    return _hand_over(platform, cache, batch)


def _hand_over(platform: Platform, cache: _Cache, batch: Sequence[dict[str, Any]]) -> int:
    from mofang.tracking import ingest_server_events
    from mofang.tracking.service import Overloaded

    if not batch:
        return 0
    try:
        return ingest_server_events(platform, batch)
    except (Overloaded, OSError, TimeoutError, ValueError) as exc:
        log.debug("placement events wait for ingestion: %s", type(exc).__name__)
        with cache.lock:  # kept for the next round (bounded)
            cache.pending[:0] = list(batch)[: max(0, MAX_PENDING - len(cache.pending))]
        return 0


def _flush_loop(platform: Platform, cache: _Cache) -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        with cache.lock:
            batch, cache.pending = cache.pending, []
        if not batch:
            return
        _hand_over(platform, cache, batch)

"""Timers and the outbox dispatcher: the two loops that keep journeys moving.

The dispatcher leases due commands, carries out their effects outside any transaction (effects may be slow
HTTP calls), then — in ONE transaction — marks each command done with its result and applies the result to its
instance. An effect done before a crash is asked again with the same idempotency key when the lease runs out, so
it is never repeated, and the step it leads to is never lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select, update

from mofang.platform.collector import collector_paused
from mofang.platform.context import Platform
from mofang.platform.outbound import post_json
from mofang.platform.suitability import risk_number
from mofang.reach.contracts import SendRequest
from mofang.strategy.engine import repository as repo
from mofang.strategy.engine.batches import BATCH, Unit, kept, size, summary, units
from mofang.strategy.engine.contracts import CommandResult, TimerFired
from mofang.strategy.engine.repository import EngineQuota, EngineQuotaGrant, EngineSecret, EngineVersion
from mofang.strategy.engine.service.effects import Outcome
from mofang.strategy.engine.service.executor import apply, pending_of
from mofang.strategy.engine.service.runtime import Runtime

log = logging.getLogger("mofang.engine")
MAX_ATTEMPTS = 6
FINAL_OUTBOUND = frozenset({"refused", "invalid_url", "unresolvable", "redirect"})


def tick_timers(*, platform: Platform, rt: Runtime, now: datetime | None = None, limit: int | None = None) -> int:
    """Apply TimerFired to one batch of due instances (locked; other workers skip them); returns how many."""
    now = now or rt.clock()
    with platform.metadata.session() as session:
        if not repo.any_due(session, now=now):
            return 0
    with collector_paused(), platform.metadata.session() as session:
        repo.begin_write(session)
        rows = repo.claim_due(session, now=now, limit=limit or rt.batch, paused=_paused(session))
        items = [(p, [TimerFired(at=p.instance.wake_at or now)]) for p in pending_of(rows)]
        apply(session, rt, items, now=now)
    return len(items)


def _paused(session: Any) -> list[int]:
    return list(session.scalars(select(EngineVersion.strategy_id).where(EngineVersion.status == "paused")))


class Done(NamedTuple):
    """What carrying out one member's command came to (a tuple: one is made per message of a batch)."""

    key: str
    instance_id: int
    outcome: str  # fed back to the instance as CommandResult.outcome
    detail: dict[str, Any]
    retry_at: datetime | None = None  # set: leave pending, due again then (not fed back yet)
    row_key: str = ""  # the outbox row it came from ("" : the command's own key)


def dispatch(*, platform: Platform, rt: Runtime, now: datetime | None = None, limit: int | None = None) -> int:
    """Carry out one batch of due commands and feed their results back; returns how many were finished."""
    given, now = now, now or rt.clock()
    with platform.metadata.session() as session:
        if not repo.any_pending(session, now=now):
            return 0
    with collector_paused(), platform.metadata.session() as session:
        repo.begin_write(session)
        claimed = repo.claim_commands(session, now=now, limit=limit or rt.batch,
                                      lease_until=now + timedelta(seconds=rt.lease_seconds), paused=_paused(session),
                                      size=lambda row: size(row.payload))
    if not claimed:
        return 0
    # The members' commands, requests and results are ~10^4 short-lived objects per batch: without the pause
    # the collector's full passes over the heap ran here (≈ 0.5 CPU-s of a 100,000-customer entry).
    with collector_paused():
        done = _carry_out_all(platform, rt, [u for row in claimed for u in units(row)], now)
        # The results arrive now, not when the batch was claimed: a wait that follows counts from this moment
        # (a batch of slow sends would otherwise start its customers' waits in the past, or already expired).
        finish(platform=platform, rt=rt, done=done, now=given or rt.clock(), rows=claimed)
    return len(done)


def finish(*, platform: Platform, rt: Runtime, done: Sequence[Done], now: datetime,
           rows: Sequence[Any] = ()) -> None:
    """In one transaction: settle the outbox rows with their members' results and apply those to their instances.

    A row is finished when every member's result is final; members to retry keep the row pending (a batch row
    with only them left in it), so a retry never repeats a member already done. `rows`: the claimed rows, whose
    payloads a partly finished batch keeps.
    """
    with collector_paused():  # its grouping of the results builds a few objects per member too
        _finish(platform, rt, done, now, rows)


def _finish(platform: Platform, rt: Runtime, done: Sequence[Done], now: datetime, rows: Sequence[Any]) -> None:
    payloads = {r.key: r.payload for r in rows}
    by_row: dict[str, list[Done]] = {}
    for d in done:
        by_row.setdefault(d.row_key or d.key, []).append(d)
    finished, retried = [], []
    for key, members in by_row.items():
        left = [d for d in members if d.retry_at is not None]
        if not left:
            finished.append((key, *summary([(d.outcome, d.detail) for d in members])))
            continue
        payload = payloads.get(key)
        keep = None if payload is None or BATCH not in payload or len(left) == len(members) \
            else kept(payload, {d.instance_id for d in left})
        retried.append((key, min(d.retry_at for d in left if d.retry_at is not None),
                        {"outcome": left[0].outcome, **left[0].detail}, keep))
    with platform.metadata.session() as session:
        repo.begin_write(session)
        # Instances first, then their commands: the same lock order as every other engine transaction.
        locked = repo.lock_instances(session, {d.instance_id for d in done})
        settled = repo.settle_commands(session, finished, retried, now=now)
        results: dict[int, list[CommandResult]] = {}
        for d in done:
            if d.retry_at is None and (d.row_key or d.key) in settled:
                results.setdefault(d.instance_id, []).append(
                    CommandResult(key=d.key, outcome=d.outcome, detail=d.detail))
        live = [r for r in locked if r.status != "done" and r.id in results]
        apply(session, rt, [(p, results[p.instance.id]) for p in pending_of(live)], now=now)


def _carry_out(platform: Platform, rt: Runtime, unit: Unit, now: datetime) -> Done:
    try:
        outcome, detail, retry_at = _effect(platform, rt, unit.kind, unit.key, unit.payload, unit.route, now)
    except Exception as exc:  # a transient failure: back off and try again with the same key
        log.exception("command %s (%s) failed", unit.key, unit.kind)
        if unit.attempts >= MAX_ATTEMPTS:
            return Done(unit.key, unit.instance_id, "failed", {"reason": "error", "error": type(exc).__name__},
                        row_key=unit.row_key)
        return Done(unit.key, unit.instance_id, "error", {"reason": type(exc).__name__},
                    retry_at=now + _backoff(unit.attempts), row_key=unit.row_key)
    return _done(unit, outcome, detail, retry_at)


def _carry_out_all(platform: Platform, rt: Runtime, todo: Sequence[Unit], now: datetime) -> list[Done]:
    """Carry out a batch: sends go to the reach centre together (`send_many`), other effects one by one."""
    sends = [u for u in todo if u.kind in ("send", "rm_task")]
    many = getattr(rt.effects, "send_many", None)
    done: dict[str, Done] = {}
    if many is not None and len(sends) > 1:
        requests, shared = [], {}
        for u in sends:
            # A batch row's members share one payload object: the first one's request is made in full, the
            # others' are copies of it with their own customer and key.
            first = shared.get(id(u.payload))
            if first is None:
                first = shared[id(u.payload)] = _send_request(u.key, u.route,
                                                              _request_fields(u.kind, u.payload, u.route))
                requests.append(first)
            else:
                requests.append(_like(first, u.key, u.route.get("customer_id", "")))
        try:
            results = many(platform=platform, requests=requests)
        except Exception:  # the batch as a whole failed: each is asked again alone (same keys, no repeat)
            log.exception("a batch of %d sends failed; trying them one by one", len(sends))
        else:
            for u, result in zip(sends, results, strict=True):
                outcome, detail, retry_at = _send_outcome(result)
                done[u.key] = _done(u, outcome, detail, retry_at)
    return [done.get(u.key) or _carry_out(platform, rt, u, now) for u in todo]


def _done(unit: Unit, outcome: str, detail: dict[str, Any], retry_at: datetime | None) -> Done:
    if retry_at is not None and unit.attempts >= MAX_ATTEMPTS and outcome != "deferred":
        return Done(unit.key, unit.instance_id, "failed", detail, row_key=unit.row_key)
    return Done(unit.key, unit.instance_id, outcome, detail, retry_at=retry_at, row_key=unit.row_key)


def _request_fields(kind: str, payload: dict[str, Any], route: dict[str, Any]) -> dict[str, Any]:
    """The reach centre's request fields of a send or RM-task command, but its customer and key."""
    return dict(
        channel=payload.get("channel", "rm_task"), template_id=payload.get("template_id"),
        variables={**payload.get("variables", {}),
                   **({"due_days": payload["due_days"]} if "due_days" in payload else {})},
        purpose=payload.get("purpose", "service" if kind == "rm_task" else "marketing"),
        business_line=route.get("business_line", "retail"), priority=route.get("priority", 100),
        product_risk=risk_number(payload.get("product_risk")),
        strategy_id=route.get("strategy_id"), strategy_version=route.get("version"),
        node_id=payload.get("node"), org_code=route.get("org_code"))


def _send_request(key: str, route: dict[str, Any], fields: dict[str, Any]) -> SendRequest:
    """The reach centre's request for a send or RM-task command (its key is the command's idempotency key)."""
    return SendRequest(customer_id=route.get("customer_id", ""), idempotency_key=key,
                       instance_id=_instance_id(key), **fields)


def _instance_id(key: str) -> int | None:
    return int(key.split(":", 1)[0]) if key[:1].isdigit() else None


def _like(first: SendRequest, key: str, customer_id: str) -> SendRequest:
    """`first`'s request for another member of its batch row (same fields, but the customer, key and instance).

    Its fields are copied as they are: the frozen dataclass's `__init__` sets each of its 16 fields through
    `object.__setattr__`, ≈ 6 µs a request, the largest part of carrying out a batch of sends.
    """
    request = object.__new__(SendRequest)
    state = request.__dict__
    state.update(first.__dict__)
    state["customer_id"], state["idempotency_key"], state["instance_id"] = customer_id, key, _instance_id(key)
    return request


def _send_outcome(result: Any) -> tuple[str, dict[str, Any], datetime | None]:
    detail: dict[str, Any] = {}  # only what the result has (one per message of a batch: no temporary dict)
    if result.delivery_id is not None:
        detail["delivery_id"] = result.delivery_id
    if result.reason is not None:
        detail["reason"] = result.reason
    if result.defer_until:
        detail["defer_until"] = result.defer_until.isoformat()
    if result.status == "deferred" and result.defer_until is not None:
        return "deferred", detail, result.defer_until.astimezone(UTC)  # asked again then, same key
    return result.status, detail, None


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def _effect(platform: Platform, rt: Runtime, kind: str, key: str, payload: dict[str, Any], route: dict[str, Any],
            now: datetime) -> tuple[str, dict[str, Any], datetime | None]:
    cid = route.get("customer_id", "")
    fx = rt.effects
    match kind:
        case "send" | "rm_task":
            request = _send_request(key, route, _request_fields(kind, payload, route))
            return _send_outcome(fx.send(platform=platform, request=request))
        case "tag":
            o = fx.change_tag(platform=platform, key=key, customer_id=cid, tag=payload["tag"],
                              action=payload["action"], value=payload.get("value"))
            return o.outcome, o.detail, None
        case "set_attribute":
            o = fx.change_attribute(platform=platform, key=key, customer_id=cid, field=payload["field"],
                                    value=payload.get("value"))
            return o.outcome, o.detail, None
        case "benefit":
            o = fx.grant_benefit(platform=platform, key=key, customer_id=cid, benefit_id=payload["benefit_id"],
                                 strategy_id=route.get("strategy_id", 0))
            return o.outcome, o.detail, None
        case "webhook":
            o = call_webhook(platform=platform, key=key, url=payload["url"], body=payload.get("body", {}),
                             route=route, now=now)
            return o.outcome, o.detail, (now + timedelta(seconds=30) if o.outcome == "retry" else None)
        case "quota":
            granted = ask_quota(platform=platform, key=key, strategy_id=route.get("strategy_id", 0),
                                node=payload["node"], limit=int(payload["limit"]),
                                period_start=datetime.fromisoformat(payload["period_start"]))
            return ("granted" if granted else "refused"), {}, None
        case _:
            return "failed", {"reason": "unknown_command"}, None


def webhook_secret(platform: Platform) -> bytes:
    """The installation's webhook signing secret (made on first use, encrypted at rest)."""
    with platform.metadata.session() as session:
        row = session.get(EngineSecret, "webhook")
        if row is None:
            repo.insert_ignore(session, EngineSecret.__table__, [{  # type: ignore[arg-type]
                "name": "webhook", "value_enc": platform.cipher.encrypt(secrets.token_hex(32))}], keys=["name"])
            session.flush()
            row = session.get(EngineSecret, "webhook")
        assert row is not None
        value = platform.cipher.decrypt(row.value_enc)
        assert value is not None
        return value.encode()


def sign(secret: bytes, body: bytes) -> str:
    """The signature header value over the exact bytes sent."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def call_webhook(*, platform: Platform, key: str, url: str, body: Any, route: dict[str, Any],
                 now: datetime) -> Outcome:
    """POST a signed body through the outbound guard; "retry" on timeouts and 5xx, "failed" on refusals."""
    envelope = {"idempotency_key": key, "strategy_id": route.get("strategy_id"),
                "customer_id": route.get("customer_id"), "sent_at": now.isoformat(), "data": body}
    raw = json.dumps(envelope, ensure_ascii=False).encode()  # exactly what post_json sends
    # Imported here: it pulls in password hashing, which a worker that never calls a webhook should not load.
    from mofang.platform.governance.allow_list import outbound_allow_hosts

    with platform.metadata.session() as session:
        allow = outbound_allow_hosts(session=session, settings=platform.settings)
    result = post_json(url, envelope, allow_hosts=allow, timeout=platform.settings.outbound_timeout_seconds,
                       headers={"Idempotency-Key": key, "X-Mofang-Signature": sign(webhook_secret(platform), raw)})
    if result.ok:
        return Outcome("ok", {"status": result.status})
    detail: dict[str, Any] = {"reason": result.summary()}
    if result.outcome in FINAL_OUTBOUND or (result.status is not None and 400 <= result.status < 500
                                             and result.status != 429):
        return Outcome("failed", detail)
    return Outcome("retry", detail)


def ask_quota(*, platform: Platform, key: str, strategy_id: int, node: str, limit: int,
              period_start: datetime) -> bool:
    """One pass through a rate-limited node in a period: atomic, and asking again with a key gives its first answer."""
    if platform.settings.redis_url:
        return _redis_quota(platform, key, strategy_id, node, limit, period_start)
    with platform.metadata.session() as session:
        repo.begin_write(session)
        earlier = session.get(EngineQuotaGrant, key)
        if earlier is not None:
            return earlier.granted
        repo.insert_ignore(session, EngineQuota.__table__, [{  # type: ignore[arg-type]
            "strategy_id": strategy_id, "node": node, "period_start": period_start, "count": 0}],
            keys=["strategy_id", "node", "period_start"])
        res = session.execute(update(EngineQuota).where(
            EngineQuota.strategy_id == strategy_id, EngineQuota.node == node,
            EngineQuota.period_start == period_start, EngineQuota.count < limit)
            .values(count=EngineQuota.count + 1))
        granted = (res.rowcount or 0) == 1
        session.add(EngineQuotaGrant(key=key, granted=granted))
        return granted


# KEYS: grant key, counter key; ARGV: limit, ttl. The grant is remembered so a retried ask is answered the same.
_QUOTA_LUA = """
local g = redis.call('GET', KEYS[1])
if g then return tonumber(g) end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
local ok = 0
if n < tonumber(ARGV[1]) then redis.call('INCR', KEYS[2]); redis.call('EXPIRE', KEYS[2], ARGV[2]); ok = 1 end
redis.call('SET', KEYS[1], ok, 'EX', ARGV[2])
return ok
"""


def _redis_quota(platform: Platform, key: str, strategy_id: int, node: str, limit: int,
                 period_start: datetime) -> bool:
    from mofang.platform.redis_client import redis_key, redis_of

    client = redis_of(platform)
    prefix = redis_key(platform, "engine", "quota", strategy_id, node, period_start.isoformat())
    return bool(client.eval(_QUOTA_LUA, 2, f"{prefix}:grant:{key}", prefix, limit, 3 * 86400))

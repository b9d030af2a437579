"""The check at the moment of sending: atomic per customer, idempotent by key, every refusal recorded."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from mofang.platform.context import Platform, now_of
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import mask_name
from mofang.reach.contracts import CHANNELS
from mofang.strategy.contact_policy import hotpath as hot
from mofang.strategy.contact_policy import logic
from mofang.strategy.contact_policy import repository as repo
from mofang.strategy.contact_policy.contracts import (
    CapRule,
    CapUsage,
    CheckRead,
    CheckWrite,
    ContactRequest,
    Gates,
    PolicyDecision,
    Rule,
    RuleBody,
    SuppressionRead,
)
from mofang.strategy.contact_policy.models import OptOut
from mofang.strategy.contact_policy.redis_store import RedisCounters

EXTRA = "contact_policy"
LOCK_STRIPES = 1024
_RULE = TypeAdapter(RuleBody)
_build_lock = threading.Lock()


def utc(at: datetime) -> datetime:
    """An instant in UTC (naive values are taken as UTC already)."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)



class PolicyState:
    """Per process: the striped customer locks, the cached rules and, in scale-out, the Redis counters."""

    def __init__(self, platform: Platform) -> None:
        self.locks = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self._reload = threading.Lock()
        self._writer = threading.Lock()
        self.version = -1
        self.rules: list[Rule] = []
        s = platform.settings
        self.redis = RedisCounters(s.redis_url, s.redis_key_prefix) if s.redis_url else None

    def lock_for(self, customer_id: str) -> threading.Lock:
        """The lock serialising check-and-count of one customer in this process."""
        return self.locks[zlib.crc32(customer_id.encode()) % LOCK_STRIPES]

    @contextmanager
    def holding(self, db: hot.Raw, request: ContactRequest) -> Iterator[None]:
        """Without Redis, the check's transaction holds the customer against other processes too (see
        `hot.hold_customer`), ended before another thread of this process may begin its own.

        SQLite has one write lock per database: this process's checks take turns for it here, since a thread
        refused by SQLite would sleep in its busy handler for milliseconds instead of waiting its turn.
        """
        if self.redis is not None:  # the Lua script counts atomically; the key's row decides duplicates
            yield
            return
        with self._writer if db.sqlite else nullcontext():
            hot.hold_customer(db, request.customer_id)
            try:
                yield
            finally:
                # Ends what is still open (an error, or a stored answer returned); after a commit it does nothing.
                db.conn.rollback()

    @contextmanager
    def holding_many(self, db: hot.Raw, customer_ids: Sequence[str]) -> Iterator[None]:
        """`holding` for the customers of a batch (embedded store only), in one transaction."""
        with self._writer if db.sqlite else nullcontext():
            hot.hold_customers(db, customer_ids)
            try:
                yield
            finally:
                db.conn.rollback()

    def snapshot(self, conn: Connection) -> tuple[list[Rule], float, str]:
        """The enabled rules and the control group, reloaded whenever their version moved (checked every time)."""
        db = hot.Raw.of(conn)
        version, percent, salt = hot.settings(db)
        return self.rules_at(db, version), percent, salt

    def rules_at(self, db: hot.Raw, version: int) -> list[Rule]:
        """The enabled rules of a settings version just read (parsed again only when the version moved)."""
        if version != self.version:
            with self._reload:
                if version != self.version:
                    self.rules = [Rule(id=i, body=_RULE.validate_python(d), name=n)
                                  for i, n, d in hot.enabled_rules(db)]
                    self.version = version
        return self.rules


def state(platform: Platform) -> PolicyState:
    """The process's policy state, built on first use."""
    found = platform.extras.get(EXTRA)
    if found is None:
        with _build_lock:
            found = platform.extras.get(EXTRA)
            if found is None:
                found = platform.extras[EXTRA] = PolicyState(platform)
    return found


def _validate(request: ContactRequest) -> None:
    for name, value, size in (("key", request.key, 200), ("customer_id", request.customer_id, 64),
                              ("business_line", request.business_line, 16)):
        if not value or len(value) > size:
            raise Invalid(f"{name} must be 1 to {size} characters", field=name, code="policy.bad_request",
                          params={"field": name})
    if request.channel not in CHANNELS:
        raise Invalid(f"unknown channel '{request.channel}'", field="channel", code="policy.bad_request",
                      params={"field": "channel"})
    if request.purpose not in ("marketing", "service"):
        raise Invalid("purpose must be marketing or service", field="purpose", code="policy.bad_request",
                      params={"field": "purpose"})


def _used(pol: PolicyState, db: hot.Raw, request: ContactRequest, now: datetime, caps: Sequence[Rule]) -> list[int]:
    """Contacts already counted against each cap (embedded: from the persisted log; scale-out: from Redis)."""
    bodies = [r.body for r in caps if isinstance(r.body, CapRule)]
    counts = pol.redis.counts(request.customer_id) if pol.redis is not None else None
    if counts is None:
        return logic.used_by_caps(hot.contacts(db, request.customer_id, logic.counting_since(now)), bodies, now)
    return [logic.cap_used(counts, b, now) for b in bodies]


def check(*, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
    """May this message go now? Counts it when allowed; the same key always gets its first answer back."""
    _validate(request)
    now = utc(now)
    pol = state(platform)
    with pol.lock_for(request.customer_id), hot.connect(platform.metadata.engine) as db, pol.holding(db, request):
        first = hot.start(db, request)
        stored = first.stored
        if stored is not None and (stored.verdict != "defer" or (stored.until or now) > now):
            return stored
        decision, counted_in_redis = _fresh(pol, db, request, now, first)
        try:
            hot.save_decision(db, request, decision, now, replace=stored is not None)
            db.conn.commit()
        except db.integrity_error:
            # Another worker process stored this key first: its answer is the answer.
            db.conn.rollback()
            again = hot.decision(db, request.key)
            if again is None:
                raise
            if counted_in_redis and pol.redis is not None:  # the stored answer did not count this send
                pol.redis.release(customer_id=request.customer_id, channel=request.channel,
                                  purpose=request.purpose, line=request.business_line, at=now)
            return again[0]
    return decision


def check_many(*, platform: Platform, requests: Sequence[ContactRequest], now: datetime) -> list[PolicyDecision]:
    """`check` for a batch of sends: the batch's customers held once, one transaction and one commit for all.

    Each answer is the one `check` would give in this order (a customer twice in the batch is counted once per
    send, a key twice gets its first answer). With Redis counters, or when another process stored one of the keys
    first, the batch is checked send by send instead (nothing of the batch was committed then).
    """
    for request in requests:
        _validate(request)
    now = utc(now)
    pol = state(platform)
    if pol.redis is not None or len(requests) <= 1:
        return [check(platform=platform, request=r, now=now) for r in requests]
    customers = sorted({r.customer_id for r in requests})
    out: list[PolicyDecision] = []
    with ExitStack() as held:
        for stripe in sorted({zlib.crc32(c.encode()) % LOCK_STRIPES for c in customers}):
            held.enter_context(pol.locks[stripe])  # in one order: two batches never wait for each other in a circle
        db = held.enter_context(hot.connect(platform.metadata.engine))
        held.enter_context(pol.holding_many(db, customers))
        try:
            for request in requests:
                first = hot.start(db, request)
                stored = first.stored
                if stored is not None and (stored.verdict != "defer" or (stored.until or now) > now):
                    out.append(stored)
                    continue
                decision, _counted = _fresh(pol, db, request, now, first)
                hot.save_decision(db, request, decision, now, replace=stored is not None)
                out.append(decision)
            db.conn.commit()
            return out
        except db.integrity_error:
            db.conn.rollback()
    return [check(platform=platform, request=r, now=now) for r in requests]


def _fresh(pol: PolicyState, db: hot.Raw, request: ContactRequest, now: datetime,
           first: hot.Start) -> tuple[PolicyDecision, bool]:
    """The decision of a send not decided before (and whether Redis counted it), the customer being held."""
    rules = pol.rules_at(db, first.version)
    gates = Gates(do_not_contact=first.do_not_contact, control_percent=first.percent, control_salt=first.salt,
                  opted_out=frozenset({(request.channel, request.purpose)}) if first.opted_out else frozenset())
    decision = logic.gate(request, now, rules=rules, gates=gates)
    if decision is not None:
        return decision, False
    caps = logic.applicable_caps(rules, request)
    if pol.redis is not None:
        # One Lua script reads, decides and increments atomically across every worker process.
        used = pol.redis.check_and_count(request, now, caps, seed=lambda: logic.counts_of(
            hot.contacts(db, request.customer_id, logic.counting_since(now))))
        decision = (PolicyDecision("allow") if used is None else
                    logic.caps_decision(request, now, rules=rules, caps=caps, used=used) or PolicyDecision("allow"))
        return decision, used is not None and decision.verdict == "allow"
    # The customer's lock is held from reading the log to committing the new contact.
    used = _used(pol, db, request, now, caps)
    return logic.caps_decision(request, now, rules=rules, caps=caps, used=used) or PolicyDecision("allow"), False


def dry_run(*, platform: Platform, who: Principal, data: CheckWrite, now: datetime) -> CheckRead:
    """The console's 试算: the decision for a customer in scope right now, with cap usage; nothing is counted."""
    consents = repo.customer_consents(platform.store, scope=who.scope, customer_id=data.customer_id)
    if consents is None:
        raise NotFound(f"customer '{data.customer_id}' not found", field="customer_id")
    if data.at is not None and not 2000 <= data.at.year <= 2100:
        raise Invalid("the time to try must lie between 2000 and 2100", field="at", code="policy.bad_time")
    at = utc(data.at) if data.at else now
    request = ContactRequest(key="dry-run", customer_id=data.customer_id, channel=data.channel, purpose=data.purpose,
                             business_line=data.business_line, priority=data.priority, strategy_id=data.strategy_id,
                             consents=consents)
    pol = state(platform)
    with platform.metadata.engine.connect() as conn:
        rules, percent, salt = pol.snapshot(conn)
        dnc, opted_out = hot.gate_rows(hot.Raw.of(conn), request.customer_id)
        caps = logic.applicable_caps(rules, request)
        used = _used(pol, hot.Raw.of(conn), request, at, caps)
        conn.rollback()
    gates = Gates(do_not_contact=dnc, opted_out=opted_out, control_percent=percent, control_salt=salt)
    d = logic.gate(request, at, rules=rules, gates=gates) \
        or logic.caps_decision(request, at, rules=rules, caps=caps, used=used) or PolicyDecision("allow")
    usage = [CapUsage(rule_id=r.id, name=r.name, window=r.body.window, used=u, limit=r.body.limit)
             for r, u in zip(caps, used, strict=True) if isinstance(r.body, CapRule)]
    return CheckRead(verdict=d.verdict, reason=d.reason, until=d.until, rule_id=d.rule_id, usage=usage)


def release(*, platform: Platform, key: str, now: datetime | None = None) -> bool:
    """A send the provider finally refused never reached the customer: it stops counting against the caps."""
    pol = state(platform)
    with platform.metadata.engine.connect() as conn:
        found = hot.decision(hot.Raw.of(conn), key)
        if found is None:
            return False
        with pol.lock_for(found[1]):
            row = repo.release(conn, key, utc(now) if now else now_of(platform))
            conn.commit()
    if row is not None and pol.redis is not None:
        customer_id, channel, purpose, line, at = row
        pol.redis.release(customer_id=customer_id, channel=channel, purpose=purpose, line=line, at=at)
    return row is not None


def record_opt_out(*, session: Session, customer_id: str, channel: str, purpose: str, source: str,
                   now: datetime | None = None) -> None:
    """Record an opt-out (回T退订 …) in the caller's transaction; once committed, no later send of it goes out."""
    if channel not in CHANNELS:
        raise Invalid(f"unknown channel '{channel}'", field="channel", code="policy.bad_request",
                      params={"field": "channel"})
    if purpose not in ("marketing", "service"):
        raise Invalid("purpose must be marketing or service", field="purpose", code="policy.bad_request",
                      params={"field": "purpose"})
    if not customer_id or len(customer_id) > 64:
        raise Invalid("customer_id must be 1 to 64 characters", field="customer_id", code="policy.bad_request",
                      params={"field": "customer_id"})
    if repo.opt_out(session, customer_id, channel, purpose) is None:
        session.add(OptOut(customer_id=customer_id, channel=channel, purpose=purpose, source=source[:40],
                           at=utc(now) if now else datetime.now(UTC)))
        session.flush()


def control_group_of(*, session: Session, customer_ids: Iterable[str]) -> set[str]:
    """Which of these customers are in the global control group now (effect evaluation compares them with the rest)."""
    row = repo.settings_row(session)
    return {c for c in customer_ids
            if logic.in_control_group(c, salt=row.control_salt, percent=row.control_percent)}


def suppression_read(row: Any, name: str | None) -> SuppressionRead:
    return SuppressionRead(customer_id=row.customer_id, customer_name=mask_name(name),
                           channel=row.channel, purpose=row.purpose, strategy_id=row.strategy_id,
                           campaign_id=row.campaign_id, verdict=row.verdict, reason=row.reason, rule_id=row.rule_id,
                           until=utc(row.until) if row.until else None, at=utc(row.at))


def suppressions_of(*, session: Session, customer_id: str, limit: int = 100) -> list[SuppressionRead]:
    """A customer's suppressions and deferrals, newest first (the 360 page has checked the customer's scope)."""
    rows = repo.suppression_chunk(session, before_id=None, customer_id=customer_id, strategy_id=None, size=limit)
    return [suppression_read(r, None) for r in rows]

"""Runtime test kit (shared by the fixtures and the crash-test child process): clock, effects, facts, graphs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.reach.contracts import DeliveryResult, SendRequest
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine.contracts import Facts
from mofang.strategy.engine.service import Known, Outcome

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

EFFECTS = Table("test_engine_effects", MetaData(),
                Column("key", String(200), primary_key=True), Column("customer_id", String(64)),
                Column("node", String(40)), Column("calls", Integer))


class Clock:
    """Now, moved by the test."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time on."""
        self.now += timedelta(seconds=seconds)


class RecordingEffects:
    """A stand-in for the other centres that records every effect once per key (as the reach centre dedupes)."""

    def __init__(self, platform: Platform, *, status: str = "accepted") -> None:
        self.platform = platform
        self.status = status
        self.hook: Callable[[SendRequest], None] | None = None  # called after the effect: tests crash here
        self._lock = threading.Lock()
        EFFECTS.create(platform.metadata.engine, checkfirst=True)

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        with self._lock, platform.metadata.engine.begin() as conn:
            conn.execute(_RECORD, {"key": request.idempotency_key, "cid": request.customer_id,
                                   "node": request.node_id or ""})
        if self.hook is not None:
            self.hook(request)
        return DeliveryResult(status=self.status)  # type: ignore[arg-type]

    def change_tag(self, **kw: Any) -> Outcome:
        return Outcome("ok")

    def change_attribute(self, **kw: Any) -> Outcome:
        return Outcome("ok")

    def grant_benefit(self, **kw: Any) -> Outcome:
        return Outcome("failed", {"reason": "benefits_not_available"})


# One effect per key (SQLite and PostgreSQL spell the upsert alike); a repeated call only counts a call.
_RECORD = text("INSERT INTO test_engine_effects (key, customer_id, node, calls) VALUES (:key, :cid, :node, 1) "
               "ON CONFLICT (key) DO UPDATE SET calls = test_engine_effects.calls + 1")


def effects_of(platform: Platform) -> list[dict[str, Any]]:
    """Every effect recorded."""
    with platform.metadata.session() as s:
        return [dict(r._mapping) for r in s.execute(select(EFFECTS))]


class DictFacts:
    """Profiles given by the test: customer → (org_code, attributes)."""

    def __init__(self, orgs: dict[str, str] | None = None, default_org: str | None = "GD-SZ-001",
                 rms: dict[str, str] | None = None) -> None:
        self.orgs = orgs or {}
        self.default_org = default_org
        self.rms = rms or {}

    def _org(self, cid: str) -> str | None:
        return self.orgs.get(cid, self.default_org)

    def facts_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Facts]:
        return {c: Facts() for c in customer_ids if self._org(c) is not None}

    def known_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Known]:
        return {c: Known(facts=Facts(), org_code=o, rm_id=self.rms.get(c)) for c in customer_ids
                if (o := self._org(c)) is not None}


def graph_of(nodes: list[dict[str, Any]], edges: list[tuple[str, str] | tuple[str, str, str]],
             **settings: Any) -> Graph:
    """A graph from short node dicts and (source, target[, label]) edges."""
    return Graph.model_validate({
        "nodes": nodes,
        "edges": [{"source": e[0], "target": e[1], "label": e[2] if len(e) > 2 else "next"} for e in edges],
        "settings": settings,
    })


def send_delay_exit(entry: dict[str, Any] | None = None, seconds: int = 60) -> Graph:
    """entry → push → delay → exit."""
    return graph_of([
        entry or {"id": "in", "type": "api_entry"},
        {"id": "push", "type": "send", "channel": "push", "template_id": 1},
        {"id": "wait", "type": "delay", "seconds": seconds},
        {"id": "end", "type": "exit"},
    ], [("in", "push"), ("push", "wait"), ("wait", "end")])


def wait_login() -> Graph:
    """entry → wait up to an hour for login → did: sms / timeout: exit."""
    return graph_of([
        {"id": "in", "type": "api_entry"},
        {"id": "w", "type": "wait_event", "event": "login", "within_seconds": 3600},
        {"id": "sms", "type": "send", "channel": "sms", "template_id": 2},
        {"id": "end", "type": "exit"},
        {"id": "gone", "type": "exit"},
    ], [("in", "w"), ("w", "sms", "did"), ("w", "gone", "timeout"), ("sms", "end")])

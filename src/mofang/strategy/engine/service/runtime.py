"""What one process's engine runs with: the step function, effects, facts, clock, and caches of published graphs."""

from __future__ import annotations

import os
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.strategy.canvas.contracts import EventEntry, Goal, Graph
from mofang.strategy.engine.contracts import Facts, Instance, Step, Stimulus
from mofang.strategy.engine.logic import advance
from mofang.strategy.engine.repository import EngineVersion
from mofang.strategy.engine.service.effects import DefaultEffects, Effects
from mofang.strategy.engine.service.facts import FactsSource, ProfileFacts

EXTRA = "engine_runtime"
COUNT_SLOTS = 8


class Advance(Protocol):
    """The pure step function (`mofang.strategy.engine.logic.advance`)."""

    def __call__(self, instance: Instance, stimulus: Stimulus, now: datetime, *, graph: Graph, facts: Facts
                 ) -> Step: ...


def utc_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Trigger:
    """A published event entry: which version, which node, and the owner org that bounds whom it may enter."""

    strategy_id: int
    version: int
    node: EventEntry
    org_code: str
    holdout_percent: float


@dataclass
class EventIndex:
    """Active versions indexed by event name: entries that start instances, strategies whose goal listens."""

    entries: dict[str, list[Trigger]] = field(default_factory=dict)
    goals: dict[str, set[int]] = field(default_factory=dict)
    stamp: tuple[Any, ...] = ()


@dataclass
class Runtime:
    """The engine's collaborators in this process (tests swap any of them)."""

    advance: Advance | None = None
    effects: Effects = field(default_factory=DefaultEffects)
    facts: FactsSource = field(default_factory=ProfileFacts)
    clock: Callable[[], datetime] = utc_clock
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    batch: int = 500  # instances per stepping transaction
    lease_seconds: int = 60  # how long a claimed command is left to its worker before another may retry it
    run_lease_seconds: int = 600  # the same for a segment entry run
    _graphs: dict[tuple[int, int], Graph] = field(default_factory=dict)
    _owners: dict[tuple[int, int], str] = field(default_factory=dict)
    _index: EventIndex = field(default_factory=EventIndex)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count_slot(self) -> int:
        """Which row of each counter this worker adds to (workers spread over a few, so they seldom wait)."""
        return zlib.crc32(self.worker_id.encode()) % COUNT_SLOTS

    def step(self) -> Advance:
        """The step function (the real one unless a test gave another)."""
        if self.advance is None:
            self.advance = advance
        return self.advance

    def graph(self, session: Session, strategy_id: int, version: int) -> Graph:
        """A published graph (versions never change once published, so it is cached for good)."""
        key = (strategy_id, version)
        cached = self._graphs.get(key)
        if cached is None:
            row = session.get(EngineVersion, key)
            if row is None:
                raise LookupError(f"strategy {strategy_id} version {version} is not published to the engine")
            cached = Graph.model_validate(row.graph)
            with self._lock:
                self._graphs[key] = cached
                self._owners[key] = row.org_code
        return cached

    def owner_org(self, session: Session, strategy_id: int, version: int) -> str | None:
        """The org that owns a published version (sends carry it to the reach centre)."""
        key = (strategy_id, version)
        if key not in self._owners:
            row = session.get(EngineVersion, key)
            if row is None:
                return None
            with self._lock:
                self._owners[key] = row.org_code
        return self._owners[key]

    def events(self, session: Session, *, force: bool = False) -> EventIndex:
        """The index of active versions by event name, rebuilt when a version was (de)activated anywhere."""
        stamp = tuple(session.execute(select(func.count(), func.max(EngineVersion.updated_at))).one())
        if not force and stamp == self._index.stamp:
            return self._index
        index = EventIndex(stamp=stamp)
        for row in session.scalars(select(EngineVersion).where(EngineVersion.status == "active")):
            graph = self.graph(session, row.strategy_id, row.version)
            for node in graph.nodes:
                if isinstance(node, EventEntry):
                    index.entries.setdefault(node.event, []).append(Trigger(
                        strategy_id=row.strategy_id, version=row.version, node=node, org_code=row.org_code,
                        holdout_percent=graph.settings.holdout_percent))
                elif isinstance(node, Goal):
                    index.goals.setdefault(node.event, set()).add(row.strategy_id)
        with self._lock:
            self._index = index
        return index


def get_runtime(platform: Platform) -> Runtime:
    """The process's runtime (made on first use)."""
    rt = platform.extras.get(EXTRA)
    if rt is None:
        rt = platform.extras.setdefault(EXTRA, Runtime(batch=platform.settings.engine_batch))
    return rt

"""Runtime fixtures: a controllable clock, effects that record by idempotency key, facts from a dict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mofang.platform.context import Platform
from mofang.strategy.engine.logic import advance
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.service.runtime import EXTRA
from strategy.runtime.kit import Clock, DictFacts, RecordingEffects


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def effects(platform: Platform) -> RecordingEffects:
    return RecordingEffects(platform)


@pytest.fixture
def facts() -> DictFacts:
    return DictFacts()


@pytest.fixture
def rt(platform: Platform, clock: Clock, effects: RecordingEffects, facts: DictFacts) -> Iterator[Runtime]:
    runtime = Runtime(advance=advance, effects=effects, facts=facts, clock=clock, worker_id="test")
    platform.extras[EXTRA] = runtime
    yield runtime

"""The journey engine: a pure step function and the executor that carries out its commands.

The facade imports the runtime when first called, so that importing `engine.contracts` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mofang.platform.context import Platform
    from mofang.strategy.canvas.contracts import Graph


def activate(*, platform: Platform, strategy_id: int, version: int, graph: Graph, org_code: str,
             migrate_instances: bool = False) -> None:
    """Run a published version: new entries go to it; customers inside older versions stay (or move)."""
    from mofang.strategy.engine.service import activate as _activate

    _activate(platform=platform, strategy_id=strategy_id, version=version, graph=graph, org_code=org_code,
              migrate_instances=migrate_instances)


def deactivate(*, platform: Platform, strategy_id: int, mode: Literal["pause", "resume", "stop"]) -> None:
    """Pause (customers hold), resume, or stop (every customer exits as stopped)."""
    from mofang.strategy.engine.service import deactivate as _deactivate

    _deactivate(platform=platform, strategy_id=strategy_id, mode=mode)


def handle_events(*, platform: Platform, events: Sequence[Mapping[str, Any]]) -> None:
    """Feed ingested events (the bus's `events.<name>` payloads) to triggers, waits and goals."""
    from mofang.strategy.engine.service import handle_events as _handle

    _handle(platform=platform, events=events)


def record_receipts(*, platform: Platform, receipts: Sequence[tuple[str, str, datetime]]) -> int:
    """Feed later delivery outcomes `(send idempotency key, outcome, at)` to their instances."""
    from mofang.strategy.engine.service import record_receipts as _record

    return _record(platform=platform, receipts=receipts)


__all__ = ["activate", "deactivate", "handle_events", "record_receipts"]

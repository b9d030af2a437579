"""The bus's public types: a message, the bus and a subscription (the same for every implementation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BusMessage:
    """One delivered message: its subject, its bytes and its id (stable across redeliveries)."""

    subject: str
    data: bytes
    id: str


Handler = Callable[[Sequence[BusMessage]], None]


class Subscription(Protocol):
    """A running subscription; `stop` waits for the handler call in progress, then ends delivery."""

    def stop(self) -> None: ...


class Bus(Protocol):
    """Durable publish/subscribe with queue groups, at-least-once delivery acked after the handler returns."""

    def publish(self, subject: str, payloads: Sequence[bytes], *, ids: Sequence[str] | None = None) -> None:
        """Store the payloads durably on `subject` (ids: deduplication keys; generated when omitted)."""
        ...

    def publish_messages(self, messages: Sequence[BusMessage]) -> None:
        """Store messages of several subjects in order, durably, in one go (ingestion's batches)."""
        ...

    def subscribe(self, subject: str, group: str, handler: Handler, *, batch: int = 256) -> Subscription:
        """Deliver matching messages to one member of `group`; redelivered when the handler raises or dies."""
        ...

    def close(self) -> None:
        """Stop every subscription and release connections."""
        ...


class BusError(RuntimeError):
    """The bus could not accept or deliver messages (a broken connection, a refused publish)."""

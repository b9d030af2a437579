"""Tracking's public types: the normalised event record, rejections and the import report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, NamedTuple, TypedDict

# Segment call types, in the order Segment documents them.
TYPES: Final = ("track", "identify", "page", "screen", "group", "alias")


class Record(TypedDict):
    """One validated event, ready for the WAL and the `events` table.

    A plain dict on purpose: orjson writes it to the WAL as one JSON line without help, and a dict
    of scalars is not tracked by the garbage collector.
    """

    message_id: str
    type: str
    event: str
    user_id: str | None
    anonymous_id: str | None
    ts_us: int  # client time of the event, microseconds since the epoch, UTC
    received_us: int  # server time the event arrived, microseconds since the epoch, UTC
    channel: str
    properties: str  # JSON text of an object
    context: str  # JSON text of an object
    link_from: str | None  # identify/alias: the id (anonymousId / previousId) now known to be user_id


class Rejection(NamedTuple):
    """Why one event was refused; `index` is its place in the batch (row number in an import)."""

    index: int
    message_id: str | None
    reason: str

    def as_json(self) -> dict[str, object]:
        """The shape the API answers with."""
        return {"index": self.index, "messageId": self.message_id, "reason": self.reason}


@dataclass
class ImportReport:
    """What a bulk import did: counts and the first rejections (row number and reason)."""

    path: str
    accepted: int = 0  # stored as new events
    duplicates: int = 0  # valid, but their messageId was already stored
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    max_listed: int = 50

    def reject(self, row: int, message_id: str | None, reason: str) -> None:
        """Count one refused row; keep its reason if the list is not full yet."""
        self.rejected += 1
        if len(self.rejections) < self.max_listed:
            self.rejections.append(Rejection(row, message_id, reason))

    def summary(self) -> str:
        """A human-readable account, one rejection per line."""
        lines = [
            f"imported {self.path}: {self.accepted} accepted, {self.duplicates} duplicates skipped, "
            f"{self.rejected} rejected"
        ]
        lines += [f"  row {r.index}: {r.reason}" for r in self.rejections]
        if self.rejected > len(self.rejections):
            lines.append(f"  ... and {self.rejected - len(self.rejections)} more rejected rows")
        return "\n".join(lines)

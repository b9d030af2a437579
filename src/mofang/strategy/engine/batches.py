"""Batched outbox commands: one row for a cohort's identical commands, read back as each member's own command.

Cohort members take the same step, so their commands differ only in the instance id (in the key `<id>:<node>:<seq>`
and in strings that start with `<id>:`) and the customer. A batch row holds the representative's command once and
the members as `[instance id, customer id]` pairs under `_batch`; `units` gives each member's command exactly as a
row of its own would have held it, with its own idempotency key (the reach centre dedupes by it, so a batch asked
again after a crash repeats no send). A plain row is a batch of one. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from mofang.strategy.engine.cohort import rename_json

BATCH = "_batch"


class Unit(NamedTuple):
    """One member's command out of an outbox row: what carrying it out and feeding it back needs."""

    row_key: str  # the outbox row it belongs to
    key: str  # its own idempotency key (the instance waits for its result under this key)
    instance_id: int
    kind: str
    payload: dict[str, Any]  # without `_route`; the same object for every member when none needs its own
    route: dict[str, Any]  # customer, strategy, version, org …
    attempts: int


def batch_key(first_key: str, ids: Sequence[int]) -> str:
    """A batch row's key, from its members: a transaction replayed with the same members writes the same key."""
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=8).hexdigest()
    return f"{first_key}*{len(ids)}:{digest}"


def batch_tail(of: int, key: str, members: Sequence[tuple[int, str]]) -> str:
    """The JSON text that follows `"_batch":` in a batch row's payload."""
    return orjson.dumps({"of": of, "key": key, "members": members}).decode()


def size(payload: dict[str, Any]) -> int:
    """How many members' commands an outbox row holds."""
    batch = payload.get(BATCH)
    return 1 if batch is None else len(batch["members"])


def units(row: Any) -> list[Unit]:
    """The members' commands of an outbox row (`key`, `instance_id`, `kind`, `payload`, `attempts`)."""
    payload = row.payload
    batch = payload.get(BATCH)
    rest = {k: v for k, v in payload.items() if k not in (BATCH, "_route")}
    route = payload.get("_route", {})
    if batch is None:
        return [Unit(row.key, row.key, row.instance_id, row.kind, rest, route, row.attempts)]
    old = f"{batch['of']}:"
    tail = batch["key"][len(old):]
    text = orjson.dumps(rest).decode()
    renamed = '"' + old in text  # a string of the payload starts with the representative's id: each its own
    out = []
    for iid, cid in batch["members"]:
        new = f"{iid}:"
        own = orjson.loads(rename_json(text, old, new)) if renamed else rest
        out.append(Unit(row.key, new + tail, iid, row.kind, own, {**route, "customer_id": cid}, row.attempts))
    return out


def kept(payload: dict[str, Any], ids: set[int]) -> dict[str, Any]:
    """A batch row's payload with only the members `ids` (those left to retry)."""
    batch = payload[BATCH]
    return {**payload, BATCH: {**batch, "members": [m for m in batch["members"] if m[0] in ids]}}


def summary(outcomes: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """A finished row's status and result: a single command's own; a batch's common outcome and counts."""
    if len(outcomes) == 1:
        outcome, detail = outcomes[0]
        return ("failed" if outcome == "failed" else "done"), {"outcome": outcome, **detail}
    counts: dict[str, int] = {}
    for outcome, _ in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    common = next(iter(counts)) if len(counts) == 1 else "mixed"
    return ("failed" if common == "failed" else "done"), {"outcome": common, "outcomes": counts}

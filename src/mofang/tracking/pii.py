"""PII at ingestion: a record's properties and traits are masked before the WAL, the original kept encrypted.

Runs where records are made (parse workers, the importer), so that neither the WAL nor DuckDB ever holds a
phone or ID number in clear. The masked form is what analytics groups and filters on; the original
properties, encrypted with the platform's PII key, ride in the record's context under `$pii`, for an
authorised and audited unmask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from mofang.platform.crypto import PiiCipher
from mofang.platform.pii import PiiPolicy, prefilter_regex
from mofang.tracking.contracts import Record

if TYPE_CHECKING:  # parse workers import this module: keep them clear of the server's dependencies
    from mofang.platform.context import Platform

CIPHER_KEY: Final = "$pii"  # in the stored context: the original properties, encrypted
_SHAPES_ONLY: Final = PiiPolicy.of(())
_TRAITS: Final = "traits"
_EXTRA: Final = "pii_guard"
_MARK_KEY: Final = "pii_protected"  # store_meta: the key list stored events were last protected under
_FIX_VIEW: Final = "mofang_pii_fix"
log = logging.getLogger("mofang.tracking.pii")


@dataclass(frozen=True)
class Guard:
    """What counts as PII, and the key that encrypts originals."""

    policy: PiiPolicy
    cipher: PiiCipher

    @classmethod
    def load(cls, *, secrets_dir: Path, keys: tuple[str, ...]) -> Guard:
        """The guard of a data dir (in a parse worker: the server passes where the key is)."""
        return cls(PiiPolicy.of(keys), PiiCipher(secrets_dir))

    def protect(self, record: Record) -> Record:
        """The record with PII masked in properties and context, the original properties encrypted."""
        props_text, ctx_text = record["properties"], record["context"]
        token: str | None = None
        props = orjson.loads(props_text)  # parsing is cheaper than scanning the text with regexes
        masked = self.policy.mask_tree(props) if self.policy.touches(props) else props
        if masked != props:
            token = self.cipher.encrypt(props_text)
            record = {**record, "properties": orjson.dumps(masked).decode()}  # type: ignore[typeddict-item]
        ctx = orjson.loads(ctx_text)
        if token is not None or CIPHER_KEY in ctx or self._context_touched(ctx):
            ctx.pop(CIPHER_KEY, None)  # only the server puts a key here: a sender's is dropped
            ctx = self._mask_context(ctx)
            if token is not None:
                ctx[CIPHER_KEY] = token
            record = {**record, "context": orjson.dumps(ctx).decode()}  # type: ignore[typeddict-item]
        return record

    def _context_touched(self, ctx: dict[str, Any]) -> bool:
        return any(self.policy.touches(v) if k == _TRAITS else _SHAPES_ONLY.touches(v) for k, v in ctx.items())

    def _mask_context(self, ctx: dict[str, Any]) -> dict[str, Any]:
        """Traits by key and shape; the rest (library, app, device names) by value shape only."""
        return {k: self.policy.mask_tree(v) if k == _TRAITS else _SHAPES_ONLY.mask_tree(v, k) for k, v in ctx.items()}


def guard_of(platform: Platform) -> Guard:
    """The platform's guard (built on first use)."""
    guard = platform.extras.get(_EXTRA)
    if guard is None:
        settings = platform.settings
        guard = platform.extras[_EXTRA] = Guard(settings.pii_policy(), platform.cipher)
    return guard


def protect_stored(platform: Platform) -> int:
    """Mask PII in events stored before ingestion masked it (once per list of PII keys); returns rows changed.

    Events written by an older version, or by bulk paths that bypassed the guard, would otherwise keep phone
    and ID numbers in clear at rest. Candidate rows are found in SQL, so a store without PII costs one scan.
    """
    import pyarrow as pa  # here: parse workers import this module and never need it

    guard = guard_of(platform)
    mark = ",".join(sorted(guard.policy.keys)) + ":v1"
    store = platform.store
    if store.scalar("SELECT value FROM store_meta WHERE key = ?", [_MARK_KEY]) == mark:
        return 0
    pattern = prefilter_regex(guard.policy)
    rows = store.query("""SELECT message_id, properties::VARCHAR AS properties, context::VARCHAR AS context
                          FROM events WHERE regexp_matches(properties::VARCHAR, $p)
                             OR regexp_matches(context::VARCHAR, $p)""", {"p": pattern})
    fixed: list[dict[str, Any]] = []
    for r in rows:
        out = guard.protect({"properties": _original(guard, r), "context": r["context"] or "{}"})  # type: ignore[typeddict-item]
        if out["properties"] != r["properties"] or out["context"] != r["context"]:
            fixed.append({"message_id": r["message_id"], "properties": out["properties"], "context": out["context"]})
    with store.write() as cur:
        if fixed:
            cur.register(_FIX_VIEW, pa.Table.from_pylist(fixed))
            try:
                cur.execute(f"""UPDATE events SET properties = f.properties, context = f.context FROM {_FIX_VIEW} f
                                WHERE events.message_id = f.message_id""")
            finally:
                cur.unregister(_FIX_VIEW)
        cur.execute("INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [_MARK_KEY, mark])
    if fixed:
        log.info("PII: masked personal data in %d events stored before ingestion masked it", len(fixed))
    return len(fixed)


def _original(guard: Guard, row: dict[str, Any]) -> str:
    """A stored event's properties as sent: decrypted when masked before (a new key list re-masks from these)."""
    ctx = orjson.loads(row["context"] or "{}")
    token = ctx.get(CIPHER_KEY) if isinstance(ctx, dict) else None
    original = guard.cipher.decrypt_or_none(token) if isinstance(token, str) else None
    return original or row["properties"] or "{}"

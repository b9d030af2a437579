"""PII at ingestion: a record's properties and traits are masked before the WAL, the original kept encrypted.

Runs where records are made (parse workers, the importer), so that neither the WAL nor DuckDB ever holds a
phone or ID number in clear. The masked form is what analytics groups and filters on; the original
properties, encrypted with the platform's PII key, ride in the record's context under `$pii`, for an
authorised and audited unmask.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from mofang.platform.crypto import PiiCipher
from mofang.platform.pii import PiiPolicy, might_hold_pii
from mofang.tracking.contracts import Record

if TYPE_CHECKING:  # parse workers import this module: keep them clear of the server's dependencies
    from mofang.platform.context import Platform

CIPHER_KEY: Final = "$pii"  # in the stored context: the original properties, encrypted
_SHAPES_ONLY: Final = PiiPolicy.of(())
_TRAITS: Final = "traits"
_EXTRA: Final = "pii_guard"


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
        if might_hold_pii(props_text, self.policy):
            props = orjson.loads(props_text)
            masked = self.policy.mask_tree(props)
            if masked != props:
                token = self.cipher.encrypt(props_text)
                record = {**record, "properties": orjson.dumps(masked).decode()}  # type: ignore[typeddict-item]
        if token is not None or CIPHER_KEY in ctx_text or might_hold_pii(ctx_text, self.policy):
            ctx = orjson.loads(ctx_text)
            ctx.pop(CIPHER_KEY, None)  # only the server puts a key here: a sender's is dropped
            ctx = self._mask_context(ctx)
            if token is not None:
                ctx[CIPHER_KEY] = token
            record = {**record, "context": orjson.dumps(ctx).decode()}  # type: ignore[typeddict-item]
        return record

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

"""Pure rules of identities: normalising and checking values, masks, keyed hashes, choosing an address."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mofang.integration.identities.contracts import CHANNEL_KINDS, MASTER_SOURCE, SECRET_KINDS
from mofang.platform.pii import is_email, is_mobile, mask_email, mask_phone

_MOBILE_PREFIXES = ("+86", "0086", "86")


@dataclass(frozen=True)
class IdentityRow:
    """A checked identity on its way in: the value normalised, in clear (only ever held in memory)."""

    customer_id: str
    kind: str
    value: str
    valid: bool = True
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    value_enc: str | None = None  # ciphertext to keep (the master's own), instead of encrypting the value again
    # Worked out where the clear value was in hand (a customers load's staging): the value itself is then not kept.
    value_hash: str | None = None
    masked: str | None = None


def normalise(kind: str, value: str) -> str:
    """The canonical form of a value (hashes and masks are of it); ValueError says why it is not one."""
    text = value.strip()
    if not text:
        raise ValueError("required")
    if kind == "mobile":
        # Most numbers are digits only: kept as they are (the same string the filter below would build).
        digits = text if text.isdigit() else "".join(ch for ch in text if ch.isdigit() or ch == "+")
        for prefix in _MOBILE_PREFIXES:
            if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
                digits = digits[len(prefix):]
                break
        if not is_mobile(digits):
            raise ValueError("not a mobile number (11 digits, 1[3-9]…)")
        return digits
    if kind == "email":
        if not is_email(text):
            raise ValueError("not an e-mail address")
        return text.lower()
    if any(ch.isspace() for ch in text) or any(ord(ch) < 32 for ch in text):
        raise ValueError("contains spaces or control characters")
    if len(text) > 256:
        raise ValueError("longer than 256 characters")
    return text


def mask(kind: str, value: str) -> str:
    """A value as people may see it: phone and e-mail masks; other secrets keep 3 leading and 4 trailing characters."""
    if kind == "mobile":
        return mask_phone(value) or ""
    if kind == "email":
        return mask_email(value) or ""
    if kind in SECRET_KINDS:
        return value[:3] + "****" + value[-4:] if len(value) > 10 else "*" * len(value)
    return value


def value_hash(key: bytes, kind: str, value: str) -> str:
    """A keyed digest of a normalised value: equal values hash equal, the value cannot be guessed back."""
    return hmac.digest(key, f"{kind}\x1f{value}".encode(), "sha256").hex()  # one C call (hmac.new: three)


def master_identities(key: bytes, kind: str, values: Sequence[str | None]) -> tuple[list[str | None], list[str | None]]:
    """(keyed hash, mask) of each master phone or e-mail as its identity; both None where it is not an address."""
    hashes: list[str | None] = []
    masks: list[str | None] = []
    prefix = f"{kind}\x1f"
    for value in values:
        try:
            norm = normalise(kind, value) if value else None
        except ValueError:
            norm = None  # a landline or a malformed address in the master: not a channel address
        if norm is None:
            hashes.append(None)
            masks.append(None)
        else:
            hashes.append(hmac.digest(key, (prefix + norm).encode(), "sha256").hex())
            masks.append(mask(kind, norm))
    return hashes, masks


def hash_key(token_key: bytes) -> bytes:
    """The key of identity hashes, derived from the installation's signing key (never stored beside the data)."""
    return hashlib.sha256(token_key + b"|identity-hash").digest()


@dataclass(frozen=True)
class Candidate:
    """A stored valid identity considered as an address."""

    customer_id: str
    kind: str
    value: str | None
    value_enc: str | None
    masked: str
    source: str
    last_seen: datetime | None
    id: int


def _rank(channel: str, c: Candidate) -> tuple[int, int, float, int]:
    # The channel's preferred kind first; then what the bank declared over the master copy; the latest seen;
    # the latest written.
    kinds = CHANNEL_KINDS[channel]
    seen = c.last_seen.timestamp() if c.last_seen is not None else float("-inf")
    return (kinds.index(c.kind), 1 if c.source == MASTER_SOURCE else 0, -seen, -c.id)


def best(channel: str, candidates: Iterable[Candidate]) -> Candidate | None:
    """The candidate a channel should use, or None when the customer has none of its kinds."""
    usable = [c for c in candidates if c.kind in CHANNEL_KINDS[channel]]
    return min(usable, key=lambda c: _rank(channel, c)) if usable else None


def source_wins(new: str, old: str) -> bool:
    """Whether a row's source should become `new`: what a bank system declares beats copies and sightings."""
    order = {"events": 0, MASTER_SOURCE: 1}
    return order.get(new, 2) >= order.get(old, 2)

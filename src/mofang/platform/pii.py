"""PII in free-form data (event properties, identify traits): detection, deterministic masks, shape validators.

The one place that decides what is personal data and what its masked form is. Pure and light on imports:
ingestion parse workers (child processes) run it on every event.

Detection: by key name (a configurable list, compared case-insensitively with `_`, `-`, spaces and a leading
`$` ignored, at any depth, so `idNumber`, `ID_NUMBER` and `id-number` are one key) and by value shape
(mainland mobile, 18-digit resident ID with a valid ISO 7064 check digit, 16-19-digit bank card passing Luhn,
e-mail), also inside free text. Masks are deterministic and idempotent (masking a masked value changes
nothing), so group-by and filters work on the stored masked form, and masking on read is safe for data
that was masked at ingestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

# Keys whose values are personal data, whatever they look like.
DEFAULT_KEYS: Final = (
    "phone", "mobile", "tel", "telephone", "phone_number", "mobile_phone", "cellphone",
    "id_number", "id_card", "idcard", "id_no", "cert_no", "certificate_no", "passport_no",
    "name", "real_name", "full_name", "customer_name",
    "email", "e_mail",
    "card_no", "card_number", "bank_card", "account_no", "account_number",
    "address", "home_address",
)
# Of those, the keys holding words (names, addresses): only the first character is kept.
_WORDY: Final = frozenset({"name", "realname", "fullname", "customername", "address", "homeaddress"})

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_ID: Final = re.compile(r"\d{17}[\dXx]")
_CARD: Final = re.compile(r"\d{16,19}")
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Candidates inside free text: a digit run of 11-19 (mobile, ID, card) or an e-mail address.
_EMBEDDED: Final = re.compile(r"(?<![0-9A-Za-z])(\d{11,19}|\d{17}[Xx])(?![0-9A-Za-z])|" + _EMAIL.pattern)
_QUICK: Final = re.compile(r"\d{11}|@")
_DIGITS11: Final = re.compile(r"\d{11}")
_SEEN_CAP: Final = 100_000


def normalise_key(key: str) -> str:
    """`ID_Number`, `idNumber`, `$id-number` → `idnumber`."""
    return key.lstrip("$").lower().replace("_", "").replace("-", "").replace(" ", "")


def id_checksum_ok(value: str) -> bool:
    """An 18-character resident ID whose last character is its ISO 7064 MOD 11-2 check digit."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def luhn_ok(value: str) -> bool:
    """Whether a digit string passes the Luhn check (bank card numbers do)."""
    if not value.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_mobile(value: str) -> bool:
    """A mainland mobile number (11 digits, 1[3-9]...)."""
    return _MOBILE.fullmatch(value) is not None


def is_resident_id(value: str) -> bool:
    """An 18-digit resident ID number with a valid check digit."""
    return _ID.fullmatch(value) is not None and id_checksum_ok(value)


def is_bank_card(value: str) -> bool:
    """A 16-19 digit card number passing Luhn."""
    return _CARD.fullmatch(value) is not None and luhn_ok(value)


def is_email(value: str) -> bool:
    """An e-mail address."""
    return _EMAIL.fullmatch(value) is not None


def shape_of(value: str) -> str | None:
    """Which kind of PII a whole value looks like: phone, id_number, bank_card, email, or None."""
    if is_resident_id(value):
        return "id_number"
    if is_mobile(value):
        return "phone"
    if is_bank_card(value):
        return "bank_card"
    if is_email(value):
        return "email"
    return None


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧***: keep the first character only."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_digits(value: str | None) -> str | None:
    """13812341234 → 138****1234 (phone, ID and card numbers alike: first 3 and last 4 kept)."""
    if not value:
        return value
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


mask_phone = mask_digits
mask_id_number = mask_digits


def mask_email(email: str | None) -> str | None:
    """zhangsan@example.com → z***@example.com."""
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def _shaped(text: str) -> bool:
    """Whether text may hold a mobile, ID, card number or e-mail (cheap tests before the regex)."""
    return ("@" in text and len(text) >= 5) or (len(text) >= 11 and _DIGITS11.search(text) is not None)


def mask_text(text: str) -> str:
    """Free text with every embedded mobile, valid ID, Luhn-valid card and e-mail masked."""
    if _QUICK.search(text) is None:
        return text

    def one(m: re.Match[str]) -> str:
        found = m.group(0)
        kind = shape_of(found)
        if kind is None:
            return found
        return mask_email(found) if kind == "email" else mask_digits(found)  # type: ignore[return-value]

    return _EMBEDDED.sub(one, text)


@dataclass(frozen=True)
class PiiPolicy:
    """Which keys carry PII (normalised); masks values and whole JSON trees."""

    keys: frozenset[str]
    # Verdicts per raw key: a deployment sends a few hundred distinct keys, each event checks all of its own.
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @staticmethod
    @lru_cache(maxsize=16)
    def of(keys: tuple[str, ...] = DEFAULT_KEYS) -> PiiPolicy:
        """The policy for a list of key names (cached: settings build it once per list)."""
        return PiiPolicy(frozenset(normalise_key(k) for k in keys if k.strip()))

    def is_pii_key(self, key: str) -> bool:
        """Whether values under this key are PII whatever their shape."""
        hit = self._seen.get(key)
        if hit is None:
            hit = normalise_key(key) in self.keys
            if len(self._seen) < _SEEN_CAP:
                self._seen[key] = hit
        return hit

    def touches(self, value: Any) -> bool:
        """Whether a parsed JSON value holds anything `mask_tree` would change (the cheap check, run first)."""
        if isinstance(value, dict):
            for k, v in value.items():
                if self.is_pii_key(k) or (not isinstance(v, str | int | float | None) and self.touches(v)):
                    return True
                if (isinstance(v, str) and _shaped(v)) or (isinstance(v, int) and v >= 10**10):
                    return True
            return False
        if isinstance(value, list):
            return any(self.touches(v) for v in value)
        if isinstance(value, str):
            return _shaped(value)
        return isinstance(value, int) and value >= 10**10 and not isinstance(value, bool)

    def mask_scalar(self, key: str | None, value: Any) -> Any:
        """A value as stored/shown under `key`: masked if the key or its shape says PII; others unchanged."""
        if key is not None and self.is_pii_key(key):
            return _mask_keyed(normalise_key(key), value)
        if isinstance(value, str):
            return mask_text(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 10**10:
            text = str(value)
            return mask_digits(text) if shape_of(text) else value
        return value

    def mask_tree(self, value: Any, key: str | None = None) -> Any:
        """A JSON value with PII masked at any depth (a PII key masks everything beneath it)."""
        if key is not None and self.is_pii_key(key):
            return _mask_all(normalise_key(key), value)
        if isinstance(value, dict):
            return {k: self.mask_tree(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_tree(v, key) for v in value]
        return self.mask_scalar(key, value)

    def key_pattern(self) -> re.Pattern[str]:
        """A regex finding any of the policy's keys as a JSON object key in compact JSON text."""
        return _key_pattern(self.keys)


def _mask_all(nkey: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_all(nkey, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(nkey, v) for v in value]
    return _mask_keyed(nkey, value)


def _mask_keyed(nkey: str, value: Any) -> Any:
    """A scalar under a PII key; the form depends on the key and '@' only, so it is idempotent."""
    if value is None or isinstance(value, bool | float):
        return value
    text = str(value)
    if not text:
        return text
    if "@" in text:
        return mask_email(text)
    if nkey in _WORDY:
        return mask_name(text)
    return mask_digits(text)


@lru_cache(maxsize=16)
def _key_pattern(keys: frozenset[str]) -> re.Pattern[str]:
    sep = r"[_\- ]?"
    alts = "|".join(sep.join(re.escape(c) for c in k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(r'"\$?' + sep + "(?:" + alts + r')"\s*:', re.IGNORECASE)


def prefilter_regex(policy: PiiPolicy) -> str:
    """A regex (RE2 and Python) matching JSON text that may hold PII, for a store to find candidate rows in SQL."""
    keys = policy.key_pattern().pattern if policy.keys else None
    return r"(?i)\d{11}|@" + (f"|{keys}" if keys else "")

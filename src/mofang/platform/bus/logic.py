"""Pure subject rules: event names to subject tokens and back, pattern matching, names derived for NATS.

Subjects follow NATS: tokens separated by `.`, `*` matches one token and `>` the rest in a subscription.
NATS recommends ASCII letters, digits, `-` and `_` in tokens, so event names (any Unicode, spaces, dots,
wildcard characters) are encoded: everything else becomes `-XX` per UTF-8 byte (`-` itself is escaped).
"""

from __future__ import annotations

import functools
import hashlib
import re

EVENTS_PREFIX = "events"
_PLAIN = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ESCAPED = re.compile(r"-([0-9A-F]{2})")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")


def encode_token(name: str) -> str:
    """One subject token carrying any text, reversibly (ASCII letters, digits and `_` stay as they are)."""
    if not name:
        return "-"  # an empty name still needs a non-empty token; "-" alone never comes out of an escape
    return "".join(chr(b) if b in _PLAIN else f"-{b:02X}" for b in name.encode("utf-8"))


def decode_token(token: str) -> str:
    """The text `encode_token` encoded."""
    if token == "-":
        return ""
    raw = bytearray()
    i = 0
    while i < len(token):
        m = _ESCAPED.match(token, i)
        if m:
            raw.append(int(m.group(1), 16))
            i = m.end()
        else:
            raw.extend(token[i].encode("ascii"))
            i += 1
    return raw.decode("utf-8")


@functools.lru_cache(maxsize=4096)  # event names repeat: ingestion asks for the same few thousand all day
def event_subject(event_name: str) -> str:
    """The subject one ingested event of this name is published on."""
    return f"{EVENTS_PREFIX}.{encode_token(event_name)}"


def event_name_of(subject: str) -> str:
    """The event name of an `events.<token>` subject."""
    prefix, _, token = subject.partition(".")
    if prefix != EVENTS_PREFIX or not token:
        raise ValueError(f"not an event subject: {subject!r}")
    return decode_token(token)


def check_subject(subject: str, *, pattern: bool = False) -> list[str]:
    """The tokens of a valid subject (a subscription pattern may use `*` and a final `>`); ValueError otherwise."""
    tokens = subject.split(".")
    for i, token in enumerate(tokens):
        if pattern and (token == "*" or (token == ">" and i == len(tokens) - 1)):
            continue
        if not _TOKEN.fullmatch(token):
            raise ValueError(f"bad subject token {token!r} in {subject!r} (use encode_token for names)")
    return tokens


def matches(pattern: str, subject: str) -> bool:
    """Whether a subject falls under a subscription pattern (NATS wildcard rules)."""
    pat = pattern.split(".")
    sub = subject.split(".")
    for i, token in enumerate(pat):
        if token == ">":
            return len(sub) > i
        if i >= len(sub) or (token != "*" and token != sub[i]):
            return False
    return len(sub) == len(pat)


def stream_name(prefix: str, namespace: str = "") -> str:
    """The JetStream stream holding every subject under `prefix` (first token), e.g. MOFANG_EVENTS."""
    parts = ["MOFANG", *([namespace] if namespace else []), prefix]
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p).upper() for p in parts)


def durable_name(group: str, pattern: str) -> str:
    """The durable consumer of a group on a pattern: readable group name plus a short hash of both."""
    digest = hashlib.sha256(f"{group}\n{pattern}".encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', group)[:40]}_{digest}"


def redelivery_delay(deliveries: int, *, ack_wait: float) -> float:
    """How long a batch whose handler raised waits before it is offered again (doubling, capped)."""
    return min(0.1 * 2 ** max(deliveries - 1, 0), ack_wait, 30.0)

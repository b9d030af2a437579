"""Pure rules of delivery: backoff, token buckets, callback signatures, request mappings, receipts as events."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from mofang.platform.pii import mask_digits, mask_email

# Receipt statuses in increasing engagement: the log keeps the most engaged one seen.
RECEIPT_RANK: Final = {"undelivered": 0, "delivered": 1, "opened": 2, "clicked": 3, "replied": 4,
                       "unsubscribed": 5, "converted": 6}
# The event each receipt becomes (one schema, docs/reach.md).
RECEIPT_EVENTS: Final = {"delivered": "message_delivered", "undelivered": "message_failed",
                         "opened": "message_opened", "clicked": "message_clicked", "replied": "message_replied",
                         "unsubscribed": "message_unsubscribed", "converted": "message_converted"}
# The event a send's own outcome becomes.
SEND_EVENTS: Final = {"accepted": "message_sent", "suppressed": "message_suppressed",
                      "unreachable": "message_unreachable", "failed": "message_failed",
                      "not_configured": "message_failed"}
# What a reply to an SMS means "unsubscribe" (回T退订), compared after trimming and upper-casing.
OPT_OUT_REPLIES: Final = frozenset({"T", "TD", "退订", "N", "0000", "UNSUBSCRIBE", "STOP"})
_PLACEHOLDER: Final = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
SIGNATURE_WINDOW: Final = timedelta(minutes=5)


def backoff_seconds(attempt: int, *, base: float = 2.0, cap: float = 600.0, rand: float = 0.5) -> float:
    """Delay before retry number `attempt` (1-based): exponential, capped, with full jitter from `rand` in [0, 1)."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    # Half fixed, half jittered: retries of many messages spread out, yet never come back at once.
    return ceiling / 2 + ceiling / 2 * rand


def bucket_take(tokens: float, last: float, now: float, *, rate: float, burst: int) -> tuple[float, float]:
    """One token from a bucket refilled at `rate`/s up to `burst`: (tokens left after, seconds to wait; 0 = taken)."""
    tokens = min(float(burst), tokens + max(0.0, now - last) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / rate if rate > 0 else float("inf")


def mask_address(channel: str, value: str) -> str:
    """An address as the log stores it: phones and tokens keep their ends, e-mails their domain."""
    if "@" in value:
        return mask_email(value) or "***"
    if channel in ("inbox", "rm_task", "placement"):
        return value  # the customer number itself: not contact data
    return mask_digits(value) or "***"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `timestamp.` + body: what a callback sender signs."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_problem(secret: str | None, timestamp: str | None, given: str | None, body: bytes, *,
                      now: datetime) -> str | None:
    """Why a signed callback must be refused (bad or stale signature), else None; replays are checked apart."""
    if not secret:
        return "callback_not_configured"
    if not timestamp or not given:
        return "signature_missing"
    try:
        ts = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        return "signature_invalid"
    if abs(now - ts) > SIGNATURE_WINDOW:
        return "signature_stale"
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.strip().lower().encode()):
        return "signature_invalid"
    return None


def signature_hash(timestamp: str, given: str) -> str:
    """What is remembered of a callback taken, to refuse it the second time."""
    return hashlib.sha256(f"{timestamp}:{given.strip().lower()}".encode()).hexdigest()


def json_path(doc: Any, path: str) -> Any:
    """The value at a dotted path (`data.list.0.msgid`, a leading `$.` allowed), or None."""
    node = doc
    for part in [p for p in path.removeprefix("$").split(".") if p]:
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def fill(template: Any, values: Mapping[str, str]) -> Any:
    """A request mapping with `{{name}}` placeholders replaced by values (no expressions; unknown names empty)."""
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)
    if isinstance(template, Mapping):
        return {str(k): fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def placeholders(template: Any) -> set[str]:
    """Every placeholder name a mapping uses."""
    if isinstance(template, str):
        return set(_PLACEHOLDER.findall(template))
    if isinstance(template, Mapping):
        return set().union(*(placeholders(v) for v in template.values())) if template else set()
    if isinstance(template, list):
        return set().union(*(placeholders(v) for v in template)) if template else set()
    return set()


def matches(actual: Any, expected: Any) -> bool:
    """Whether a response value meets the success rule (compared as text: `0` and "0" agree)."""
    if actual is None:
        return False
    if isinstance(actual, bool) or isinstance(expected, bool):
        return str(actual).lower() == str(expected).lower()
    return str(actual) == str(expected)


def is_opt_out(text: str | None) -> bool:
    """Whether an SMS reply asks to unsubscribe (回T退订)."""
    return bool(text) and text.strip().upper() in OPT_OUT_REPLIES  # type: ignore[union-attr]


def better_receipt(current: str | None, new: str) -> bool:
    """Whether a receipt is more engaged than the one the log holds (a late 'delivered' never lowers 'clicked')."""
    return current is None or RECEIPT_RANK.get(new, -1) > RECEIPT_RANK.get(current, -1)


def event_message(event: str, *, delivery: Mapping[str, Any], at: datetime, suffix: str,
                  extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A Segment track message about one delivery, with a message id that makes its ingestion exactly-once."""
    props = {"delivery_id": delivery["id"], "channel": delivery["channel"],
             "strategy_id": delivery.get("strategy_id"), "strategy_version": delivery.get("strategy_version"),
             "campaign_id": delivery.get("campaign_id"), "node_id": delivery.get("node_id"),
             "instance_id": delivery.get("instance_id"), "template_id": delivery.get("template_id"),
             "purpose": delivery.get("purpose"), **(extra or {})}
    return {"type": "track", "event": event, "userId": delivery["customer_id"],
            "messageId": f"reach-{delivery['id']}-{suffix}", "timestamp": at.isoformat(),
            "properties": {k: v for k, v in props.items() if v is not None},
            "context": {"library": {"name": "mofang-reach"}}}


def day_of(ts: datetime) -> str:
    """The UTC day of a timestamp, for daily volumes."""
    return ts.date().isoformat()

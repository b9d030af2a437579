"""Shared pieces of the vendor providers: reading an answer, classifying failures, callback checks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mofang.platform import outbound
from mofang.reach.channels import CallbackCheck
from mofang.reach.contracts import ProviderResult
from mofang.reach.delivery.logic import SIGNATURE_WINDOW


def transport_failure(result: outbound.OutboundResult) -> ProviderResult | None:
    """A failure before any business answer: timeouts, lost connections and 5xx retry, other refusals are final."""
    if result.outcome in ("timeout", "unreachable") or (result.outcome == "http_error" and (result.status or 0) >= 500):
        return ProviderResult(accepted=False, retryable=True,
                              reason=f"http_{result.status}" if result.status else result.outcome)
    if result.outcome in ("sent", "http_error"):
        return None  # a 4xx may still carry the vendor's error code: the caller reads it
    return ProviderResult(accepted=False, reason=f"endpoint_{result.outcome}")


def json_of(raw: bytes) -> Any:
    """The answer as JSON, or None when it is not."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def body_hash(body: bytes) -> str:
    """A callback identified by its content (vendors that sign nothing per request)."""
    return "body:" + hashlib.sha256(body).hexdigest()


def same(given: str | None, expected: str | None) -> bool:
    """Constant-time equality of two secrets (False when either is missing)."""
    return bool(given) and bool(expected) and hmac.compare_digest(str(given).encode(), str(expected).encode())


def stale(timestamp: str | None, now: datetime, *, millis: bool = False) -> str | None:
    """Why a callback's timestamp must be refused (missing, unreadable, more than 5 minutes off), else None."""
    try:
        value = int(str(timestamp))
        ts = datetime.fromtimestamp(value / 1000 if millis else value, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return "signature_missing" if not timestamp else "signature_invalid"
    return "signature_stale" if abs(now - ts) > SIGNATURE_WINDOW else None


def refused(problem: str, key: str = "") -> CallbackCheck:
    """A callback refused for `problem`."""
    return CallbackCheck(problem=problem, replay_key=key)


def time_of(value: Any, *, default: datetime) -> datetime:
    """A report's time: ISO or 'YYYY-MM-DD HH:MM:SS' (Asia/Shanghai when no zone), epoch seconds or millis."""
    from zoneinfo import ZoneInfo

    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
        except (ValueError, OverflowError, OSError):
            return default
    if isinstance(value, str) and value:
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            return default
        return ts if ts.tzinfo else ts.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return default


def headers_get(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name."""
    low = name.lower()
    return next((v for k, v in headers.items() if k.lower() == low), None)

"""智能外呼 AI outbound call: a task pushed over HTTP, the call's result back by a signed callback.

The task body is a configurable JSON shape whose strings may hold {{task_id}} (our delivery id), {{phone}} (the
customer's number, decrypted only for this request), {{script_id}}, {{callback_url}} and {{app_key}}; a string that
is exactly "{{variables}}" becomes the script variables object. Success is `success_path` == `success_value`
(default `code` == "0"); the task id is the vendor id the result names. The result callback is signed:
`X-Call-Timestamp` (Unix seconds, within 5 minutes), `X-Call-Nonce` (refused when seen before) and
`X-Call-Signature` = hex HMAC-SHA256(callback_secret, timestamp + nonce + body). Its body
`{"task_id", "connected", "duration", "intent" (A–D), "tags", "summary", "ended_at"}` becomes a `call_completed`
event with those properties (and `message_delivered` / `message_failed` for connected or not).

Config: `url`, `script_id`, `body` (optional shape), `success_path`, `success_value`, `callback_url`. Secrets:
`app_key` (sent as {{app_key}} and `Authorization: Bearer`), `callback_secret`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from mofang.platform import outbound
from mofang.reach.channels import CallbackCheck, ProviderContext, ProviderSpec
from mofang.reach.channels.vendor import headers_get, json_of, refused, same, stale, time_of, transport_failure
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage
from mofang.reach.delivery.logic import fill, json_path, matches, placeholders

DEFAULT_BODY: Final = {"taskId": "{{task_id}}", "scriptId": "{{script_id}}", "phone": "{{phone}}",
                       "variables": "{{variables}}", "callbackUrl": "{{callback_url}}"}
PLACEHOLDERS: Final = frozenset({"task_id", "phone", "script_id", "callback_url", "app_key", "variables"})
INTENTS: Final = frozenset({"A", "B", "C", "D"})
_VARIABLES: Final = re.compile(r"^\{\{\s*variables\s*\}\}$")


def call_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of timestamp + nonce + body: what the call platform signs its results with."""
    return hmac.new(secret.encode(), timestamp.encode() + nonce.encode() + body, hashlib.sha256).hexdigest()


def task_body(shape: Any, values: Mapping[str, str], variables: Mapping[str, str]) -> Any:
    """The task request: placeholders filled as text, the exact "{{variables}}" as the variables object."""
    if isinstance(shape, str) and _VARIABLES.match(shape):
        return dict(variables)
    if isinstance(shape, Mapping):
        return {str(k): task_body(v, values, variables) for k, v in shape.items()}
    if isinstance(shape, list):
        return [task_body(v, values, variables) for v in shape]
    return fill(shape, values)


def result_receipts(doc: Any, *, now: datetime) -> list[Receipt]:
    """A call result as receipts: delivered (connected) or undelivered, each carrying the call's facts."""
    items = doc if isinstance(doc, list) else [doc]
    out: list[Receipt] = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("task_id"):
            continue
        connected = item.get("connected") is True
        duration = item.get("duration")
        intent = str(item.get("intent") or "").upper()
        tags = item.get("tags") if isinstance(item.get("tags"), list) else []
        seconds = int(duration) if isinstance(duration, int | float) and 0 <= duration < 86_400 else 0
        call = {"connected": connected, "duration_seconds": seconds,
                "intent": intent if intent in INTENTS else None,
                "tags": [str(t)[:32] for t in tags[:20]], "summary": str(item.get("summary") or "")[:500]}
        out.append(Receipt(status="delivered" if connected else "undelivered",
                           at=time_of(item.get("ended_at"), default=now), vendor_id=str(item["task_id"])[:128],
                           detail={"vendor_status": "connected" if connected else "not_connected", "call": call}))
    return out


class AiCall:
    """One AI outbound-call platform."""

    channel: Channel = "call"

    def __init__(self, config: Mapping[str, Any], secrets: Mapping[str, str], ctx: ProviderContext) -> None:
        self._config = config
        self._secrets = secrets
        self._ctx = ctx

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Push one call task; the task id (our delivery id) is the vendor id its result will name."""
        cfg = self._config
        task_id = str(message.delivery_id or idempotency_key)
        values = {"task_id": task_id, "phone": address, "script_id": str(cfg.get("script_id") or ""),
                  "callback_url": str(cfg.get("callback_url") or ""), "app_key": self._secrets.get("app_key", "")}
        variables = dict(message.data) or {"content": message.body}
        body = task_body(cfg.get("body") or DEFAULT_BODY, values, variables)
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self._secrets.get("app_key"):
            headers["Authorization"] = f"Bearer {self._secrets['app_key']}"
        result, raw = outbound.exchange("POST", str(cfg["url"]), json.dumps(body, ensure_ascii=False).encode(),
                                        allow_hosts=self._ctx.allow_hosts, timeout=self._ctx.timeout,
                                        headers=headers, keep_alive=True)
        failed = transport_failure(result)
        if failed is not None:
            return failed
        if not result.ok:
            return ProviderResult(accepted=False, reason=f"http_{result.status}")
        doc = json_of(raw)
        if not matches(json_path(doc, str(cfg.get("success_path") or "code")), cfg.get("success_value", "0")):
            return ProviderResult(accepted=False, reason="vendor_refused")
        return ProviderResult(accepted=True, vendor_id=task_id)

    def check_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str], *,
                       now: datetime) -> CallbackCheck:
        """HMAC-SHA256 over timestamp + nonce + body, the timestamp within 5 minutes; the nonce marks it as seen."""
        secret = self._secrets.get("callback_secret")
        if not secret:
            return refused("callback_not_configured")
        ts, nonce = headers_get(headers, "x-call-timestamp"), headers_get(headers, "x-call-nonce")
        given = headers_get(headers, "x-call-signature")
        if not ts or not nonce or not given or len(nonce) > 128:
            return refused("signature_missing")
        if not same(call_signature(secret, ts, nonce, body), given.strip().lower()):
            return refused("signature_invalid")
        problem = stale(ts, now)
        if problem:
            return refused(problem)
        return CallbackCheck(problem=None, replay_key=f"nonce:{nonce}")

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """The call result(s) of one callback."""
        return result_receipts(json_of(body), now=datetime.now(UTC))


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of an AI-call config as (field, code)."""
    problems: list[tuple[str, str]] = []
    url = config.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2000:
        problems.append(("config.url", "reach_url_invalid" if url else "reach_url_required"))
    body = config.get("body")
    if body is not None and not isinstance(body, dict):
        problems.append(("config.body", "reach_body_invalid"))
    elif body is not None:
        if placeholders(body) - PLACEHOLDERS:
            problems.append(("config.body", "reach_placeholder_unknown"))
        if "phone" not in placeholders(body):
            problems.append(("config.body", "reach_address_placeholder_missing"))
    return problems


SPEC = ProviderSpec(kind="ai_call", channels=("call",), secret_fields=("app_key", "callback_secret"),
                    build=lambda _channel, config, secrets, ctx: AiCall(config, secrets, ctx), validate=validate)

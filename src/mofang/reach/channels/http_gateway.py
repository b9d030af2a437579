"""A configurable HTTP gateway for SMS and app push: URL, method, JSON or form body with placeholders, auth
header, a success rule (JSON path + expected value) and the vendor's message id; status reports by callback.

Config (JSON, no secrets): `url`, `method` (POST | PUT | GET), `body_format` (json | form), `body` (an object
whose strings may hold {{address}}, {{content}}, {{title}}, {{url}}, {{sign}}, {{key}}, {{idempotency_key}},
{{channel_id}}), `headers`, `auth_header` (its value is the secret `auth_value`), `success_path` +
`success_value`, `vendor_id_path`, `sign` (SMS 【签名】), and for callbacks `reports_path` (default `reports`),
`id_field` (`msgid`), `status_field` (`status`), `time_field` (`time`), `status_map`, `replies_path`
(`replies`), `text_field` (`text`). Secrets: `key`, `auth_value`, `callback_secret`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode

from mofang.platform import outbound, outbound_batch
from mofang.platform.outbound_batch import Call
from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.contracts import Channel, Outgoing, ProviderResult, Receipt, ReceiptStatus, RenderedMessage
from mofang.reach.delivery.logic import fill, json_path, matches, placeholders

DEFAULT_STATUS_MAP: Final[dict[str, ReceiptStatus]] = {
    "DELIVRD": "delivered", "DELIVERED": "delivered", "ARRIVED": "delivered", "UNDELIV": "undelivered",
    "EXPIRED": "undelivered", "REJECTD": "undelivered", "UNKNOWN": "undelivered", "FAILED": "undelivered",
    "OPENED": "opened", "CLICKED": "clicked",
}
PLACEHOLDERS: Final = frozenset({"address", "content", "title", "url", "sign", "key", "idempotency_key",
                                 "channel_id"})
_RECEIPT_STATUSES: Final = frozenset({"delivered", "undelivered", "opened", "clicked", "replied", "unsubscribed",
                                      "converted"})


class HttpGateway:
    """One configured gateway; expected failures come back as values."""

    def __init__(self, channel: Channel, config: Mapping[str, Any], secrets: Mapping[str, str],
                 ctx: ProviderContext, *, extra_allow: frozenset[str] = frozenset()) -> None:
        self.channel = channel
        self._config = config
        self._secrets = secrets
        self._ctx = ctx
        self._allow = ctx.allow_hosts | extra_allow
        # What every message shares, worked out once per configured channel (not per message).
        self._sign = str(config.get("sign") or "")
        self._method = str(config.get("method") or "POST").upper()
        self._form = config.get("body_format") == "form"
        self._headers = {str(k): str(v) for k, v in (config.get("headers") or {}).items()}
        if config.get("auth_header") and secrets.get("auth_value"):
            self._headers[str(config["auth_header"])] = secrets["auth_value"]
        self._body, self._url = config.get("body") or {}, str(config.get("url") or "")
        self._key, self._channel_id = secrets.get("key", ""), str(ctx.channel_id or "")
        if self._method != "GET":
            self._headers.setdefault("Content-Type", "application/x-www-form-urlencoded" if self._form
                                     else "application/json")

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Post one message to the gateway and read its answer by the success rule."""
        method, url, data, headers = self._request(message, address, idempotency_key)
        result, raw = outbound.exchange(method, url, data, allow_hosts=self._allow, headers=headers,
                                        timeout=self._ctx.timeout, keep_alive=True)
        return _answer(result, raw, self._config)

    def send_many(self, items: Sequence[Outgoing], *, parallel: int = 16) -> list[ProviderResult]:
        """Post many messages at once (up to `parallel` in flight on one event loop), answers in their order."""
        calls = [Call(*self._request(m, address, key)) for m, address, key in items]
        answers = outbound_batch.exchange_many(calls, allow_hosts=self._allow, timeout=self._ctx.timeout,
                                               connections=parallel)
        return [_answer(result, raw, self._config) for result, raw in answers]

    def _request(self, message: RenderedMessage, address: str,
                 idempotency_key: str) -> tuple[str, str, bytes | None, dict[str, str]]:
        """(method, URL, body, headers) of one message by the gateway's mapping."""
        sign = self._sign
        content = message.body if not sign or sign in message.body else sign + message.body
        values = {"address": address, "content": content, "title": message.title or "", "url": message.url or "",
                  "sign": sign, "key": self._key, "idempotency_key": idempotency_key, "channel_id": self._channel_id}
        body = fill(self._body, values)
        url = self._url
        headers = dict(self._headers)
        data: bytes | None
        if self._method == "GET":
            url += ("&" if "?" in url else "?") + urlencode(body)
            data = None
        elif self._form:
            data = urlencode(body).encode()
        else:
            data = json.dumps(body, ensure_ascii=False).encode()
        headers.setdefault("Idempotency-Key", idempotency_key)
        return self._method, url, data, headers

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Status reports and replies of one callback body (unknown statuses are skipped)."""
        return parse_reports(body, self._config)


def _answer(result: outbound.OutboundResult, raw: bytes, cfg: Mapping[str, Any]) -> ProviderResult:
    """The gateway's answer as a provider result: 5xx, timeouts and lost connections may be retried."""
    if result.outcome in ("timeout", "unreachable") or (result.outcome == "http_error" and (result.status or 0) >= 500):
        return ProviderResult(accepted=False, retryable=True,
                              reason=f"http_{result.status}" if result.status else result.outcome)
    if result.outcome == "http_error":
        return ProviderResult(accepted=False, reason=f"http_{result.status}")
    if not result.ok:
        return ProviderResult(accepted=False, reason=f"endpoint_{result.outcome}")
    doc: Any = None
    if raw:
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
    path = cfg.get("success_path")
    if path and not matches(json_path(doc, str(path)), cfg.get("success_value")):
        return ProviderResult(accepted=False, reason="vendor_refused")
    vendor_id = json_path(doc, str(cfg["vendor_id_path"])) if cfg.get("vendor_id_path") else None
    return ProviderResult(accepted=True, vendor_id=str(vendor_id) if vendor_id is not None else None)


def _time(value: Any) -> datetime:
    """A report's time (ISO text or epoch seconds), or now when it names none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        try:
            ts = datetime.fromisoformat(value)
            return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def parse_reports(body: bytes, cfg: Mapping[str, Any]) -> list[Receipt]:
    """Receipts of a gateway callback: `reports` (status per message id) and `replies` (text per message id)."""
    try:
        doc = json.loads(body)
    except ValueError:
        return []
    status_map = {**DEFAULT_STATUS_MAP, **{str(k).upper(): v for k, v in (cfg.get("status_map") or {}).items()}}
    id_field, time_field = str(cfg.get("id_field") or "msgid"), str(cfg.get("time_field") or "time")
    out: list[Receipt] = []
    reports = json_path(doc, str(cfg.get("reports_path") or "reports"))
    for item in reports if isinstance(reports, list) else []:
        if not isinstance(item, Mapping):
            continue
        raw_status = str(item.get(str(cfg.get("status_field") or "status")) or "").upper()
        status = status_map.get(raw_status)
        vendor_id = item.get(id_field)
        if status not in _RECEIPT_STATUSES or vendor_id is None:
            continue
        out.append(Receipt(status=status, at=_time(item.get(time_field)), vendor_id=str(vendor_id),  # type: ignore[arg-type]
                           detail={"vendor_status": raw_status[:32]}))
    replies = json_path(doc, str(cfg.get("replies_path") or "replies"))
    for item in replies if isinstance(replies, list) else []:
        if not isinstance(item, Mapping) or item.get(id_field) is None:
            continue
        text = item.get(str(cfg.get("text_field") or "text"))
        out.append(Receipt(status="replied", at=_time(item.get(time_field)), vendor_id=str(item.get(id_field)),
                           detail={"text": str(text or "")[:70]}))
    return out


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a gateway config as (field, code)."""
    problems: list[tuple[str, str]] = []
    url = config.get("url")
    if not isinstance(url, str) or not url:
        problems.append(("config.url", "reach_url_required"))
    elif not url.startswith(("http://", "https://")) or len(url) > 2000:
        problems.append(("config.url", "reach_url_invalid"))
    if str(config.get("method") or "POST").upper() not in ("POST", "PUT", "GET"):
        problems.append(("config.method", "reach_method_invalid"))
    if config.get("body_format", "json") not in ("json", "form"):
        problems.append(("config.body_format", "reach_body_format_invalid"))
    body = config.get("body")
    if body is not None and not isinstance(body, dict):
        problems.append(("config.body", "reach_body_invalid"))
    elif body is not None:
        unknown = placeholders(body) - PLACEHOLDERS
        if unknown:
            problems.append(("config.body", "reach_placeholder_unknown"))
        if "address" not in placeholders(body):
            problems.append(("config.body", "reach_address_placeholder_missing"))
    for key in ("headers", "status_map"):
        if config.get(key) is not None and not isinstance(config.get(key), dict):
            problems.append((f"config.{key}", "reach_mapping_invalid"))
    return problems


SPEC = ProviderSpec(
    kind="http_gateway", channels=("sms", "push"), secret_fields=("key", "auth_value", "callback_secret"),
    build=lambda channel, config, secrets, ctx: HttpGateway(channel, config, secrets, ctx), validate=validate,
)

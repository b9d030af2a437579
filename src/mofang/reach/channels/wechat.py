"""微信公众号 WeChat Official Account template messages, over the documented server API.

`access_token` comes from `GET {base}/cgi-bin/token?grant_type=client_credential&appid=&secret=`, is cached until
shortly before `expires_in`, and is fetched again (the send retried once) when a send answers errcode 40001, 40014
or 42001. `POST {base}/cgi-bin/message/template/send?access_token=` takes `touser` (the openid), `template_id`,
`url` and `data` `{key: {"value": ...}}`; `errcode == 0` is accepted with `msgid`. The TEMPLATESENDJOBFINISH event
(XML, `Status` success / failed:user block / failed: system failed) is verified by the server token's signature
(sha1 of the sorted token, timestamp and nonce), the timestamp within 5 minutes, the same signature twice refused.

Config: `app_id`, `template_id`, `base_url` (default https://api.weixin.qq.com). Secrets: `app_secret`, `token`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode

from mofang.platform import outbound
from mofang.reach.channels import CallbackCheck, ProviderContext, ProviderSpec
from mofang.reach.channels.vendor import json_of, refused, same, stale, transport_failure
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage

DEFAULT_BASE: Final = "https://api.weixin.qq.com"
TOKEN_ERRORS: Final = frozenset({40001, 40014, 42001})  # invalid or expired access_token: fetch anew, retry once
RETRYABLE_ERRORS: Final = frozenset({-1, 45009, 45011})  # system busy, over the API quota / rate
TOKEN_MARGIN: Final = 300  # seconds before expiry a token is no longer used


def callback_signature(token: str, timestamp: str, nonce: str) -> str:
    """sha1 of the sorted token, timestamp and nonce, concatenated (WeChat's server verification)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def template_body(cfg: Mapping[str, Any], *, openid: str, message: RenderedMessage) -> dict[str, Any]:
    """The template/send payload: the rendered fields as `{key: {"value": ...}}` (the body as `content` if none)."""
    fields = dict(message.data) or {"content": message.body}
    body: dict[str, Any] = {"touser": openid, "template_id": str(cfg.get("template_id") or ""),
                            "data": {k: {"value": v} for k, v in fields.items()}}
    if message.url:
        body["url"] = message.url
    return body


def parse_event(body: bytes) -> dict[str, str] | None:
    """The fields of one pushed XML event (no DTDs or entities accepted), or None."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    return {child.tag: (child.text or "").strip() for child in root}


class WeChatTemplate:
    """One Official Account; its access_token is shared by every send through this provider."""

    channel: Channel = "wechat"

    def __init__(self, config: Mapping[str, Any], secrets: Mapping[str, str], ctx: ProviderContext, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._secrets = secrets
        self._ctx = ctx
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None  # (token, usable until)

    def _base(self) -> str:
        return str(self._config.get("base_url") or DEFAULT_BASE).rstrip("/")

    def _fetch_token(self) -> str | ProviderResult:
        """A fresh access_token, or why none could be had."""
        query = urlencode({"grant_type": "client_credential", "appid": str(self._config.get("app_id") or ""),
                           "secret": self._secrets.get("app_secret", "")})
        result, raw = outbound.exchange("GET", f"{self._base()}/cgi-bin/token?{query}", None,
                                        allow_hosts=self._ctx.allow_hosts, timeout=self._ctx.timeout)
        failed = transport_failure(result)
        if failed is not None:
            return failed
        doc = json_of(raw)
        if not result.ok or not isinstance(doc, dict) or not doc.get("access_token"):
            code = doc.get("errcode") if isinstance(doc, dict) else None
            return ProviderResult(accepted=False, retryable=code in RETRYABLE_ERRORS,
                                  reason=f"wechat_token_{code}" if code is not None else f"http_{result.status}")
        expires = doc.get("expires_in") if isinstance(doc.get("expires_in"), int) else 7200
        self._token = (str(doc["access_token"]), self._clock() + max(60, expires - TOKEN_MARGIN))
        return self._token[0]

    def _access_token(self, *, fresh: bool = False) -> str | ProviderResult:
        with self._lock:
            if not fresh and self._token is not None and self._clock() < self._token[1]:
                return self._token[0]
            return self._fetch_token()

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Send one template message; an invalid or expired token is replaced and the send tried once more."""
        data = json.dumps(template_body(self._config, openid=address, message=message), ensure_ascii=False).encode()
        for fresh in (False, True):
            token = self._access_token(fresh=fresh)
            if isinstance(token, ProviderResult):
                return token
            url = f"{self._base()}/cgi-bin/message/template/send?{urlencode({'access_token': token})}"
            result, raw = outbound.exchange("POST", url, data, allow_hosts=self._ctx.allow_hosts,
                                            timeout=self._ctx.timeout, keep_alive=True,
                                            headers={"Content-Type": "application/json"})
            failed = transport_failure(result)
            if failed is not None:
                return failed
            doc = json_of(raw)
            code = doc.get("errcode", 0) if isinstance(doc, dict) else None
            if result.ok and code == 0:
                msgid = doc.get("msgid")  # type: ignore[union-attr]
                return ProviderResult(accepted=True, vendor_id=str(msgid) if msgid is not None else None)
            if code in TOKEN_ERRORS and not fresh:
                continue
            return ProviderResult(accepted=False, retryable=code in RETRYABLE_ERRORS,
                                  reason=f"wechat_{code}" if code is not None else f"http_{result.status}")
        return ProviderResult(accepted=False, reason="wechat_token_refused")

    def check_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str], *,
                       now: datetime) -> CallbackCheck:
        """WeChat's server signature over the token, timestamp and nonce of the callback URL."""
        token = self._secrets.get("token")
        if not token:
            return refused("callback_not_configured")
        ts, nonce, given = query.get("timestamp"), query.get("nonce"), query.get("signature")
        if not ts or not nonce or not given:
            return refused("signature_missing")
        if not same(callback_signature(token, ts, nonce), given.lower()):
            return refused("signature_invalid")
        problem = stale(ts, now)
        if problem:
            return refused(problem)
        return CallbackCheck(problem=None, replay_key=f"{ts}:{nonce}:{given.lower()}")

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """TEMPLATESENDJOBFINISH: `success` → delivered, `failed:user block` / `failed: system failed` → undelivered."""
        event = parse_event(body)
        if not event or event.get("Event") != "TEMPLATESENDJOBFINISH" or not event.get("MsgID"):
            return []
        status = event.get("Status", "")
        try:
            at = datetime.fromtimestamp(int(event.get("CreateTime") or 0), UTC) if event.get("CreateTime") \
                else datetime.now(UTC)
        except (ValueError, OverflowError, OSError):
            at = datetime.now(UTC)
        return [Receipt(status="delivered" if status == "success" else "undelivered", at=at,
                        vendor_id=event["MsgID"], detail={"vendor_status": status[:32]})]


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a WeChat config as (field, code)."""
    problems = [(f"config.{k}", "reach_field_required") for k in ("app_id", "template_id")
                if not isinstance(config.get(k), str) or not config.get(k)]
    base = config.get("base_url")
    if base is not None and (not isinstance(base, str) or not base.startswith(("http://", "https://"))):
        problems.append(("config.base_url", "reach_url_invalid"))
    return problems


SPEC = ProviderSpec(kind="wechat_template", channels=("wechat",), secret_fields=("app_secret", "token"),
                    build=lambda _channel, config, secrets, ctx: WeChatTemplate(config, secrets, ctx),
                    validate=validate)

"""极光推送 JPush v3 push API: `POST {base_url}/v3/push` with HTTP Basic appKey:masterSecret.

The audience is one registration id (or alias, by config), the notification has android and ios parts, options
carry `sendno` (our delivery id) and `apns_production`. The answer `{"sendno", "msg_id"}` is accepted with `msg_id`
as the vendor id; `{"error": {"code", "message"}}` is refused (code 2002 — over the rate — and 5xx are retried).
Receipts come by Jiguang's message callback (`{msgid, type, ...}` items in a batch: arrival, failure, click),
authenticated the way Jiguang signs callbacks:
`Authorization: Basic base64(appKey:masterSecret)`; a body seen before is refused as a replay.

Config: `app_key`, `audience` (registration_id | alias), `apns_production` (bool), `base_url` (default
https://api.jpush.cn), `callback_url` (where JPush posts receipts, normally Mofang's callback path). Secret:
`master_secret`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from mofang.platform import outbound
from mofang.reach.channels import CallbackCheck, ProviderContext, ProviderSpec
from mofang.reach.channels.vendor import body_hash, headers_get, json_of, refused, same, time_of, transport_failure
from mofang.reach.contracts import Channel, ProviderResult, Receipt, ReceiptStatus, RenderedMessage

DEFAULT_BASE: Final = "https://api.jpush.cn"
RETRYABLE_CODES: Final = frozenset({1030, 2002, 2008})  # internal error, over the rate, timeout
# Callback `type`: 1 arrived, 2 clicked (JPush v3 push callback); anything else is not a receipt.
# The status codes of Jiguang's message callback (docs.jiguang.cn, 消息回调设置: 0 目标有效, 1 目标无效, 2 提交成功,
# 3 提交失败, 4 送达成功, 5 送达失败, 6 点击, 7/8 撤回). JPush v3's own receipt fields are given to VIP customers by
# their support contact only; a bank whose contract gives other codes maps them here. 0/2/7/8 change nothing.
CALLBACK_TYPES: Final[dict[int, ReceiptStatus]] = {1: "undelivered", 3: "undelivered", 4: "delivered",
                                                   5: "undelivered", 6: "clicked"}


def basic(app_key: str, master_secret: str) -> str:
    """The Authorization header JPush expects (and sends with its callbacks)."""
    return "Basic " + base64.b64encode(f"{app_key}:{master_secret}".encode()).decode()


def push_body(cfg: Mapping[str, Any], *, address: str, message: RenderedMessage, sendno: int) -> dict[str, Any]:
    """The v3 push payload for one device (or alias)."""
    extras = {"url": message.url} if message.url else {}
    android = {"alert": message.body, "title": message.title or "", "extras": extras}
    ios = {"alert": {"title": message.title or "", "body": message.body}, "sound": "default", "extras": extras}
    audience = "alias" if cfg.get("audience") == "alias" else "registration_id"
    body: dict[str, Any] = {
        "platform": "all", "audience": {audience: [address]},
        "notification": {"android": android, "ios": ios},
        "options": {"sendno": sendno, "apns_production": bool(cfg.get("apns_production", False)),
                    "time_to_live": 86400},
    }
    if cfg.get("callback_url"):
        body["callback"] = {"url": str(cfg["callback_url"]), "type": 3,
                            "params": {"delivery_id": str(message.delivery_id or "")}}
    return body


class JPush:
    """One JPush application."""

    channel: Channel = "push"

    def __init__(self, config: Mapping[str, Any], secrets: Mapping[str, str], ctx: ProviderContext) -> None:
        self._config = config
        self._secrets = secrets
        self._ctx = ctx

    def _auth(self) -> str:
        return basic(str(self._config.get("app_key") or ""), self._secrets.get("master_secret", ""))

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Push one notification; `msg_id` is the vendor id."""
        sendno = (message.delivery_id or 0) % 2**31
        data = json.dumps(push_body(self._config, address=address, message=message, sendno=sendno),
                          ensure_ascii=False).encode()
        url = str(self._config.get("base_url") or DEFAULT_BASE).rstrip("/") + "/v3/push"
        result, raw = outbound.exchange("POST", url, data, allow_hosts=self._ctx.allow_hosts, timeout=self._ctx.timeout,
                                        headers={"Content-Type": "application/json", "Authorization": self._auth()},
                                        keep_alive=True)
        failed = transport_failure(result)
        if failed is not None:
            return failed
        doc = json_of(raw)
        if result.ok and isinstance(doc, dict) and doc.get("msg_id"):
            return ProviderResult(accepted=True, vendor_id=str(doc["msg_id"]))
        error = doc.get("error") if isinstance(doc, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        if result.status == 429 or code in RETRYABLE_CODES:
            return ProviderResult(accepted=False, retryable=True, reason=f"jpush_{code or 429}")
        return ProviderResult(accepted=False, reason=f"jpush_{code}" if code is not None else f"http_{result.status}")

    def check_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str], *,
                       now: datetime) -> CallbackCheck:
        """JPush signs callbacks with the application's own Basic credentials; a body seen before is a replay."""
        if not self._secrets.get("master_secret"):
            return refused("callback_not_configured")
        if not same(headers_get(headers, "authorization"), self._auth()):
            return refused("signature_invalid")
        return CallbackCheck(problem=None, replay_key=body_hash(body))

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Arrival and click receipts (a list, or `{"data": [...]}`), matched by `msg_id`."""
        doc = json_of(body)
        items = doc.get("data") if isinstance(doc, dict) else doc
        now = datetime.now(UTC)
        out: list[Receipt] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue
            msg_id = item.get("msg_id") or item.get("msgid")
            status = CALLBACK_TYPES.get(item.get("type")) if isinstance(item.get("type"), int) else None
            if msg_id is None or status is None:
                continue
            out.append(Receipt(status=status, at=time_of(item.get("time"), default=now), vendor_id=str(msg_id),
                               detail={"vendor_status": f"type_{item.get('type')}"}))
        return out


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a JPush config as (field, code)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(config.get("app_key"), str) or not config.get("app_key"):
        problems.append(("config.app_key", "reach_field_required"))
    if config.get("audience", "registration_id") not in ("registration_id", "alias"):
        problems.append(("config.audience", "reach_audience_invalid"))
    for key in ("base_url", "callback_url"):
        value = config.get(key)
        if value is not None and (not isinstance(value, str) or not value.startswith(("http://", "https://"))):
            problems.append((f"config.{key}", "reach_url_invalid"))
    return problems


SPEC = ProviderSpec(kind="jpush", channels=("push",), secret_fields=("master_secret",),
                    build=lambda _channel, config, secrets, ctx: JPush(config, secrets, ctx), validate=validate)

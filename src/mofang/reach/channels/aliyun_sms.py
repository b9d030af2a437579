"""阿里云短信 Aliyun SMS `SendSms` (dysmsapi, RPC style, version 2017-05-25) with its published V1 signature.

Request: GET `{endpoint}/?<common params>&PhoneNumbers&SignName&TemplateCode&TemplateParam&OutId&Signature`, the
signature being Base64(HMAC-SHA1(AccessKeySecret + "&", "GET&%2F&" + percent(canonicalized query))). Success is
`Code == "OK"`, the vendor id `BizId`; `OutId` is our delivery id. Status reports come by Aliyun's HTTP batch push
(a JSON array of `phone_number, success, biz_id, err_code, report_time, out_id`), which carries no signature: the
callback URL holds a secret `token` (compared in constant time) and a body seen before is refused as a replay.

Config: `access_key_id`, `sign_name`, `template_code`, `endpoint` (default https://dysmsapi.aliyuncs.com),
`region_id` (cn-hangzhou). Secrets: `access_key_secret`, `callback_token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

from mofang.platform import outbound
from mofang.reach.channels import CallbackCheck, ProviderContext, ProviderSpec
from mofang.reach.channels.vendor import body_hash, json_of, refused, same, time_of, transport_failure
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage

DEFAULT_ENDPOINT: Final = "https://dysmsapi.aliyuncs.com"
# Business codes worth another try later (throttling, the vendor's own trouble); every other code is final.
RETRYABLE_CODES: Final = frozenset({"Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable",
                                    "InternalError", "isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR"})


def percent(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved kept, space as %20, `*` as %2A, `~` kept."""
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The canonicalized query string: parameters sorted by name, names and values percent-encoded."""
    return "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()) if k != "Signature")


def string_to_sign(params: Mapping[str, str], method: str = "GET") -> str:
    """`GET&%2F&` + the percent-encoded canonicalized query string."""
    return f"{method}&{percent('/')}&{percent(canonical_query(params))}"


def rpc_signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """Base64(HMAC-SHA1(secret + "&", StringToSign)): signature method V1 of Aliyun's RPC APIs."""
    digest = hmac.new((secret + "&").encode(), string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send_params(cfg: Mapping[str, Any], *, phone: str, message: RenderedMessage, now: datetime,
                nonce: str) -> dict[str, str]:
    """The unsigned SendSms parameters for one message (TemplateParam: the message's data, else its text)."""
    data = dict(message.data) or {k: v for k, v in (("content", message.body), ("url", message.url)) if v}
    params = {"AccessKeyId": str(cfg.get("access_key_id") or ""), "Action": "SendSms", "Format": "JSON",
              "RegionId": str(cfg.get("region_id") or "cn-hangzhou"), "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": nonce, "SignatureVersion": "1.0", "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "Version": "2017-05-25", "PhoneNumbers": phone, "SignName": str(cfg.get("sign_name") or ""),
              "TemplateCode": str(cfg.get("template_code") or ""),
              "TemplateParam": json.dumps(data, ensure_ascii=False, separators=(",", ":"))}
    if message.delivery_id is not None:
        params["OutId"] = str(message.delivery_id)
    return params


class AliyunSms:
    """One Aliyun SMS account (an AccessKey pair, a signature name and a template)."""

    channel: Channel = "sms"

    def __init__(self, config: Mapping[str, Any], secrets: Mapping[str, str], ctx: ProviderContext, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._config = config
        self._secrets = secrets
        self._ctx = ctx
        self._clock = clock

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Call SendSms once: `Code == "OK"` is accepted with its BizId."""
        params = send_params(self._config, phone=address, message=message, now=self._clock(),
                             nonce=uuid.uuid4().hex)
        params["Signature"] = rpc_signature(params, self._secrets.get("access_key_secret", ""))
        base = str(self._config.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
        query = "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items())
        result, raw = outbound.exchange("GET", f"{base}/?{query}", None, allow_hosts=self._ctx.allow_hosts,
                                        timeout=self._ctx.timeout, keep_alive=True)
        failed = transport_failure(result)
        if failed is not None:
            return failed
        doc = json_of(raw)
        code = str(doc.get("Code") or "") if isinstance(doc, dict) else ""
        if result.ok and code == "OK":
            biz_id = doc.get("BizId")  # type: ignore[union-attr]
            return ProviderResult(accepted=True, vendor_id=str(biz_id) if biz_id else None)
        reason = f"aliyun_{code}"[:64] if code else f"http_{result.status}"
        return ProviderResult(accepted=False, retryable=code in RETRYABLE_CODES, reason=reason)

    def check_callback(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str], *,
                       now: datetime) -> CallbackCheck:
        """Aliyun's push is unsigned: the secret token in the callback URL, and a body seen before is a replay."""
        expected = self._secrets.get("callback_token")
        if not expected:
            return refused("callback_not_configured")
        if not same(query.get("token"), expected):
            return refused("signature_invalid")
        return CallbackCheck(problem=None, replay_key=body_hash(body))

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """SmsReport items: `success` true → delivered, false → undelivered with its err_code."""
        doc = json_of(body)
        out: list[Receipt] = []
        now = datetime.now(UTC)
        for item in doc if isinstance(doc, list) else []:
            if not isinstance(item, Mapping) or not item.get("biz_id"):
                continue
            ok = item.get("success") is True or str(item.get("success")).lower() == "true"
            out.append(Receipt(status="delivered" if ok else "undelivered",
                               at=time_of(item.get("report_time"), default=now), vendor_id=str(item["biz_id"]),
                               detail={"vendor_status": str(item.get("err_code") or "")[:32]}))
        return out


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of an Aliyun SMS config as (field, code)."""
    problems = [(f"config.{k}", "reach_field_required") for k in ("access_key_id", "sign_name", "template_code")
                if not isinstance(config.get(k), str) or not config.get(k)]
    endpoint = config.get("endpoint")
    if endpoint is not None and (not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://"))):
        problems.append(("config.endpoint", "reach_url_invalid"))
    return problems


SPEC = ProviderSpec(kind="aliyun_sms", channels=("sms",), secret_fields=("access_key_secret", "callback_token"),
                    build=lambda _channel, config, secrets, ctx: AliyunSms(config, secrets, ctx), validate=validate)

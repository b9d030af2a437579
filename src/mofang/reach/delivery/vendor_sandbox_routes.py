"""沙箱 vendor simulators: Aliyun dysmsapi, JPush /v3/push, WeChat /cgi-bin and an AI-call platform, inside the app.

Each checks what its vendor checks (the RPC signature and the AccessKey, Basic appKey:masterSecret, the
access_token, the bearer key), answers in the vendor's shape, and after the channel's delay posts the vendor's
status report / event / call result to Mofang's real callback path, signed the vendor's way. Only channels of the
matching sandbox kind are served.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets as pysecrets
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import JSONResponse

from mofang.platform import outbound
from mofang.platform.context import Platform
from mofang.platform.deps import PlatformDep
from mofang.reach.channels.ai_call import call_signature
from mofang.reach.channels.aliyun_sms import rpc_signature
from mofang.reach.channels.jpush import basic
from mofang.reach.channels.vendor import same
from mofang.reach.channels.vendor_sandbox import channel_of
from mofang.reach.channels.wechat import callback_signature
from mofang.reach.delivery import repository as repo

router = APIRouter(prefix="/sandbox", tags=["reach"])
log = logging.getLogger("mofang.reach.sandbox")
_TOKENS: dict[int, str] = {}  # the WeChat sandbox's current access_token per channel
_BEIJING = timezone(timedelta(hours=8))


def _channel(platform: Platform, channel_id: int | None, kind: str) -> tuple[int, dict[str, str], float] | None:
    """(id, secrets, delay) of a sandbox channel of this kind, or None."""
    if channel_id is None:
        return None
    with platform.metadata.session() as session:
        row = repo.channel(session, channel_id)
        if row is None or row.provider != kind:
            return None
        secrets = json.loads(platform.cipher.decrypt_or_none(row.secrets_enc) or "{}") if row.secrets_enc else {}
        return row.id, secrets, float((row.config or {}).get("delay_seconds", 2))


def _post_later(platform: Platform, delay: float, path: str, body: bytes, headers: Mapping[str, str]) -> None:
    """Post a vendor callback to the app's own callback path after `delay` seconds (through the outbound guard)."""
    base = platform.settings.public_url()

    def post() -> None:
        result = outbound.send("POST", f"{base}{path}", body, headers=dict(headers),
                               allow_hosts={(urlsplit(base).hostname or "127.0.0.1").lower()},
                               timeout=platform.settings.outbound_timeout_seconds)
        if not result.ok:
            log.warning("sandbox callback %s: %s", path.split("?")[0], result.summary())

    timer = threading.Timer(delay, post)
    timer.daemon = True
    timer.start()


@router.get("/aliyun/")
def aliyun_send_sms(request: Request, platform: PlatformDep) -> JSONResponse:
    """dysmsapi SendSms: the V1 signature checked with the channel's AccessKeySecret; a report follows."""
    params = {k: v for k, v in request.query_params.items()}
    given = params.pop("Signature", "")
    found = _channel(platform, channel_of(params.get("AccessKeyId", ""), "SANDBOX"), "aliyun_sms_sandbox")
    if found is None:
        return JSONResponse({"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."},
                            status_code=404)
    channel_id, secrets, delay = found
    if not same(rpc_signature(params, secrets.get("access_key_secret", "")), given):
        return JSONResponse({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"},
                            status_code=400)
    if params.get("Action") != "SendSms" or not params.get("PhoneNumbers") or not params.get("SignName"):
        return JSONResponse({"Code": "MissingParameter", "Message": "missing parameter"}, status_code=400)
    biz_id = f"{int(time.time() * 1000)}^{uuid.uuid4().int % 10**10}"
    now = datetime.now(_BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    report = [{"phone_number": params["PhoneNumbers"], "send_time": now, "report_time": now, "success": True,
               "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1", "biz_id": biz_id,
               "out_id": params.get("OutId", "")}]
    _post_later(platform, delay, f"/api/reach/callbacks/sms/{channel_id}?"
                + urlencode({"token": secrets.get("callback_token", "")}),
                json.dumps(report, ensure_ascii=False).encode(), {"Content-Type": "application/json"})
    return JSONResponse({"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": str(uuid.uuid4()).upper()})


def _basic_user(request: Request) -> tuple[str, str]:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return user, password


@router.post("/jpush/v3/push")
def jpush_push(request: Request, platform: PlatformDep, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """JPush v3 push: Basic appKey:masterSecret checked; an arrival receipt follows."""
    app_key, _secret = _basic_user(request)
    found = _channel(platform, channel_of(app_key, "sandbox"), "jpush_sandbox")
    if found is None or request.headers.get("authorization") != basic(app_key, found[1].get("master_secret", "")):
        return JSONResponse({"error": {"code": 1004, "message": "Authen failed"}}, status_code=401)
    channel_id, secrets, delay = found
    audience = body.get("audience") if isinstance(body.get("audience"), dict) else {}
    if not (audience.get("registration_id") or audience.get("alias")) or not isinstance(body.get("notification"),
                                                                                         dict):
        return JSONResponse({"error": {"code": 1003, "message": "Parameter value is invalid"}}, status_code=400)
    msg_id = str(uuid.uuid4().int % 10**17)
    receipt = [{"msgid": msg_id, "type": 4, "time": int(time.time())}]  # 4 送达成功
    _post_later(platform, delay, f"/api/reach/callbacks/push/{channel_id}", json.dumps(receipt).encode(),
                {"Content-Type": "application/json", "Authorization": basic(app_key, secrets["master_secret"])})
    sendno = (body.get("options") or {}).get("sendno", 0) if isinstance(body.get("options"), dict) else 0
    return JSONResponse({"sendno": str(sendno), "msg_id": msg_id})


@router.get("/wechat/cgi-bin/token")
def wechat_token(platform: PlatformDep, grant_type: str = "", appid: str = "", secret: str = "") -> JSONResponse:
    """WeChat access_token: appid and secret checked; a new token replaces the old one (like the vendor)."""
    found = _channel(platform, channel_of(appid, "wxsandbox"), "wechat_sandbox")
    if grant_type != "client_credential" or found is None:
        return JSONResponse({"errcode": 40013, "errmsg": "invalid appid"})
    if not same(secret, found[1].get("app_secret", "")):
        return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
    _TOKENS[found[0]] = token = pysecrets.token_urlsafe(32)
    return JSONResponse({"access_token": token, "expires_in": 7200})


@router.post("/wechat/cgi-bin/message/template/send")
def wechat_template_send(platform: PlatformDep, body: Annotated[dict[str, Any], Body()],
                         access_token: str = "") -> JSONResponse:
    """Template message: the access_token checked; the TEMPLATESENDJOBFINISH event follows, signed by the token."""
    channel_id = next((c for c, t in _TOKENS.items() if same(t, access_token)), None)
    found = _channel(platform, channel_id, "wechat_sandbox")
    if found is None:
        return JSONResponse({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
    if not body.get("touser") or not body.get("template_id") or not isinstance(body.get("data"), dict):
        return JSONResponse({"errcode": 47001, "errmsg": "data format error"})
    channel_id, secrets, delay = found
    msgid = uuid.uuid4().int % 10**10
    ts, nonce = str(int(time.time() + delay)), str(uuid.uuid4().int % 10**10)
    event = (f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[{body['touser']}]]>"
             f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             f"<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{msgid}</MsgID>"
             "<Status><![CDATA[success]]></Status></xml>").encode()
    query = urlencode({"signature": callback_signature(secrets.get("token", ""), ts, nonce), "timestamp": ts,
                       "nonce": nonce})
    _post_later(platform, delay, f"/api/reach/callbacks/wechat/{channel_id}?{query}", event,
                {"Content-Type": "text/xml"})
    return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": msgid})


@router.post("/call/{channel_id}/tasks")
def call_task(channel_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, platform: PlatformDep,
              body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """AI call task: the bearer key checked; the call's signed result follows (connected, intent from the task)."""
    found = _channel(platform, channel_id, "ai_call_sandbox")
    expected = f"Bearer {found[1].get('app_key', '')}" if found else ""
    if found is None or not same(request.headers.get("authorization"), expected):
        return JSONResponse({"code": "401", "msg": "unauthorized"}, status_code=401)
    if not body.get("taskId") or not body.get("phone"):
        return JSONResponse({"code": "400", "msg": "taskId and phone are required"}, status_code=400)
    _id, secrets, delay = found
    digest = hashlib.sha256(str(body["taskId"]).encode()).digest()
    connected = digest[0] % 10 < 7  # about 70% answer, the same for the same task
    result = {"task_id": str(body["taskId"]), "connected": connected, "duration": 20 + digest[1] % 120 if connected
              else 0, "intent": "ABCD"[digest[2] % 4] if connected else None,
              "tags": ["沙箱"] + (["有意向"] if connected and digest[2] % 4 < 2 else []),
              "summary": "沙箱外呼结果" if connected else "未接通", "ended_at": int(time.time() + delay)}
    raw = json.dumps(result, ensure_ascii=False).encode()
    ts, nonce = str(int(time.time() + delay)), uuid.uuid4().hex
    _post_later(platform, delay, f"/api/reach/callbacks/call/{channel_id}", raw,
                {"Content-Type": "application/json", "X-Call-Timestamp": ts, "X-Call-Nonce": nonce,
                 "X-Call-Signature": call_signature(secrets.get("callback_secret", ""), ts, nonce, raw)})
    return JSONResponse({"code": "0", "data": {"callId": uuid.uuid4().hex}})

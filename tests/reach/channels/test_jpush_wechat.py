"""JPush v3 and WeChat template messages against receivers that check what the vendors check."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mofang.reach.channels.jpush import JPush, basic
from mofang.reach.channels.wechat import WeChatTemplate, callback_signature
from mofang.reach.contracts import RenderedMessage
from reach.channels.conftest import Vendor, context

APP_KEY, MASTER = "7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1"


def jpush_vendor(known: set[str]) -> Callable[[str, str, Mapping[str, str], bytes], tuple[int, Any]]:
    """POST /v3/push: Basic appKey:masterSecret, a registration id it knows, options.sendno echoed."""

    def handle(method: str, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
        if method != "POST" or path != "/v3/push":
            return 404, {"error": {"code": 1000, "message": "no such API"}}
        if headers.get("authorization") != basic(APP_KEY, MASTER):
            return 401, {"error": {"code": 1004, "message": "Authen failed"}}
        doc = json.loads(body)
        ids = doc["audience"].get("registration_id") or []
        if "android" not in doc["notification"] or "ios" not in doc["notification"]:
            return 400, {"error": {"code": 1003, "message": "Parameter value is invalid"}}
        if ids and ids[0] == "busy":
            return 429, {"error": {"code": 2002, "message": "Rate limit exceeded"}}
        if not set(ids) & known:
            return 400, {"error": {"code": 1011, "message": "cannot find user by this audience"}}
        return 200, {"sendno": str(doc["options"]["sendno"]), "msg_id": "54043195528450421"}

    return handle


def jpush(url: str, secret: str = MASTER) -> JPush:
    return JPush({"app_key": APP_KEY, "base_url": url, "apns_production": True,
                  "callback_url": "https://mofang.bank/api/reach/callbacks/push/3"},
                 {"master_secret": secret}, context())


def test_jpush_pushes_to_a_registration_id_with_both_platforms_and_sendno(vendor: Callable[..., Vendor]) -> None:
    v = vendor(jpush_vendor({"1a0018970a8f2b4c"}))
    msg = RenderedMessage(channel="push", title="理财到期", body="您的理财明日到期", url="http://mofang.test/r/abc",
                          delivery_id=77)
    out = jpush(v.url).send(msg, address="1a0018970a8f2b4c", idempotency_key="k")
    assert out.accepted and out.vendor_id == "54043195528450421"
    sent = json.loads(v.requests[0]["body"])
    assert sent["options"] == {"sendno": 77, "apns_production": True, "time_to_live": 86400}
    assert sent["notification"]["android"]["extras"]["url"] == "http://mofang.test/r/abc"
    assert sent["notification"]["ios"]["alert"] == {"title": "理财到期", "body": "您的理财明日到期"}
    assert sent["callback"]["type"] == 3 and sent["callback"]["params"] == {"delivery_id": "77"}


def test_jpush_errors_wrong_auth_and_unknown_devices_are_final_rate_limits_retry(
        vendor: Callable[..., Vendor]) -> None:
    v = vendor(jpush_vendor({"known"}))
    msg = RenderedMessage(channel="push", body="x")
    wrong = jpush(v.url, secret="nope").send(msg, address="known", idempotency_key="k")
    gone = jpush(v.url).send(msg, address="unknown", idempotency_key="k")
    busy = jpush(v.url).send(msg, address="busy", idempotency_key="k")
    assert (wrong.retryable, wrong.reason) == (False, "jpush_1004")
    assert (gone.retryable, gone.reason) == (False, "jpush_1011")
    assert (busy.retryable, busy.reason) == (True, "jpush_2002")


def test_jpush_callbacks_need_the_apps_basic_credentials_and_give_arrival_and_click() -> None:
    p = jpush("http://127.0.0.1:1")
    # Jiguang's callback codes: 2 提交成功 (nothing to record), 4 送达成功, 6 点击, 5 送达失败; unknown codes ignored.
    body = json.dumps([{"msgid": "54043195528450421", "userid": "1a00", "type": 2, "time": 1774000000},
                       {"msgid": "54043195528450421", "userid": "1a00", "type": 4, "time": 1774000000},
                       {"msgid": "54043195528450421", "userid": "1a00", "type": 6, "time": 1774000060},
                       {"msgid": "6", "type": 5}, {"msgid": "5", "type": 99}]).encode()
    now = datetime.now(UTC)
    assert p.check_callback(body, {"Authorization": basic(APP_KEY, MASTER)}, {}, now=now).problem is None
    assert p.check_callback(body, {"Authorization": basic(APP_KEY, "forged")}, {}, now=now).problem == \
        "signature_invalid"
    assert [(r.vendor_id, r.status) for r in p.parse_receipt(body, {})] == [
        ("54043195528450421", "delivered"), ("54043195528450421", "clicked"), ("6", "undelivered")]


class WeChatVendor:
    """/cgi-bin/token and /cgi-bin/message/template/send as WeChat answers them (tokens can be expired at will)."""

    def __init__(self, *, appid: str = "wx1234", secret: str = "app-secret") -> None:
        self.appid, self.secret = appid, secret
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.expired_code = 40001
        self.next_error: int | None = None

    def handle(self, method: str, path: str, _headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(path)
        q = dict(parse_qsl(parts.query))
        if parts.path == "/cgi-bin/token":
            if q.get("grant_type") != "client_credential" or q.get("appid") != self.appid:
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            if q.get("secret") != self.secret:
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = f"TOKEN{len(self.issued)}"
            self.issued.append(token)
            self.valid = {token}
            return 200, {"access_token": token, "expires_in": 7200}
        if parts.path == "/cgi-bin/message/template/send" and method == "POST":
            if q.get("access_token") not in self.valid:
                return 200, {"errcode": self.expired_code, "errmsg": "invalid credential, access_token is invalid"}
            doc = json.loads(body)
            if not doc.get("touser") or not doc.get("template_id") or not isinstance(doc.get("data"), dict):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            if any(not isinstance(v, dict) or "value" not in v for v in doc["data"].values()):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            if self.next_error is not None:
                code, self.next_error = self.next_error, None
                return 200, {"errcode": code, "errmsg": "error"}
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}
        return 404, {}


def wechat(url: str, clock: Callable[[], float] = lambda: 0.0) -> WeChatTemplate:
    return WeChatTemplate({"app_id": "wx1234", "template_id": "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY",
                           "base_url": url}, {"app_secret": "app-secret", "token": "srv-token"}, context(),
                          clock=clock)


def test_wechat_token_is_cached_and_a_template_message_has_the_vendor_shape(vendor: Callable[..., Vendor]) -> None:
    fake = WeChatVendor()
    v = vendor(fake.handle)
    p = wechat(v.url)
    msg = RenderedMessage(channel="wechat", body="x", url="http://mofang.test/r/t1",
                          data={"first": "您好", "keyword1": "稳盈理财"}, delivery_id=5)
    assert p.send(msg, address="oLVPpjqs9BhvzwPj5A-vTYAX3GLc", idempotency_key="a").vendor_id == "200228332"
    assert p.send(msg, address="oLVPpjqs9BhvzwPj5A-vTYAX3GLc", idempotency_key="b").accepted
    assert fake.issued == ["TOKEN0"]  # one token for both sends
    sent = json.loads(v.requests[-1]["body"])
    assert sent == {"touser": "oLVPpjqs9BhvzwPj5A-vTYAX3GLc",
                    "template_id": "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY",
                    "data": {"first": {"value": "您好"}, "keyword1": {"value": "稳盈理财"}},
                    "url": "http://mofang.test/r/t1"}


def test_an_invalid_or_expired_token_is_refreshed_and_the_send_retried_once(vendor: Callable[..., Vendor]) -> None:
    fake = WeChatVendor()
    v = vendor(fake.handle)
    p = wechat(v.url)
    msg = RenderedMessage(channel="wechat", body="x")
    assert p.send(msg, address="o1", idempotency_key="a").accepted
    for code in (40001, 42001):
        fake.valid, fake.expired_code = set(), code  # the vendor revoked the token (another server fetched one)
        out = p.send(msg, address="o1", idempotency_key="b")
        assert out.accepted, out
    assert fake.issued == ["TOKEN0", "TOKEN1", "TOKEN2"]
    sends = [r for r in v.requests if "template/send" in r["path"]]
    assert len(sends) == 5  # each refusal followed by exactly one retry


def test_a_token_expiring_by_time_is_fetched_anew_without_a_failed_send(vendor: Callable[..., Vendor]) -> None:
    fake = WeChatVendor()
    v = vendor(fake.handle)
    now = [0.0]
    p = wechat(v.url, clock=lambda: now[0])
    msg = RenderedMessage(channel="wechat", body="x")
    p.send(msg, address="o1", idempotency_key="a")
    now[0] = 7200.0 - 299  # inside the margin before expiry
    p.send(msg, address="o1", idempotency_key="b")
    assert fake.issued == ["TOKEN0", "TOKEN1"]
    assert len([r for r in v.requests if "template/send" in r["path"]]) == 2


def test_wechat_errors_busy_retries_unsubscribed_user_and_bad_secret_are_final(vendor: Callable[..., Vendor]) -> None:
    fake = WeChatVendor()
    v = vendor(fake.handle)
    p = wechat(v.url)
    msg = RenderedMessage(channel="wechat", body="x")
    fake.next_error = -1
    busy = p.send(msg, address="o1", idempotency_key="a")
    fake.next_error = 43004
    blocked = p.send(msg, address="o1", idempotency_key="b")
    assert (busy.retryable, busy.reason) == (True, "wechat_-1")
    assert (blocked.retryable, blocked.reason) == (False, "wechat_43004")
    bad = WeChatTemplate({"app_id": "wx1234", "template_id": "t", "base_url": v.url}, {"app_secret": "wrong"},
                         context()).send(msg, address="o1", idempotency_key="c")
    assert (bad.accepted, bad.retryable, bad.reason) == (False, False, "wechat_token_40125")


EVENT = (b"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
         b"<FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName><CreateTime>1774000000</CreateTime>"
         b"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
         b"<MsgID>200163840</MsgID><Status><![CDATA[%s]]></Status></xml>")


def test_templatesendjobfinish_events_are_verified_and_read() -> None:
    p = wechat("http://127.0.0.1:1")
    now = datetime.now(UTC)
    ts, nonce = str(int(now.timestamp())), "1405469811"
    good = {"signature": callback_signature("srv-token", ts, nonce), "timestamp": ts, "nonce": nonce}
    assert p.check_callback(EVENT % b"success", {}, good, now=now).problem is None
    assert p.check_callback(EVENT % b"success", {}, {**good, "signature": "0" * 40}, now=now).problem == \
        "signature_invalid"
    old = str(int(now.timestamp()) - 3600)
    stale = {"signature": callback_signature("srv-token", old, nonce), "timestamp": old, "nonce": nonce}
    assert p.check_callback(EVENT % b"success", {}, stale, now=now).problem == "signature_stale"
    statuses = {s: p.parse_receipt(EVENT % s.encode(), {})[0] for s in
                ("success", "failed:user block", "failed: system failed")}
    assert {s: r.status for s, r in statuses.items()} == {
        "success": "delivered", "failed:user block": "undelivered", "failed: system failed": "undelivered"}
    assert statuses["success"].vendor_id == "200163840"
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgID>&a;</MsgID></xml>'
    assert p.parse_receipt(bomb, {}) == []


def test_hostile_callback_values_never_raise() -> None:
    from mofang.reach.channels.ai_call import result_receipts

    body = json.dumps([{"msgid": "1", "type": 4, "time": 10**30}, {"msgid": "2", "type": 6, "time": -1e300}]).encode()
    assert [r.status for r in jpush("http://127.0.0.1:1").parse_receipt(body, {})] == ["delivered", "clicked"]
    calls = result_receipts([{"task_id": "5", "connected": True, "duration": float("inf"), "intent": "Z",
                              "tags": "x", "ended_at": 1e308}], now=datetime.now(UTC))
    assert calls[0].detail["call"]["duration_seconds"] == 0 and calls[0].detail["call"]["intent"] is None
    assert wechat("http://127.0.0.1:1").parse_receipt(b"<xml><MsgID>1", {}) == []

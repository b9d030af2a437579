"""End to end: send through the delivery service, vendor callbacks back through the app (valid, forged, replayed)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mofang import reach
from mofang.platform.context import Platform
from mofang.reach.channels.ai_call import call_signature
from mofang.reach.channels.wechat import callback_signature
from mofang.reach.contracts import Channel, SendRequest
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.models import Delivery, TrackedLink
from mofang.tracking.service import ingestor_of
from reach.channels.conftest import ADDRESSES, Vendor
from reach.conftest import FakePolicy, admin


def events(platform: Platform, customer: str) -> list[tuple[str, dict[str, Any]]]:
    ingestor_of(platform).flush()
    rows = platform.store.query("SELECT event, properties FROM events WHERE user_id = ? ORDER BY ts, event",
                                [customer])
    return [(r["event"], json.loads(r["properties"])) for r in rows]


def configure(platform: Platform, channel: Channel, provider: str, config: dict[str, Any],
              secrets: dict[str, str]) -> int:
    data = ChannelCreate(channel=channel, name=f"{provider}测试", provider=provider, config=config, secrets=secrets)
    with platform.metadata.session() as session:
        return channels_service.create(platform=platform, session=session, data=data, who=admin()).id


def send(platform: Platform, channel: Channel, key: str, **variables: Any) -> Delivery:
    out = reach.send(platform=platform, request=SendRequest(
        customer_id="k1", channel=channel, idempotency_key=key, purpose="service",
        variables={"content": "您好", **variables}))
    assert out.status == "accepted", out
    with platform.metadata.session() as session:
        row = session.get(Delivery, out.delivery_id)
        session.expunge(row)
    return row


def call_vendor(_m: str, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
    doc = json.loads(body)
    if headers.get("authorization") != "Bearer call-key" or not doc.get("phone") or not doc.get("taskId"):
        return 401, {"code": "401", "msg": "unauthorized"}
    return 200, {"code": "0", "data": {"callId": "c-" + doc["taskId"]}}


def signed_result(doc: dict[str, Any], *, secret: str = "call-cb", ts: int | None = None,
                  nonce: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(doc, ensure_ascii=False).encode()
    stamp, nonce = str(ts if ts is not None else int(time.time())), nonce or uuid.uuid4().hex
    return raw, {"X-Call-Timestamp": stamp, "X-Call-Nonce": nonce,
                 "X-Call-Signature": call_signature(secret, stamp, nonce, raw), "Content-Type": "application/json"}


def test_an_ai_call_result_becomes_call_completed_and_replays_and_forgeries_are_refused(
        app_client: TestClient, bank: Platform, reachable: FakePolicy, vendor: Callable[..., Vendor],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    v = vendor(call_vendor)
    channel_id = configure(bank, "call", "ai_call", {"url": f"{v.url}/tasks", "script_id": "S-56-07",
                                                     "callback_url": "https://mofang.bank/cb"},
                           {"app_key": "call-key", "callback_secret": "call-cb"})
    row = send(bank, "call", "call-1", 产品="稳盈")
    task = json.loads(v.requests[0]["body"])
    assert task["phone"] == ADDRESSES["call"] and task["taskId"] == str(row.id) and task["scriptId"] == "S-56-07"
    assert row.vendor_id == str(row.id) and row.address_masked != ADDRESSES["call"]
    result = {"task_id": str(row.id), "connected": True, "duration": 73, "intent": "A", "tags": ["有意向", "到期"],
              "summary": "客户有意续投", "ended_at": "2026-03-20T10:05:00+08:00"}
    path = f"/api/reach/callbacks/call/{channel_id}"
    raw, headers = signed_result(result)
    forged = {**headers, "X-Call-Signature": "0" * 64}
    assert app_client.post(path, content=raw, headers=forged).status_code == 401
    old_raw, old_headers = signed_result(result, ts=int(time.time()) - 600)
    stale = app_client.post(path, content=old_raw, headers=old_headers)
    assert (stale.status_code, stale.json()["code"]) == (401, "reach_signature_stale")
    ok = app_client.post(path, content=raw, headers=headers)
    assert ok.status_code == 200 and ok.json()["matched"] == 1
    replay = app_client.post(path, content=raw, headers=headers)
    assert (replay.status_code, replay.json()["code"]) == (409, "reach_callback_replayed")
    got = dict(events(bank, "k1"))
    assert got["call_completed"]["intent"] == "A" and got["call_completed"]["duration_seconds"] == 73
    assert got["call_completed"]["connected"] is True and got["call_completed"]["delivery_id"] == row.id
    assert got["message_delivered"]["vendor_status"] == "connected"
    assert not [r for r in caplog.records if ADDRESSES["call"] in r.getMessage()]


def test_aliyun_reports_need_the_callback_token_and_a_body_is_taken_once(
        app_client: TestClient, bank: Platform, reachable: FakePolicy, vendor: Callable[..., Vendor],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    v = vendor(lambda _m, _p, _h, _b: (200, {"Code": "OK", "Message": "OK", "BizId": "9006^1", "RequestId": "r"}))
    channel_id = configure(bank, "sms", "aliyun_sms", {"access_key_id": "LTAI", "sign_name": "魔方银行",
                                                       "template_code": "SMS_1", "endpoint": v.url},
                           {"access_key_secret": "s", "callback_token": "cb-token-123"})
    row = send(bank, "sms", "sms-1")
    report = json.dumps([{"phone_number": ADDRESSES["sms"], "send_time": "2026-03-20 10:00:00",
                          "report_time": "2026-03-20 10:00:05", "success": True, "err_code": "DELIVERED",
                          "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "9006^1", "out_id": str(row.id)}],
                        ensure_ascii=False).encode()
    path = f"/api/reach/callbacks/sms/{channel_id}"
    assert app_client.post(path + "?token=forged", content=report).status_code == 401
    assert app_client.post(path, content=report).status_code == 401
    ok = app_client.post(path + "?token=cb-token-123", content=report)
    assert ok.status_code == 200 and ok.json()["code"] == 0 and ok.json()["matched"] == 1
    assert app_client.post(path + "?token=cb-token-123", content=report).status_code == 409
    assert dict(events(bank, "k1"))["message_delivered"]["vendor_status"] == "DELIVERED"
    assert not [r for r in caplog.records if ADDRESSES["sms"] in r.getMessage()]


def test_wechat_url_check_and_job_finish_events_through_the_app(
        app_client: TestClient, bank: Platform, reachable: FakePolicy, vendor: Callable[..., Vendor],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def wx(_m: str, path: str, _h: Mapping[str, str], _b: bytes) -> tuple[int, Any]:
        if path.startswith("/cgi-bin/token"):
            return 200, {"access_token": "T", "expires_in": 7200}
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200163840}

    v = vendor(wx)
    channel_id = configure(bank, "wechat", "wechat_template", {"app_id": "wx1", "template_id": "tpl",
                                                               "base_url": v.url},
                           {"app_secret": "sec", "token": "srv-token"})
    row = send(bank, "wechat", "wx-1")
    assert row.vendor_id == "200163840"
    ts, nonce = str(int(time.time())), "1405469811"
    q = f"signature={callback_signature('srv-token', ts, nonce)}&timestamp={ts}&nonce={nonce}"
    path = f"/api/reach/callbacks/wechat/{channel_id}"
    echo = app_client.get(f"{path}?{q}&echostr=4729012")
    assert (echo.status_code, echo.text) == (200, "4729012")
    assert app_client.get(f"{path}?signature=bad&timestamp={ts}&nonce={nonce}&echostr=1").status_code == 401
    event = (f"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[{ADDRESSES['wechat']}]]>"
             f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163840</MsgID>"
             "<Status><![CDATA[failed:user block]]></Status></xml>").encode()
    ok = app_client.post(f"{path}?{q}", content=event)
    assert (ok.status_code, ok.text) == (200, "success")
    assert app_client.post(f"{path}?{q}", content=event).status_code == 409
    failed = [p for e, p in events(bank, "k1") if e == "message_failed"]
    assert failed and failed[-1]["vendor_status"] == "failed:user block"
    assert not [r for r in caplog.records if ADDRESSES["wechat"] in r.getMessage()]


def test_email_open_pixel_and_one_click_unsubscribe(
        app_client: TestClient, bank: Platform, reachable: FakePolicy) -> None:
    with bank.metadata.session() as session:
        row = Delivery(idempotency_key="mail-1", customer_id="k1", channel="email", status="accepted",
                       purpose="marketing", created_at=datetime.now(UTC), updated_at=datetime.now(UTC))
        session.add(row)
        session.flush()
        far = datetime(2099, 1, 1, tzinfo=UTC)
        session.add_all([TrackedLink(token="pixel-token-1", delivery_id=row.id, url="mofang:open", expires_at=far),
                         TrackedLink(token="unsub-token-1", delivery_id=row.id, url="mofang:unsubscribe",
                                     expires_at=far)])
        delivery_id = row.id
    for _ in range(2):
        pix = app_client.get("/r/pixel-token-1/open.gif")
        assert pix.status_code == 200 and pix.headers["content-type"] == "image/gif"
    assert app_client.get("/r/unknown-token/open.gif").status_code == 200  # nothing told about unknown tokens
    assert app_client.get("/r/pixel-token-1").status_code == 404  # a pixel is no redirect
    page = app_client.get("/r/unsub-token-1/unsubscribe")
    assert page.status_code == 200 and "确认退订" in page.text and reachable.opt_outs == []
    done = app_client.post("/r/unsub-token-1/unsubscribe", content=b"List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert reachable.opt_outs == [("k1", "email", "email_unsubscribe")]
    names = [e for e, p in events(bank, "k1") if p.get("delivery_id") == delivery_id]
    assert names.count("message_opened") == 1 and names.count("message_unsubscribed") == 1


def test_vendor_addresses_pass_the_outbound_guard_when_saved_and_secrets_are_never_shown(
        app_client: TestClient, admin_headers: dict[str, str], platform: Platform) -> None:
    base = {"channel": "sms", "name": "阿里云", "provider": "aliyun_sms",
            "secrets": {"access_key_secret": "very-secret", "callback_token": "tok"}}
    inner = app_client.post("/api/reach/channels", headers=admin_headers, json={
        **base, "config": {"access_key_id": "LTAI", "sign_name": "魔方银行", "template_code": "SMS_1",
                           "endpoint": "http://10.1.2.3"}})
    assert inner.status_code == 422 and inner.json()["field"] == "config.endpoint"
    smtp = app_client.post("/api/reach/channels", headers=admin_headers, json={
        "channel": "email", "name": "邮件", "provider": "smtp", "secrets": {"password": "p"},
        "config": {"smtp_host": "127.0.0.1", "smtp_port": 25, "from_address": "a@bank.example"}})
    assert smtp.status_code == 422 and smtp.json()["field"] == "config.smtp_host"
    ok = app_client.post("/api/reach/channels", headers=admin_headers, json={
        **base, "config": {"access_key_id": "LTAI", "sign_name": "魔方银行", "template_code": "SMS_1"}})
    assert ok.status_code == 201, ok.text
    listed = app_client.get("/api/reach/channels", headers=admin_headers).text
    assert "very-secret" not in listed and '"access_key_secret":"***"' in listed.replace(" ", "")

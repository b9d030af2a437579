"""Hostile input to the vendor routes is refused with 4xx, never a 5xx."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mofang.platform.context import Platform
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from reach.conftest import admin

JUNK = [b"", b"null", b"[]", b"{}", b"<xml>", b'[{"biz_id": {"a": 1}, "success": "x", "report_time": 1e400}]',
        b'{"task_id": [1], "connected": "yes", "duration": 1e999}', "\u0000\ud7ff".encode(), b"\xff\xfe" * 100]


def test_callbacks_sandboxes_and_placements_never_answer_5xx(app_client: TestClient, platform: Platform) -> None:
    made = {}
    for channel, kind, config in (("sms", "aliyun_sms_sandbox", {}), ("push", "jpush_sandbox", {}),
                                  ("wechat", "wechat_sandbox", {}), ("call", "ai_call_sandbox", {})):
        with platform.metadata.session() as session:
            made[channel] = channels_service.create(platform=platform, session=session, who=admin(), data=ChannelCreate(
                channel=channel, name="沙箱", provider=kind, config=config)).id
    for channel, cid in made.items():
        for body in JUNK:
            for query in ("", "?token=x", "?signature=a&timestamp=99999999999999999999&nonce=n",
                          "?timestamp=-1&nonce=&signature="):
                res = app_client.post(f"/api/reach/callbacks/{channel}/{cid}{query}", content=body,
                                      headers={"X-Call-Timestamp": "9" * 400, "X-Call-Nonce": "n",
                                               "X-Call-Signature": "zz", "Authorization": "Basic !!"})
                assert res.status_code < 500, (channel, body, query, res.text)
    probes = [("GET", "/sandbox/aliyun/?AccessKeyId=SANDBOX99999999999999&Signature=%FF"),
              ("GET", "/sandbox/aliyun/?AccessKeyId=SANDBOX-1"),
              ("GET", "/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=wxsandbox0"),
              # Secrets with non-ASCII characters are compared as bytes, not refused with a TypeError.
              ("GET", f"/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=wxsandbox{made['wechat']}"
                      "&secret=%C3%A9"),
              ("POST", "/sandbox/wechat/cgi-bin/message/template/send?access_token=%C3%A9%E9%AD%94"),
              ("GET", f"/api/reach/callbacks/wechat/{made['wechat']}?signature=x&timestamp=1&nonce=1&echostr=e"),
              ("GET", "/r/zzzzzzzzzz/open.gif"), ("POST", "/r/zzzzzzzzzz/unsubscribe"),
              ("GET", "/v1/placements/home?customer_id=c1")]
    for method, path in probes:
        assert app_client.request(method, path).status_code < 500, path
    for body in ({}, {"audience": "x", "notification": 1, "options": "y"}, {"touser": ["x"]}):
        assert app_client.post("/sandbox/jpush/v3/push", json=body,
                               headers={"Authorization": "Basic c2FuZGJveDE6eA=="}).status_code < 500
        assert app_client.post("/sandbox/wechat/cgi-bin/message/template/send?access_token=x",
                               json=body).status_code < 500
        assert app_client.post(f"/sandbox/call/{made['call']}/tasks", json=body).status_code < 500

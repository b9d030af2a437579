"""The reach API as people and vendors use it: channels, callbacks, 回T退订, links, inbox, RM tasks, the log."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mofang import reach
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.storage.models import AuditEntry
from mofang.reach.contracts import SendRequest
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.delivery.logic import signature
from mofang.reach.delivery.ports import Address
from mofang.reach.models import Delivery, ReachChannel, TrackedLink
from mofang.tracking.service import ingestor_of
from reach.conftest import FakePolicy, Receiver, admin


def stored_events(platform: Platform, customer: str) -> list[tuple[str, dict[str, Any]]]:
    """Events ingestion has stored for a customer, oldest first."""
    ingestor_of(platform).flush()
    rows = platform.store.query("SELECT event, properties FROM events WHERE user_id = ? ORDER BY ts, event",
                                [customer])
    return [(r["event"], json.loads(r["properties"])) for r in rows]


def signed(body: dict[str, Any], secret: str = "cb-secret", ts: int | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(ts if ts is not None else int(time.time()))
    return raw, {"X-Mofang-Timestamp": stamp, "X-Mofang-Signature": signature(secret, stamp, raw),
                 "Content-Type": "application/json"}


def send_sms(platform: Platform, key: str, customer: str = "k1") -> int:
    out = reach.send(platform=platform, request=SendRequest(
        customer_id=customer, channel="sms", idempotency_key=key, campaign_id=4,
        variables={"content": "理财到期提醒 https://bank.example/x", "url": "https://bank.example/x"}))
    assert out.status == "accepted", out
    assert out.delivery_id is not None
    return out.delivery_id


def test_channel_secrets_are_encrypted_never_returned_and_changes_audited(
        app_client: TestClient, admin_headers: dict[str, str], platform: Platform, receiver: Receiver,
        make_user: Callable[..., str], login: Callable[[str], dict[str, str]]) -> None:
    platform.settings.outbound_allow_hosts = "127.0.0.1"
    body = {"channel": "sms", "name": "网关", "provider": "http_gateway",
            "config": {"url": receiver.url, "body": {"to": "{{address}}", "text": "{{content}}"}},
            "secrets": {"key": "very-secret-key"}, "unit_cost_fen": 4}
    res = app_client.post("/api/reach/channels", json=body, headers=admin_headers)
    assert res.status_code == 201, res.text
    made = res.json()
    assert made["secrets"] == {"key": "***"} and made["has_secret"] is True
    assert made["callback_path"] == f"/api/reach/callbacks/sms/{made['id']}"
    listed = app_client.get("/api/reach/channels", headers=admin_headers)
    assert "very-secret-key" not in listed.text
    with platform.metadata.session() as session:
        row = session.get(ReachChannel, made["id"])
        assert row is not None and "very-secret-key" not in (row.secrets_enc or "")
    # The console echoing *** back keeps the secret; a new value replaces it.
    upd = app_client.patch(f"/api/reach/channels/{made['id']}", headers=admin_headers,
                           json={"secrets": {"key": "***"}, "unit_cost_fen": 6})
    assert upd.status_code == 200 and upd.json()["unit_cost_fen"] == 6
    with platform.metadata.session() as session:
        row = session.get(ReachChannel, made["id"])
        assert row is not None
        assert json.loads(platform.cipher.decrypt(row.secrets_enc) or "{}") == {"key": "very-secret-key"}
        audit = select(AuditEntry).where(AuditEntry.target_type == "reach_channel")
        actions = [a.action for a in session.scalars(audit)]
    assert actions == ["reach.channel.create", "reach.channel.update"]
    # Bad input names its field; internal addresses are refused unless allow-listed.
    bad = app_client.post("/api/reach/channels", headers=admin_headers,
                          json={**body, "config": {"url": receiver.url, "body": {"to": "{{phone}}"}}})
    assert bad.status_code == 422 and bad.json()["field"] == "config.body"
    platform.settings.outbound_allow_hosts = ""
    internal = app_client.post("/api/reach/channels", headers=admin_headers, json=body)
    assert internal.status_code == 422 and internal.json()["code"] == "reach_url_refused"
    # A branch operator may not see or change channels.
    ops = login(make_user("ops", "branch_operator", "GD-SZ"))
    assert app_client.get("/api/reach/channels", headers=ops).status_code == 403


def test_status_reports_with_valid_forged_and_replayed_signatures(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int]) -> None:
    channel_id = sms_channel()
    delivery_id = send_sms(bank, "cb-1")
    with bank.metadata.session() as session:
        vendor_id = session.get(Delivery, delivery_id).vendor_id  # type: ignore[union-attr]
    report = {"reports": [{"msgid": vendor_id, "status": "DELIVRD", "time": "2026-03-20T02:00:05+00:00"}]}
    url = f"/api/reach/callbacks/sms/{channel_id}"
    raw, headers = signed(report)
    forged = dict(headers, **{"X-Mofang-Signature": "0" * 64})
    assert app_client.post(url, content=raw, headers=forged).status_code == 401
    wrong_key = signed(report, secret="guess")[1]
    assert app_client.post(url, content=raw, headers=wrong_key).status_code == 401
    stale = signed(report, ts=int(time.time()) - 3600)[1]
    assert app_client.post(url, content=raw, headers=stale).json()["code"] == "reach_signature_stale"
    ok = app_client.post(url, content=raw, headers=headers)
    assert ok.status_code == 200 and ok.json()["matched"] == 1
    replay = app_client.post(url, content=raw, headers=headers)
    assert replay.status_code == 409 and replay.json()["code"] == "reach_callback_replayed"
    with bank.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None and row.receipt == "delivered" and row.delivered_at is not None
    names = [e for e, _ in stored_events(bank, "k1")]
    assert names.count("message_delivered") == 1 and "message_sent" in names
    delivered = next(p for e, p in stored_events(bank, "k1") if e == "message_delivered")
    assert delivered["delivery_id"] == delivery_id and delivered["campaign_id"] == 4
    assert delivered["channel"] == "sms"
    # A forged callback for another channel kind is not found.
    assert app_client.post(f"/api/reach/callbacks/push/{channel_id}", content=raw, headers=headers).status_code == 404


def test_reply_td_withdraws_marketing_consent_and_is_an_event(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int]) -> None:
    channel_id = sms_channel()
    delivery_id = send_sms(bank, "td-1")
    with bank.metadata.session() as session:
        vendor_id = session.get(Delivery, delivery_id).vendor_id  # type: ignore[union-attr]
    raw, headers = signed({"replies": [{"msgid": vendor_id, "text": " td "}]})
    assert app_client.post(f"/api/reach/callbacks/sms/{channel_id}", content=raw, headers=headers).status_code == 200
    assert policy.opt_outs == [("k1", "sms", "sms_reply")]
    names = [e for e, _ in stored_events(bank, "k1")]
    assert "message_replied" in names and "message_unsubscribed" in names
    with bank.metadata.session() as session:
        assert session.get(Delivery, delivery_id).receipt == "unsubscribed"  # type: ignore[union-attr]
    # The next marketing SMS is stopped by the policy, which now knows.
    again = reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="sms", idempotency_key="td-2",
                                                          variables={"content": "新品"}))
    assert again.status == "suppressed"
    assert len(receiver.requests) == 1


def test_tracked_link_records_the_click_and_redirects_and_expires(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int]) -> None:
    sms_channel()
    delivery_id = send_sms(bank, "l-1")
    content = json.loads(receiver.requests[0]["body"])["content"]
    token = content.split("/r/")[1].split()[0]
    assert len(token) >= 24
    res = app_client.get(f"/r/{token}", follow_redirects=False)
    assert res.status_code == 302 and res.headers["location"] == "https://bank.example/x"
    clicks = [p for e, p in stored_events(bank, "k1") if e == "message_clicked"]
    assert [c["delivery_id"] for c in clicks] == [delivery_id]
    assert app_client.get("/r/AAAAAAAAAAAAAAAAAAAAAAAA", follow_redirects=False).status_code == 404
    with bank.metadata.session() as session:
        link = session.get(TrackedLink, token)
        assert link is not None and link.clicks == 1
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert app_client.get(f"/r/{token}", follow_redirects=False).status_code == 410


def test_inbox_api_for_the_app_server(app_client: TestClient, bank: Platform, policy: FakePolicy) -> None:
    with bank.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    for i in range(2):
        out = reach.send(platform=bank, request=SendRequest(customer_id="k2", channel="inbox",
                                                            idempotency_key=f"in-{i}",
                                                            variables={"content": f"消息{i}", "title": "通知"}))
        assert out.status == "accepted"
    assert app_client.get("/v1/inbox/k2").status_code == 401
    bad = {"Authorization": "Basic " + base64.b64encode(b"wrong:").decode()}
    assert app_client.get("/v1/inbox/k2", headers=bad).status_code == 401
    page = app_client.get("/v1/inbox/k2", headers=auth).json()
    assert page["total"] == 2 and page["unread"] == 2 and page["items"][0]["body"] == "消息1"
    first = page["items"][1]["id"]
    assert app_client.post(f"/v1/inbox/k2/messages/{first}/read", headers=auth).status_code == 204
    assert app_client.post(f"/v1/inbox/k2/messages/{first}/click", headers=auth).status_code == 204
    assert app_client.get("/v1/inbox/k2/unread", headers=auth).json() == {"unread": 1}
    # Another customer's message is not found through this customer.
    assert app_client.post(f"/v1/inbox/k1/messages/{first}/read", headers=auth).status_code == 404
    assert app_client.delete(f"/v1/inbox/k2/messages/{first}", headers=auth).status_code == 204
    assert app_client.get("/v1/inbox/k2", headers=auth).json()["total"] == 1
    names = [e for e, _ in stored_events(bank, "k2")]
    assert names.count("message_opened") == 1 and names.count("message_clicked") == 1


def test_rm_tasks_for_the_rm_only_outcome_is_an_event_overdue_flagged(
        app_client: TestClient, bank: Platform, policy: FakePolicy, make_user: Callable[..., str],
        login: Callable[[str], dict[str, str]]) -> None:
    out = reach.send(platform=bank, request=SendRequest(
        customer_id="k1", channel="rm_task", idempotency_key="t-1",
        variables={"content": "请电话联系客户，介绍新发理财。", "title": "到期续作", "data": {"due_days": 0}}))
    assert out.status == "accepted"
    mine = login(make_user("rm_s", "rm", "GD-SZ-001", rm_id="RM-S"))
    other = login(make_user("rm_o", "rm", "GD-SZ-001", rm_id="RM-O"))
    gz = login(make_user("gz_ops", "branch_operator", "GD-GZ"))
    boss = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    page = app_client.get("/api/reach/rm-tasks", headers=mine).json()
    assert page["total"] == 1
    task = page["items"][0]
    assert task["script"].startswith("请电话") and task["facts"]["name"] == "张*"
    assert task["facts"]["phone_masked"] == "138****1111"
    assert app_client.get("/api/reach/rm-tasks", headers=other).json()["total"] == 0
    assert app_client.get("/api/reach/rm-tasks", headers=gz).json()["total"] == 0
    time.sleep(0.01)
    overdue = app_client.get("/api/reach/rm-tasks", headers=boss, params={"state": "overdue"}).json()
    assert overdue["overdue"] == 1 and overdue["items"][0]["overdue"] is True
    assert app_client.post(f"/api/reach/rm-tasks/{task['id']}/outcome", headers=other,
                           json={"outcome": "reached"}).status_code == 404
    done = app_client.post(f"/api/reach/rm-tasks/{task['id']}/outcome", headers=mine,
                           json={"outcome": "interested", "note": "下周来网点"})
    assert done.status_code == 200 and done.json()["outcome"] == "interested"
    assert app_client.post(f"/api/reach/rm-tasks/{task['id']}/outcome", headers=mine,
                           json={"outcome": "declined"}).status_code == 422
    events = stored_events(bank, "k1")
    assert ("rm_task_outcome", "interested") in [(e, p.get("outcome")) for e, p in events]


def test_delivery_log_is_scoped_to_the_customers_branch_and_masked(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int], make_user: Callable[..., str],
        login: Callable[[str], dict[str, str]], admin_headers: dict[str, str]) -> None:
    sms_channel(max_attempts=1)
    send_sms(bank, "g-1", "k1")
    receiver.answers = [(500, {})]
    failed = reach.send(platform=bank, request=SendRequest(customer_id="k2", channel="sms", idempotency_key="g-2",
                                                           variables={"content": "x"}))
    assert failed.status == "failed"
    sz = login(make_user("sz", "branch_operator", "GD-SZ"))
    gz = login(make_user("gz", "branch_operator", "GD-GZ"))
    log = app_client.get("/api/reach/deliveries", headers=sz).json()
    assert log["total"] == 2 and {i["address_masked"] for i in log["items"]} == {"138****1111", "139****2222"}
    assert app_client.get("/api/reach/deliveries", headers=gz).json()["total"] == 0
    assert app_client.get("/api/reach/deliveries", headers=sz, params={"campaign_id": 4}).json()["total"] == 1
    dead = app_client.get("/api/reach/dead-letters", headers=sz).json()
    assert [i["reason"] for i in dead["items"]] == ["http_500"]
    assert app_client.post(f"/api/reach/deliveries/{dead['items'][0]['id']}/retry", headers=gz).status_code == 404
    retried = app_client.post(f"/api/reach/deliveries/{dead['items'][0]['id']}/retry", headers=sz)
    assert retried.status_code == 200 and retried.json()["status"] == "accepted"
    stats = app_client.get("/api/reach/stats/daily", headers=admin_headers).json()
    [sms_day] = [s for s in stats if s["channel"] == "sms"]
    assert sms_day["sent"] == 2 and sms_day["accepted"] == 2 and sms_day["cost_fen"] == 10
    assert app_client.get("/api/reach/stats/daily", headers=gz).json() == []


def test_no_phone_in_clear_in_any_log_line_or_data_file(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int], caplog: pytest.LogCaptureFixture, admin_headers: dict[str, str]) -> None:
    caplog.set_level("DEBUG")
    channel_id = sms_channel()
    receiver.answers = [(503, {}), (200, {"code": 0, "data": {"msgid": "v1"}})]
    reach.send(platform=bank, request=SendRequest(customer_id="k1", channel="sms", idempotency_key="pii-1",
                                                  variables={"content": "尊敬的客户"}))
    reach.process_due(platform=bank, now=datetime.now(UTC) + timedelta(minutes=1))
    raw, headers = signed({"reports": [{"msgid": "v1", "status": "DELIVRD"}],
                           "replies": [{"msgid": "v1", "text": "退订"}]})
    app_client.post(f"/api/reach/callbacks/sms/{channel_id}", content=raw, headers=headers)
    test = app_client.post(f"/api/reach/channels/{channel_id}/test", headers=admin_headers,
                           json={"address": "13512345678", "content": "测试"})
    assert test.status_code == 200 and test.json()["accepted"] is True
    assert [e for e, _ in stored_events(bank, "k1")].count("message_unsubscribed") == 1
    assert len(receiver.requests) == 3
    assert caplog.text and "13800001111" not in caplog.text and "13512345678" not in caplog.text
    bank.store.checkpoint()
    leaks = [p for p in bank.settings.data_dir.rglob("*") if p.is_file()
             and (b"13800001111" in p.read_bytes() or b"13512345678" in p.read_bytes())]
    assert not leaks


class PushTokens:
    """Identities stand-in: every customer has an app push token."""

    def address(self, *, platform: Platform, session: Any, customer_id: str, channel: str,
                home: Any = None) -> Address | None:
        return Address(masked="tok***", value=f"token-{customer_id}") if channel == "push" else None

    def reveal(self, *, platform: Platform, address: Address) -> str:
        return address.value or ""


def test_push_gateway_arrival_and_click_receipts(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver) -> None:
    bank.settings.outbound_allow_hosts = "127.0.0.1"
    bank.extras["reach_deps"].addresses = PushTokens()
    with bank.metadata.session() as session:
        channel_id = channels_service.create(platform=bank, session=session, who=admin(), data=ChannelCreate(
            channel="push", name="推送网关", provider="http_gateway", secrets={"callback_secret": "cb-secret"},
            config={"url": receiver.url, "body": {"token": "{{address}}", "title": "{{title}}", "body": "{{content}}"},
                    "success_path": "code", "success_value": "0", "vendor_id_path": "data.msgid"})).id
    out = reach.send(platform=bank, request=SendRequest(customer_id="k2", channel="push", idempotency_key="p-1",
                                                        variables={"content": "基金净值更新", "title": "提醒"}))
    assert out.status == "accepted"
    assert json.loads(receiver.requests[0]["body"]) == {"token": "token-k2", "title": "提醒", "body": "基金净值更新"}
    raw, headers = signed({"reports": [{"msgid": "m0", "status": "ARRIVED"}, {"msgid": "m0", "status": "CLICKED"}]})
    assert app_client.post(f"/api/reach/callbacks/push/{channel_id}", content=raw,
                           headers=headers).json()["matched"] == 2
    with bank.metadata.session() as session:
        row = session.get(Delivery, out.delivery_id)
        assert row is not None and row.receipt == "clicked" and row.delivered_at and row.clicked_at
    names = [e for e, _ in stored_events(bank, "k2")]
    assert names.count("message_delivered") == 1 and names.count("message_clicked") == 1


def test_a_report_faster_than_the_saved_answer_is_applied_when_the_answer_is_saved(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    channel_id = sms_channel()
    from mofang.reach.delivery import steps

    real_save = steps.save_answers

    def report_first(*args: Any, **kw: Any) -> Any:
        # The gateway's DELIVRD arrives while the send's answer is still on its way to the log.
        raw, headers = signed({"reports": [{"msgid": "m0", "status": "DELIVRD"}]})
        assert app_client.post(f"/api/reach/callbacks/sms/{channel_id}", content=raw,
                               headers=headers).json()["matched"] == 0
        return real_save(*args, **kw)

    monkeypatch.setattr(steps, "save_answers", report_first)
    delivery_id = send_sms(bank, "fast-1")
    with bank.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None and row.vendor_id == "m0" and row.receipt == "delivered"
    reach.process_due(platform=bank)  # the pump's round: queued events into ingestion
    assert [e for e, _ in stored_events(bank, "k1")].count("message_delivered") == 1


def test_a_report_committed_just_after_the_send_looked_for_it_is_still_applied(
        app_client: TestClient, bank: Platform, policy: FakePolicy, receiver: Receiver,
        sms_channel: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    channel_id = sms_channel()
    from mofang.reach.delivery import receipts, steps

    monkeypatch.setattr(steps, "apply_pending", lambda **kw: None)  # the send looked before the report committed
    delivery_id = send_sms(bank, "race-1")
    monkeypatch.setattr(receipts, "settle_pending", lambda **kw: 0)  # …and the callback's second look lost too
    raw, headers = signed({"reports": [{"msgid": "m0", "status": "DELIVRD"}]})
    monkeypatch.setattr(receipts.repo, "by_vendor_ids", lambda *a, **kw: {})
    assert app_client.post(f"/api/reach/callbacks/sms/{channel_id}", content=raw,
                           headers=headers).json()["matched"] == 0
    monkeypatch.undo()
    from mofang.reach.delivery.tasks import pump_once

    pump_once(platform=bank)  # the pump's next round applies it
    with bank.metadata.session() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None and row.receipt == "delivered"
    assert [e for e, _ in stored_events(bank, "k1")].count("message_delivered") == 1
    pump_once(platform=bank)
    assert [e for e, _ in stored_events(bank, "k1")].count("message_delivered") == 1

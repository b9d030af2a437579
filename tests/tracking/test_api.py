"""The Segment-compatible HTTP API: auth, limits, validation answers, partial batches, dedupe, identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from ingest_helpers import Sender, track

from mofang.platform.settings import Settings


@pytest.fixture(params=[2, 0], ids=["parse-workers", "in-process"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Every answer is the same whether bodies are parsed in worker processes or in the server."""
    return settings.model_copy(update={"ingest_parse_workers": request.param})

# -- authentication ------------------------------------------------------------------------------


def test_basic_auth_key_is_accepted(send: Sender, stored: Any) -> None:
    res = send.batch([track(messageId="m1")])
    assert res.status_code == 200, res.text
    assert res.json() == {"success": True, "accepted": 1, "rejected": []}
    assert [r["message_id"] for r in stored()] == ["m1"]


def test_write_key_in_body_is_accepted(app_client: Any, write_key: str, stored: Any) -> None:
    res = app_client.post("/v1/batch", json={"writeKey": write_key, "batch": [track(messageId="m1")]})
    assert res.status_code == 200, res.text
    assert len(stored()) == 1


@pytest.mark.parametrize(("headers", "body_key", "words"), [
    ({}, None, "missing write key"),
    ({"Authorization": "Basic bWZrX25vcGU6"}, None, "invalid or revoked"),  # "mfk_nope:"
    ({}, "mfk_nope", "invalid or revoked"),
    ({"Authorization": "Basic !!!"}, None, "missing write key"),
    ({"Authorization": "Basic Og=="}, "mfk_nope", "invalid or revoked"),  # ":" then a bad body key
])
def test_missing_or_invalid_key_is_401_json(
    app_client: Any, headers: dict[str, str], body_key: str | None, words: str, stored: Any
) -> None:
    body: dict[str, Any] = {"batch": [track()]}
    if body_key:
        body["writeKey"] = body_key
    res = app_client.post("/v1/batch", json=body, headers=headers)
    assert res.status_code == 401
    assert words in res.json()["detail"]
    assert res.json()["field"] == "writeKey"
    assert stored() == []


@pytest.mark.parametrize(("body", "status", "words"), [
    (b'{"writeKey": "mfk_nope", "batch": "not a list"}', 401, "invalid or revoked"),
    (b'{"batch": "not a list"}', 401, "missing write key"),
    (b'{"writeKey": "mfk_nope", "batch": [', 400, "malformed JSON"),  # no key can be read
])
def test_the_key_is_judged_before_the_events(app_client: Any, body: bytes, status: int, words: str) -> None:
    res = app_client.post("/v1/batch", content=body, headers={"Content-Type": "application/json"})
    assert res.status_code == status, res.text
    assert words in res.json()["detail"]


def test_body_key_is_used_when_the_basic_user_is_empty(app_client: Any, write_key: str, stored: Any) -> None:
    res = app_client.post("/v1/track", json={"writeKey": write_key, "userId": "u", "event": "e"},
                          headers={"Authorization": "Basic Og=="})  # base64(":")
    assert res.status_code == 200, res.text
    assert len(stored()) == 1


def test_revoked_key_is_refused_at_once(send: Sender, app_client: Any, admin_headers: dict[str, str]) -> None:
    assert send.batch([track()]).status_code == 200  # the key is now cached as valid
    keys = app_client.get("/api/admin/keys", headers=admin_headers).json()["items"]
    assert app_client.delete(f"/api/admin/keys/{keys[0]['id']}", headers=admin_headers).status_code == 204
    res = send.batch([track()])
    assert res.status_code == 401
    assert "revoked" in res.json()["detail"]


# -- encodings and limits ------------------------------------------------------------------------


def test_gzip_body_is_accepted(send: Sender, stored: Any) -> None:
    res = send.batch([track(messageId=f"g{i}") for i in range(3)], gzipped=True)
    assert res.status_code == 200, res.text
    assert {r["message_id"] for r in stored()} == {"g0", "g1", "g2"}


def test_corrupt_gzip_is_400(send: Sender) -> None:
    res = send.post("/v1/batch", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    assert res.status_code == 400
    assert "gzip" in res.json()["detail"]


def test_event_over_32kb_is_rejected_by_name(send: Sender, stored: Any) -> None:
    big = track(messageId="big", properties={"blob": "x" * 33_000})
    res = send.batch([track(messageId="small"), big])
    assert res.status_code == 200
    (rej,) = res.json()["rejected"]
    assert rej["index"] == 1 and rej["messageId"] == "big"
    assert "32 KB" in rej["reason"]
    assert [r["message_id"] for r in stored()] == ["small"]


def test_single_event_over_32kb_is_400(send: Sender) -> None:
    res = send.post("/v1/track", track(properties={"blob": "x" * 33_000}))
    assert res.status_code == 400
    assert "32 KB" in res.json()["detail"]


@pytest.mark.parametrize("gzipped", [False, True])
def test_batch_over_500kb_is_400(send: Sender, gzipped: bool, stored: Any) -> None:
    events = [track(messageId=f"m{i}", properties={"pad": "y" * 20_000}) for i in range(30)]
    res = send.batch(events, gzipped=gzipped)
    assert res.status_code == 400
    assert "500 KB" in res.json()["detail"]
    assert stored() == []


# -- validation answers --------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "words"), [
    (b'{"batch": [', "malformed JSON"),
    (b"", "empty"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"batch": {}}', "'batch' must be an array"),
    (b'{"batch": []}', "'batch' is empty"),
    (b'{"batch": [{"type":"track","event":"x","userId":"u"}], "sentAt": "yesterday"}', "'sentAt'"),
])
def test_malformed_batches_are_400_naming_the_problem(send: Sender, body: bytes, words: str) -> None:
    res = send.post("/v1/batch", body)
    assert res.status_code == 400, res.text
    assert words in res.json()["detail"]


@pytest.mark.parametrize(("msg", "words"), [
    ({"type": "track", "event": "x"}, "'userId' or 'anonymousId' is required"),
    ({"type": "track", "userId": "u"}, "'event' is required for track"),
    ({"type": "tarck", "event": "x", "userId": "u"}, "unknown type 'tarck'"),
    ({"event": "x", "userId": "u"}, "'type' is required"),
    ({"type": "track", "event": "x", "userId": "u", "timestamp": "31/12/2024"}, "'timestamp' is not an ISO-8601"),
    ({"type": "track", "event": "x", "userId": "u", "timestamp": 1700000000}, "'timestamp' is not an ISO-8601"),
    ({"type": "track", "event": "x", "userId": "u", "timestamp": "2999-01-01T00:00:00Z"}, "in the future"),
    ({"type": "track", "event": "x", "userId": "u", "properties": [1]}, "'properties' must be a JSON object"),
    ({"type": "track", "event": "x", "userId": {"id": 1}}, "'userId' must be a string"),
    ({"type": "alias", "userId": "u"}, "'previousId' is required for alias"),
    ({"type": "group", "userId": "u"}, "'groupId' is required for group"),
    ("just a string", "event must be a JSON object"),
])
def test_bad_events_are_rejected_with_reason(send: Sender, msg: Any, words: str) -> None:
    res = send.batch([msg])
    assert res.status_code == 400, res.text
    body = res.json()
    assert body["accepted"] == 0
    assert words in body["rejected"][0]["reason"]


def test_single_endpoints_answer_400_with_reason(send: Sender) -> None:
    res = send.post("/v1/track", {"userId": "u"})
    assert res.status_code == 400
    assert "'event' is required for track" in res.json()["detail"]
    assert send.post("/v1/identify", b"{nope").status_code == 400


def test_partial_batch_keeps_the_good_events(send: Sender, stored: Any) -> None:
    res = send.batch([
        track(messageId="ok-1"),
        {"type": "track", "messageId": "bad-1", "userId": "u"},
        track(messageId="ok-2", timestamp="2024-02-30T00:00:00Z"),
        track(messageId="ok-3"),
    ])
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True and body["accepted"] == 2
    assert [(r["index"], r["messageId"]) for r in body["rejected"]] == [(1, "bad-1"), (2, "ok-2")]
    assert "'event' is required" in body["rejected"][0]["reason"]
    assert "'timestamp'" in body["rejected"][1]["reason"]
    assert {r["message_id"] for r in stored()} == {"ok-1", "ok-3"}


def test_every_single_endpoint_stores_its_type(send: Sender, stored: Any) -> None:
    calls = {
        "track": {"event": "Card Activated"},
        "identify": {"traits": {"tier": "财富"}},
        "page": {"name": "理财首页"},
        "screen": {"name": "Home"},
        "group": {"groupId": "GD-SZ-001"},
        "alias": {"previousId": "old-1"},
    }
    for kind, fields in calls.items():
        res = send.post(f"/v1/{kind}", {"userId": "C9", "messageId": kind, **fields})
        assert res.status_code == 200, (kind, res.text)
    rows = {r["message_id"]: r for r in stored()}
    assert {k: rows[k]["type"] for k in calls} == {k: k for k in calls}
    assert rows["track"]["event"] == "Card Activated"
    assert rows["page"]["event"] == "理财首页"
    assert orjson.loads(rows["identify"]["properties"]) == {"tier": "财富"}


# -- storage semantics ---------------------------------------------------------------------------


def test_same_message_id_twice_is_stored_once(send: Sender, stored: Any) -> None:
    assert send.batch([track(messageId="dup"), track(messageId="dup")]).status_code == 200
    stored()  # flushed: the second copy below is checked against ingest_dedupe
    assert send.batch([track(messageId="dup", event="Other")]).status_code == 200
    rows = stored()
    assert len(rows) == 1 and rows[0]["event"] == "Loan Applied"


def test_missing_message_id_gets_a_uuid(send: Sender, stored: Any) -> None:
    send.batch([track(), track()])
    ids = [r["message_id"] for r in stored()]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(len(i) == 36 for i in ids)


def test_historical_timestamp_is_honoured_in_utc(send: Sender, stored: Any) -> None:
    send.batch([track(messageId="old", timestamp="2023-03-01T09:30:00.250+08:00")])
    (row,) = stored()
    assert row["ts"] == datetime(2023, 3, 1, 1, 30, 0, 250_000)
    assert (datetime.utcnow() - row["received_at"]).total_seconds() < 60


def test_original_timestamp_is_corrected_for_clock_skew(send: Sender, stored: Any) -> None:
    # The device clock runs exactly one hour fast: originalTimestamp and sentAt are both an hour ahead.
    send.post("/v1/batch", {
        "sentAt": "2030-01-01T01:00:10Z",
        "batch": [track(messageId="skew", originalTimestamp="2030-01-01T01:00:00Z")],
    })
    (row,) = stored()
    assert abs((row["received_at"] - row["ts"]).total_seconds() - 10) < 0.001


def test_identify_backfills_earlier_anonymous_events(send: Sender, stored: Any) -> None:
    send.batch([track("App Opened", anonymousId="dev-1", messageId="a1"),
                track("Product Viewed", anonymousId="dev-1", messageId="a2")])
    assert {r["customer_id"] for r in stored()} == {None}
    send.post("/v1/identify", {"userId": "C42", "anonymousId": "dev-1", "traits": {"name": "张三"}})
    later = send.batch([track("Loan Applied", anonymousId="dev-1", messageId="a3")])
    assert later.status_code == 200
    rows = stored("anonymous_id = 'dev-1'")
    assert {r["message_id"]: r["customer_id"] for r in rows if r["type"] == "track"} == {
        "a1": "C42", "a2": "C42", "a3": "C42",
    }


def test_identify_in_same_batch_attributes_the_batch(send: Sender, stored: Any) -> None:
    send.batch([track(anonymousId="dev-2", messageId="b1"),
                {"type": "identify", "userId": "C7", "anonymousId": "dev-2"},
                track(anonymousId="dev-2", messageId="b2")])
    assert {r["customer_id"] for r in stored()} == {"C7"}


def test_alias_links_previous_id(send: Sender, stored: Any) -> None:
    send.batch([track(anonymousId="old-id", messageId="c1")])
    stored()
    send.post("/v1/alias", {"previousId": "old-id", "userId": "C8"})
    assert stored("message_id = 'c1'")[0]["customer_id"] == "C8"


def test_user_id_wins_over_a_linked_anonymous_id(send: Sender, stored: Any) -> None:
    send.batch([{"type": "identify", "userId": "C1", "anonymousId": "shared"},
                track(userId="C2", anonymousId="shared", messageId="d1")])
    assert stored("message_id = 'd1'")[0]["customer_id"] == "C2"


def test_channel_properties_and_context_are_kept(send: Sender, stored: Any) -> None:
    send.batch([
        track(messageId="e1", context={"channel": "WeChat"}, properties={"amount": 100}),
        track(messageId="e2", context={"library": {"name": "analytics-ios", "version": "4"}}),
        track(messageId="e3", properties={"channel": "branch"}),
        track(messageId="e4", context={"library": {"name": "analytics-python", "version": "2"}}),
    ])
    rows = {r["message_id"]: r for r in stored()}
    assert {k: r["channel"] for k, r in rows.items()} == {"e1": "wechat", "e2": "app", "e3": "branch",
                                                          "e4": "server"}
    assert orjson.loads(rows["e1"]["properties"]) == {"amount": 100}
    assert orjson.loads(rows["e2"]["context"])["library"]["name"] == "analytics-ios"


def test_batch_context_is_merged_under_each_event(send: Sender, stored: Any) -> None:
    send.post("/v1/batch", {"context": {"channel": "h5", "ip": "1.2.3.4"},
                            "batch": [track(messageId="f1", context={"ip": "5.6.7.8"})]})
    (row,) = stored()
    assert row["channel"] == "h5"
    assert orjson.loads(row["context"]) == {"channel": "h5", "ip": "5.6.7.8"}


def test_status_page_shows_the_backlog(send: Sender, app_client: Any, admin_headers: dict[str, str],
                                       stored: Any) -> None:
    send.batch([track(messageId="s1")])
    stored()
    body = app_client.get("/api/tracking/status", headers=admin_headers).json()
    assert body["mode"] == "background"
    assert body["pending_events"] == 0 and body["events_total"] == 1
    assert app_client.get("/api/tracking/status").status_code == 401

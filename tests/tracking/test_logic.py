"""The pure validator: what is accepted, how it is normalised, and that nothing makes it raise."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.tracking import logic, repository
from mofang.tracking.contracts import TYPES, Record

NOW = logic.parse_ts("2026-05-01T12:00:00Z")
assert NOW is not None


def norm(msg: Any, **kw: Any) -> Any:
    return logic.normalise(msg, received_us=NOW, **kw)


def test_track_is_normalised() -> None:
    rec = norm({"type": "track", "event": "Deposit", "userId": 42, "messageId": "m",
                "timestamp": "2026-04-30T08:00:00+08:00", "properties": {"amount": 1.5}})
    assert isinstance(rec, dict)
    assert (rec["message_id"], rec["type"], rec["event"], rec["user_id"], rec["anonymous_id"]) == (
        "m", "track", "Deposit", "42", None)
    assert logic.us_to_datetime(rec["ts_us"]) == datetime(2026, 4, 30, 0, 0)
    assert rec["received_us"] == NOW
    assert orjson.loads(rec["properties"]) == {"amount": 1.5}
    assert rec["channel"] == "server" and rec["context"] == "{}" and rec["link_from"] is None


def test_identify_with_both_ids_links_them() -> None:
    rec = norm({"type": "identify", "userId": "C1", "anonymousId": "a", "traits": {"x": 1}})
    assert isinstance(rec, dict)
    assert rec["link_from"] == "a" and orjson.loads(rec["properties"]) == {"x": 1}
    only_anon = norm({"type": "identify", "anonymousId": "a"})
    assert isinstance(only_anon, dict) and only_anon["link_from"] is None


def test_endpoint_kind_overrides_body_type() -> None:
    rec = norm({"type": "nonsense", "name": "Home", "userId": "u"}, kind="screen")
    assert isinstance(rec, dict) and (rec["type"], rec["event"]) == ("screen", "Home")


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-01-01T00:00:00Z", datetime(2026, 1, 1)),
    ("2026-01-01T08:00:00.123456+08:00", datetime(2026, 1, 1, 0, 0, 0, 123456)),
    ("2026-01-01T00:00:00", datetime(2026, 1, 1)),  # no offset: UTC, as Segment
    ("2025-12-31T19:00:00-05:00", datetime(2026, 1, 1)),
    (datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))), datetime(2026, 1, 1)),
])
def test_timestamps_become_utc(value: Any, expected: datetime) -> None:
    us = logic.parse_ts(value)
    assert us is not None and logic.us_to_datetime(us) == expected


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-13-01T00:00:00Z", 1700000000, None, [], "9" * 100])
def test_unusable_timestamps(value: Any) -> None:
    assert logic.parse_ts(value) is None


def test_skew_correction_uses_sent_at_of_the_batch() -> None:
    rec = norm({"type": "track", "event": "e", "userId": "u", "originalTimestamp": "2030-01-01T00:00:00Z"},
               sent_at_us=logic.parse_ts("2030-01-01T00:00:05Z"))
    assert isinstance(rec, dict) and rec["ts_us"] == NOW - 5_000_000


def test_basic_auth_header() -> None:
    enc = base64.b64encode(b"mfk_abc:").decode()
    assert logic.basic_auth_key(f"Basic {enc}") == "mfk_abc"
    assert logic.basic_auth_key("Bearer x") is None
    assert logic.basic_auth_key(None) is None
    assert logic.basic_auth_key("Basic %%%") == ""


def test_inflate_bounds_gzip_bombs() -> None:
    bomb = gzip.compress(b"0" * 5_000_000)
    with pytest.raises(logic.PayloadError, match="500 KB"):
        logic.inflate(bomb, encoding="gzip", limit=500 * 1024, what="batch")
    assert logic.inflate(gzip.compress(b"{}"), encoding="gzip", limit=10) == b"{}"
    with pytest.raises(logic.PayloadError, match="truncated"):
        logic.inflate(gzip.compress(b"{}" * 100)[:-10], encoding="gzip", limit=10_000)
    with pytest.raises(logic.PayloadError) as err:
        logic.inflate(b"x", encoding="br", limit=10)
    assert err.value.status == 415


# -- properties ----------------------------------------------------------------------------------

ints = st.integers(-(2**63), 2**63 - 1)  # what JSON parsers give
json_scalars = (st.none() | st.booleans() | ints
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
iso_times = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2030, 1, 1),
                         timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), None])).map(
    lambda d: d.isoformat())
segment_like = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from([*TYPES, "bogus"]) | json_values,
    "event": st.text(max_size=30) | json_values,
    "name": st.text(max_size=30),
    "userId": st.text(max_size=10) | ints | json_values,
    "anonymousId": st.text(max_size=10) | json_values,
    "previousId": st.text(max_size=10),
    "groupId": st.text(max_size=10) | ints,
    "messageId": st.text(max_size=40) | json_values,
    "timestamp": iso_times | json_values,
    "originalTimestamp": iso_times,
    "sentAt": iso_times | json_values,
    "properties": json_values,
    "traits": json_values,
    "context": json_values,
})


def _wire(value: Any) -> Any:
    """The value as it arrives over HTTP: serialised and parsed again (so only real JSON)."""
    return orjson.loads(orjson.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, segment_like))
def test_normalise_never_raises_and_accepted_records_are_well_typed(msg: Any) -> None:
    out = logic.normalise(_wire(msg), received_us=NOW)
    if isinstance(out, str):
        assert out
        return
    assert out["type"] in TYPES
    assert isinstance(out["message_id"], str) and 0 < len(out["message_id"]) <= logic.MAX_ID_CHARS
    assert isinstance(out["event"], str) and out["event"]
    assert out["user_id"] is not None or out["anonymous_id"] is not None
    for ident in (out["user_id"], out["anonymous_id"], out["link_from"]):
        assert ident is None or (isinstance(ident, str) and ident)
    assert isinstance(out["ts_us"], int) and 0 <= out["ts_us"] <= NOW + logic.FUTURE_TOLERANCE_US
    assert out["received_us"] == NOW
    assert isinstance(orjson.loads(out["properties"]), dict)
    assert isinstance(orjson.loads(out["context"]), dict)
    assert isinstance(out["channel"], str) and out["channel"]
    assert set(out) == set(Record.__annotations__)
    # What the WAL and the flusher make of it is the same record.
    (back,) = repository.lines_table(logic.encode_payload([out])).drop_columns(["seq"]).to_pylist()
    assert back == out
    if out["type"] == "track":
        assert out["event"] == msg["event"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | json_values.map(orjson.dumps) | st.lists(segment_like, max_size=5).map(
    lambda b: orjson.dumps({"batch": b})))
def test_batch_parsing_never_raises_anything_but_payload_errors(body: bytes) -> None:
    try:
        doc = logic.parse_json(body)
        records, rejected = logic.split_batch(doc, received_us=NOW, max_event_bytes=32 * 1024)
    except logic.PayloadError as exc:
        assert exc.message and exc.status == 400
        return
    assert len(records) + len(rejected) == len(doc["batch"])
    assert sorted(r.index for r in rejected) == [r.index for r in rejected]


@pytest.mark.parametrize("body", [
    b"{oops", orjson.dumps({"batch": []}), orjson.dumps({"batch": [{"type": "x"}]}),
    orjson.dumps({"batch": [{"type": "track", "event": "e", "userId": "u"}, {"type": "x"}]}),
])
def test_prepared_survives_the_trip_from_a_parse_worker(body: bytes) -> None:
    prepared = logic.prepare(body, encoding=None, kind=None, received_us=NOW, max_event_bytes=32 * 1024,
                             max_batch_bytes=500 * 1024, want_key=False)
    back = logic.Prepared.from_meta(orjson.loads(orjson.dumps(prepared.meta())), prepared.payload)
    assert back.meta() == prepared.meta()
    assert back.payload == prepared.payload
    assert (back.error is None) == (prepared.error is None)

"""Pure rules of delivery: backoff, token buckets, signatures, request mappings, receipts, opt-out replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mofang.reach.delivery.logic import (
    backoff_seconds,
    better_receipt,
    bucket_take,
    fill,
    is_opt_out,
    json_path,
    mask_address,
    signature,
    signature_problem,
)

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=0.999999))
def test_backoff_grows_is_capped_and_jitter_stays_within_the_upper_half(attempt: int, rand: float) -> None:
    delay = backoff_seconds(attempt, base=2.0, cap=600.0, rand=rand)
    ceiling = min(600.0, 2.0 * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling
    assert backoff_seconds(attempt + 1, rand=0.0) >= backoff_seconds(attempt, rand=0.0)


@given(st.floats(min_value=0.5, max_value=1000), st.integers(min_value=1, max_value=500))
def test_a_bucket_lets_burst_through_then_the_rate(rate: float, burst: int) -> None:
    tokens, t = float(burst), 0.0
    for _ in range(burst):
        tokens, wait = bucket_take(tokens, t, t, rate=rate, burst=burst)
        assert wait == 0
    tokens, wait = bucket_take(tokens, t, t, rate=rate, burst=burst)
    assert wait > 0 and abs(wait - (1.0 - tokens) / rate) < 1e-9
    # After waiting that long exactly one more goes.
    _, wait2 = bucket_take(tokens, t, t + wait + 1e-9, rate=rate, burst=burst)
    assert wait2 == 0


def test_signatures_refuse_forged_stale_and_missing() -> None:
    body = b'{"reports":[]}'
    ts = str(int(NOW.timestamp()))
    good = signature("s", ts, body)
    assert signature_problem("s", ts, good, body, now=NOW) is None
    assert signature_problem("s", ts, good, body + b" ", now=NOW) == "signature_invalid"
    assert signature_problem("s", ts, good.upper(), body, now=NOW) is None
    assert signature_problem("other", ts, good, body, now=NOW) == "signature_invalid"
    assert signature_problem("s", ts, good, body, now=NOW + timedelta(minutes=6)) == "signature_stale"
    assert signature_problem("s", None, good, body, now=NOW) == "signature_missing"
    assert signature_problem("s", "not-a-time", good, body, now=NOW) == "signature_invalid"
    assert signature_problem(None, ts, good, body, now=NOW) == "callback_not_configured"


@given(st.text(max_size=40))
def test_placeholders_are_replaced_never_evaluated(value: str) -> None:
    out = fill({"a": "{{content}}", "b": ["x{{ address }}y", 3], "c": "{{__import__}}{{content.upper}}"},
               {"content": value, "address": "{{content}}"})
    # A value is inserted as it is, never re-read as a template; an unknown name is empty (saving refuses it);
    # anything that is not a bare name (attribute access, calls) is left as text.
    assert out == {"a": value, "b": ["x{{content}}y", 3], "c": "{{content.upper}}"}


def test_json_paths_and_masks_and_replies() -> None:
    doc = {"code": 0, "data": {"list": [{"msgid": "m1"}]}}
    assert json_path(doc, "$.data.list.0.msgid") == "m1" and json_path(doc, "data.list.5.msgid") is None
    assert json_path(None, "code") is None and json_path(doc, "code.x") is None
    assert mask_address("sms", "13800001111") == "138****1111"
    assert mask_address("email", "zhang@example.com") == "z***@example.com"
    assert [t for t in ("T", " td ", "退订", "TD ", "好的", "", None, "t") if is_opt_out(t)] == [
        "T", " td ", "退订", "TD ", "t"]
    assert better_receipt(None, "undelivered") and better_receipt("delivered", "clicked")
    assert not better_receipt("clicked", "delivered")

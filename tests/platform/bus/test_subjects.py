"""Subject rules: any event name survives the trip through a subject token; wildcards match as NATS does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mofang.platform.bus import open_bus
from mofang.platform.bus.embedded import EmbeddedBus
from mofang.platform.bus.logic import (
    check_subject,
    decode_token,
    encode_token,
    event_name_of,
    event_subject,
    matches,
    stream_name,
)
from mofang.platform.settings import Settings


@given(st.text(max_size=60))
def test_any_event_name_round_trips_through_a_safe_token(name: str) -> None:
    token = encode_token(name)
    check_subject(f"events.{token}")  # only ASCII letters, digits, '_' and '-': safe on every NATS client
    assert "." not in token and "*" not in token and ">" not in token and " " not in token
    assert decode_token(token) == name
    assert event_name_of(event_subject(name)) == name


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_different_names_never_share_a_subject(a: str, b: str) -> None:
    if a != b:
        assert event_subject(a) != event_subject(b)


def test_readable_names_stay_readable() -> None:
    assert event_subject("fund_purchase") == "events.fund_purchase"
    assert event_subject("App Opened") == "events.App-20Opened"
    assert event_subject("理财.购买") == "events.-E7-90-86-E8-B4-A2-2E-E8-B4-AD-E4-B9-B0"


@pytest.mark.parametrize(("pattern", "subject", "expected"), [
    ("events.>", "events.login", True),
    ("events.>", "events.a.b", True),
    ("events.>", "events", False),
    ("events.*", "events.login", True),
    ("events.*", "events.a.b", False),
    ("events.login", "events.login", True),
    ("events.login", "events.logins", False),
    ("*.login", "events.login", True),
    ("receipts.>", "events.login", False),
])
def test_wildcards_match_like_nats(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected


@pytest.mark.parametrize("bad", ["events.a b", "events..x", "events.*", "events.>", "", "events.登录"])
def test_a_publish_subject_must_be_literal_and_safe(bad: str) -> None:
    with pytest.raises(ValueError):
        check_subject(bad)


def test_stream_names_follow_the_first_token_and_namespace() -> None:
    assert stream_name("events") == "MOFANG_EVENTS"
    assert stream_name("events", "t1a2") == "MOFANG_T1A2_EVENTS"


def test_settings_choose_the_bus(tmp_path: Path) -> None:
    bus = open_bus(Settings(data_dir=tmp_path))
    try:
        assert isinstance(bus, EmbeddedBus) and bus.path == tmp_path / "bus.sqlite"
    finally:
        bus.close()
    with pytest.raises(ValueError, match="MOFANG_BUS_URL"):
        open_bus(Settings(data_dir=tmp_path, bus_url="kafka://x"))

"""Identifiers and event names with control characters (a NUL above all) are refused, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from ingest_helpers import Sender, track


@pytest.mark.parametrize(("field", "value"), [
    ("userId", "u\x001"), ("anonymousId", "a\n1"), ("messageId", "m\x1b[31m"), ("event", "open\x00"),
    ("userId", "u\x7f"), ("userId", "u\x85"),
])
def test_a_single_event_with_a_control_character_is_400_naming_the_field(
    send: Sender, stored: Any, field: str, value: str,
) -> None:
    res = send.post("/v1/track", {**track(), field: value})
    assert res.status_code == 400, res.text
    assert res.json()["field"] == field and "control characters" in res.json()["detail"]
    assert stored() == []


def test_a_batch_keeps_the_clean_events_and_names_the_bad_one(send: Sender, stored: Any) -> None:
    res = send.batch([track(messageId="ok"), track(messageId="bad", userId="u\x00"),
                      {"type": "page", "userId": "u", "name": "首页\t", "messageId": "p"}])
    assert res.status_code == 200, res.text
    assert [(r["index"], r["reason"]) for r in res.json()["rejected"]] == [
        (1, "'userId' contains control characters"), (2, "'name' contains control characters")]
    assert [r["message_id"] for r in stored()] == ["ok"]


def test_ordinary_text_is_kept(send: Sender, stored: Any) -> None:
    res = send.post("/v1/track", {**track(), "userId": "客户-001 ü", "event": "理财 页面"})
    assert res.status_code == 200, res.text
    assert len(stored()) == 1
